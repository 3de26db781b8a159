import "server-only";
// "Try it with a sample number": connects a channel in simulated mode with sample values that can
// never reach anyone — numbers from Ofcom's ranges reserved for drama, an address under the reserved
// .example domain, a bot without a token, Meta ids without an access token — so a new owner can play
// a customer in the Channel simulator at once, on every channel. Each is marked as a sample
// (sample-mark) until the owner saves an address of their own. Only where the simulator can play the
// channel: nothing configured for its provider.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import { businesses, channels } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { connectEmailChannel, emailTransport } from "@/lib/channels/email/channels";
import { signingSecret } from "@/lib/channels/email/svix";
import { connectTelegramChannel } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel, connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";
import { findBusinessChannel, type Channel } from "./channels";
import { isSampleChannel } from "./sample-mark";

/** The channel pages, by the segment under /[business]/channels/. */
export const SAMPLE_PAGES = ["sms", "whatsapp", "voice", "email", "telegram", "instagram", "whatsapp-cloud"] as const;
export type SamplePage = (typeof SAMPLE_PAGES)[number];

export function isSamplePage(value: string): value is SamplePage {
  return (SAMPLE_PAGES as readonly string[]).includes(value);
}

/** Whether this environment lets the simulator play the page's channel with sample values. */
export function sampleAvailable(page: SamplePage): boolean {
  const e = env();
  if (page === "sms" || page === "whatsapp" || page === "voice") return e.adapters.sms === "outbox";
  if (page === "email") return emailTransport() === "outbox" && signingSecret().simulated;
  if (page === "telegram") return true;
  return !e.META_APP_SECRET;
}

/** The sample values for one page, for the business's n-th try (another n after a clash with another business). */
export function sampleValues(page: SamplePage, slug: string, n: number): Record<string, string> {
  const three = String(n % 1000).padStart(3, "0");
  const handle = slug.replace(/[^a-z0-9]+/gi, "_").replace(/^_+|_+$/g, "").slice(0, 16) || "business";
  switch (page) {
    // Ofcom's drama numbers: London 020 7946 0000–0999 (texts and calls: one number, one customer
    // across both), Leeds 0113 496 0000–0999, Bristol 0117 496 0000–0999.
    case "sms":
    case "voice":
      return { address: `+442079460${three}` };
    case "whatsapp":
      return { address: `+441134960${three}` };
    case "whatsapp-cloud":
      return { phoneNumberId: `1000000${String(n).padStart(8, "0")}`, displayPhoneNumber: `+441174960${three}` };
    case "email":
      return { address: `hello${n ? `-${n}` : ""}@${slug}.example` };
    case "telegram":
      return { username: `sample_${handle}${n ? `_${n}` : ""}_bot` };
    case "instagram":
      return { accountId: `1784100${String(n).padStart(8, "0")}`, username: `${handle.toLowerCase()}.sample` };
  }
}

/** The n of a business's k-th try: derived from the business (numbers), or counted (names). */
function nth(page: SamplePage, businessId: string, attempt: number): number {
  if (page === "email" || page === "telegram") return attempt;
  const base = crypto.createHash("sha256").update(businessId).digest().readUInt16BE(0) % 1000;
  return (base + attempt * 137) % 1000;
}

/** What the page says the sample will be, before it is connected. */
export function describeSample(page: SamplePage, business: { id: string; slug: string }): string {
  const v = sampleValues(page, business.slug, nth(page, business.id, 0));
  if (page === "email") return `the address ${v.address}`;
  if (page === "telegram") return `a simulated bot, @${v.username}`;
  if (page === "instagram") return `a simulated account, @${v.username}`;
  if (page === "whatsapp-cloud") return `the number ${v.displayPhoneNumber}`;
  return `the number ${v.address}`;
}

async function existing(businessId: string, page: SamplePage): Promise<Channel | undefined> {
  return withService((tx) => findBusinessChannel(tx, businessId, page));
}

async function connectWith(ctx: Ctx, page: SamplePage, v: Record<string, string>): Promise<Channel> {
  switch (page) {
    case "sms":
    case "whatsapp":
    case "voice":
      return connectTwilioChannel({ ctx, input: { kind: page, address: v.address } });
    case "email":
      return connectEmailChannel({ ctx, input: { address: v.address } });
    case "telegram":
      return (await connectTelegramChannel({ ctx, input: { username: v.username, greeting: "" } })).channel;
    case "instagram":
      return connectInstagramChannel({ ctx, input: { accountId: v.accountId, username: v.username } });
    case "whatsapp-cloud":
      return connectWhatsAppCloudChannel({ ctx, input: { phoneNumberId: v.phoneNumberId, displayPhoneNumber: v.displayPhoneNumber } });
  }
}

/**
 * Connects the page's channel with sample values, in simulated mode, and marks it as a sample.
 * Refused where the simulator cannot play it, and where the business already connected one.
 */
export async function connectSampleChannel({ ctx, input }: { ctx: Ctx; input: { page: string } }): Promise<Channel> {
  requireRole(ctx, MANAGERS);
  const page = input.page;
  if (!isSamplePage(page)) throw new AppError("not_found", "Unknown channel.");
  if (!sampleAvailable(page)) throw new AppError("conflict", "This channel's provider is configured here, so it is connected with your own account, not a sample.");
  const current = await existing(ctx.businessId, page);
  if (current) {
    if (isSampleChannel(current)) return current;
    throw new AppError("conflict", "This channel is already connected.");
  }
  const [business] = await withService((tx) => tx.select({ slug: businesses.slug }).from(businesses).where(eq(businesses.id, ctx.businessId)));
  if (!business) throw new AppError("not_found", "Business not found.");
  // The first choice is derived from the business; another business may hold it, so a few more.
  for (let attempt = 0; attempt < 8; attempt++) {
    const values = sampleValues(page, business.slug, nth(page, ctx.businessId, attempt));
    try {
      const channel = await connectWith(ctx, page, values);
      const settings = { ...channel.settings, sample: true };
      await withService((tx) => tx.update(channels).set({ settings }).where(and(eq(channels.id, channel.id), eq(channels.businessId, ctx.businessId))));
      return { ...channel, settings };
    } catch (err) {
      if (!(err instanceof AppError && err.code === "conflict")) throw err;
    }
  }
  throw new AppError("conflict", "Every sample value is taken; enter your own instead.");
}

/** Connects every channel the business has not connected yet with samples, where the simulator can play it. */
export async function connectAllSamples({ ctx }: { ctx: Ctx }): Promise<{ connected: SamplePage[] }> {
  requireRole(ctx, MANAGERS);
  const connected: SamplePage[] = [];
  for (const page of SAMPLE_PAGES) {
    if (!sampleAvailable(page) || (await existing(ctx.businessId, page))) continue;
    await connectSampleChannel({ ctx, input: { page } });
    connected.push(page);
  }
  return { connected };
}
