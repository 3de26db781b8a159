import "server-only";
// Twilio's own outside the one outbound path (lib/channels/common/outbound): what its WhatsApp
// refuses outside the 24-hour window, and the test call from the voice channel's page.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { businesses, outbox } from "@/lib/db/schema";
import { encrypt } from "@/lib/security/crypto";
import { audit } from "@/lib/services/audit";
import { AppError } from "@/lib/errors";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { farewellTwiml, voiceOf } from "@/lib/channels/voice/twiml";
import { findBusinessChannel, maskPhone } from "@/lib/channels/common/channels";
import { describeRestError, withRetries } from "@/lib/channels/common/retry";
import { readSettings, toE164, wireAddress, type Channel } from "./channels";
import { restClient } from "./client";
import { restCredentials } from "./credentials";

export const OUTSIDE_WINDOW =
  "More than 24 hours have passed since this customer last wrote on WhatsApp, so WhatsApp only allows an approved template until they write again.";

export const TestCallInput = z.object({
  to: z
    .string()
    .trim()
    .refine((v) => toE164(v) !== null, "Enter the number in international format, e.g. +14155550100"),
});

export type TestCallResult = { transport: "twilio" | "outbox"; status: "queued" | "failed"; sid?: string; outboxId?: string; error?: string };

/** Rings a number from the voice channel and speaks a short check, in the channel's voice. */
export async function placeTestCall({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<TestCallResult> {
  requireRole(ctx, MANAGERS);
  const { to } = TestCallInput.parse(input);
  const number = toE164(to)!;
  const channel: Channel | undefined = await withService((tx) => findBusinessChannel(tx, ctx.businessId, "voice"));
  if (!channel) throw new AppError("not_found", "Connect voice first.");
  const [business] = await withService((tx) => tx.select({ name: businesses.name }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  const text = `This is a test call from ${business?.name ?? "PrismAI"}. Your voice channel works. Goodbye.`;
  const twiml = farewellTwiml(voiceOf(readSettings("voice", channel.settings)), text);
  const credentials = restCredentials(channel);
  let result: TestCallResult;
  if (credentials) {
    try {
      const { value } = await withRetries(() => restClient(credentials).calls.create({ to: number, from: wireAddress("voice", channel.address), twiml }));
      result = { transport: "twilio", status: "queued", sid: value.sid };
    } catch (err) {
      result = { transport: "twilio", status: "failed", error: describeRestError(err).message };
    }
  } else {
    const [row] = await withService((tx) =>
      tx
        .insert(outbox)
        .values({
          businessId: ctx.businessId,
          channelKind: "voice",
          recipient: maskPhone(number),
          body: text,
          payload: { kind: "test", channelId: channel.id, toEncrypted: encrypt(number), from: channel.address, twiml },
        })
        .returning({ id: outbox.id }),
    );
    result = { transport: "outbox", status: "queued", outboxId: row!.id };
  }
  await withService((tx) => audit(tx, ctx, "channel.test_call", { type: "channel", id: channel.id }, { to: maskPhone(number), transport: result.transport, status: result.status }));
  return result;
}
