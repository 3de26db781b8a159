// Memory across channels on the embedded defaults: what a customer told us on one channel is
// answered on every other (SMS, WhatsApp and calls share a phone number; Telegram, Instagram and the
// web chat are linked to the same customer), from their recent history and from older messages.
import { withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { linkIdentity } from "@/lib/pipeline/customers";
import { handleInbound, storeInbound } from "@/lib/pipeline/inbound";
import type { ChannelKind, InboundMessage } from "@/lib/pipeline/types";
import type { Identity } from "@/lib/pipeline/identities";
import { closeDb, useDemoBusiness } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
const channelIds = new Map<ChannelKind, string>([["web", WEB]]);
const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task().catch(() => undefined));
const settle = async () => {
  while (tasks.length) await Promise.allSettled(tasks.splice(0));
};

const PHONE = "+447700900123";
const identities: Record<ChannelKind, Identity> = {
  sms: { kind: "phone", value: PHONE },
  whatsapp: { kind: "whatsapp", value: `whatsapp:${PHONE}` },
  voice: { kind: "phone", value: PHONE },
  telegram: { kind: "telegram", value: "tg-5550123" },
  instagram: { kind: "instagram", value: "ig-5550123" },
  web: { kind: "web", value: "visitor-recall" },
  email: { kind: "email", value: "recall@example.com" },
};
// Customers write over minutes, not milliseconds (the abuse gate counts messages per 10 s).
let minute = 0;
const inbound = (kind: ChannelKind, text: string): InboundMessage => ({
  businessId: DEMO_BUSINESS_ID,
  channelId: channelIds.get(kind)!,
  channelKind: kind,
  from: identities[kind],
  text,
  receivedAt: new Date(Date.now() - 60 * 60_000 + ++minute * 60_000),
});
const send = async (kind: ChannelKind, text: string) => {
  const r = await handleInbound(inbound(kind, text), { defer });
  await settle();
  return r;
};

let customerId: string;

beforeAll(async () => {
  await useDemoBusiness();
  const created = await withService((tx) =>
    tx
      .insert(s.channels)
      .values(
        (["sms", "whatsapp", "voice", "telegram", "instagram", "email"] as const).map((kind) => ({
          businessId: DEMO_BUSINESS_ID,
          kind,
          name: kind,
          address: `recall-${kind}`,
        })),
      )
      .returning(),
  );
  for (const c of created) channelIds.set(c.kind as ChannelKind, c.id);
  const first = await send("sms", "Hi, can I move my check-up to next Tuesday afternoon?");
  customerId = first.customerId;
  // The customer gave their Telegram, Instagram and email to the clinic: one person everywhere.
  for (const kind of ["telegram", "instagram", "web", "email"] as const) {
    await withService((tx) => linkIdentity(tx, DEMO_BUSINESS_ID, customerId, identities[kind]));
  }
});
afterAll(async () => {
  await settle();
  await closeDb();
});

describe("what did I ask you by SMS?", () => {
  const asks: [ChannelKind, string][] = [
    ["whatsapp", "What did I ask you by SMS?"],
    ["voice", "What did I ask you in my text message?"],
    ["telegram", "what did I text you earlier?"],
    ["instagram", "Remind me what I sent you by text"],
    ["web", "What did I ask you by SMS earlier?"],
  ];

  it.each(asks)("is answered on %s from the SMS", async (kind, question) => {
    const r = await send(kind, question);
    expect(r.customerId).toBe(customerId);
    expect(r.reply!.source).toBe("offline");
    expect(r.reply!.content).toMatch(/^Here is what you wrote to us:\n“Hi, can I move my check-up to next Tuesday afternoon\?” \(SMS, /);
  });
});

describe("did you note my allergy?", () => {
  it("finds what they said on WhatsApp, even behind more recent messages", async () => {
    await send("whatsapp", "Just so you know, I'm allergic to penicillin");
    // a dozen messages since, so the allergy is no longer in the last ten
    for (let i = 0; i < 12; i++) await storeInbound(inbound("email", `Booking reference ${1000 + i}: please confirm my slot`));
    const r = await send("web", "did you note my allergy?");
    expect(r.reply!.content).toContain("“Just so you know, I'm allergic to penicillin” (WhatsApp, ");
  });

  it("says plainly when it finds nothing, and offers a person", async () => {
    const r = await send("instagram", "Did I tell you my budget?");
    expect(r.reply!.content).toBe("I can't find that in your messages to us. Would you like me to pass your question to a person on the team?");
  });
});
