// Embedded mode, nothing configured: SMS and WhatsApp (Twilio) channels with no Twilio account. A
// customer played by the Channel simulator writes in, staff reply from the inbox, and the reply goes
// through the Twilio sender exactly as it would with an account (consent, the customer's number)
// except that it lands in the dev outbox: sent there once, shown in the simulator's conversation
// with that customer and on /dev/outbox, never left "queued".
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { simulate, simulatorReplies } from "@/lib/channels/simulator";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { listChannelOutbox } from "@/lib/channels/outbox";
import { actOnConversation } from "@/lib/services/conversations";
import { enqueueReply } from "@/lib/services/reply-queue";
import type { MemberCtx } from "@/lib/services/context";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP } from "../../fixtures/twilio";

let ctx: MemberCtx;
let n = 0;
const phone = () => `+4477009${String(10000 + ++n).slice(-5)}`;

const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task());
const settle = async () => {
  while (tasks.length) await Promise.all(tasks.splice(0));
};

/** The simulator plays `from` writing on `kind`, through the real webhook route; returns the conversation. */
async function customerWrites(kind: "sms" | "whatsapp", from: string, text: string): Promise<string> {
  const route = kind === "sms" ? smsPost : whatsappPost;
  const r = await simulate({ ctx, input: { kind, from, text }, origin: ORIGIN, post: (url, init) => route(new Request(url, init)) });
  expect(r.status).toBe(200);
  await backgroundIdle();
  const [c] = await withService((tx) =>
    rows<{ id: string }>(tx, sql`select conversation_id as id from messages where business_id = ${DEMO_BUSINESS_ID} and role = 'customer' and content = ${text}`),
  );
  return c!.id;
}

async function staffReplies(conversationId: string, text: string) {
  const { messageId } = await actOnConversation({ ctx, input: { id: conversationId, action: { action: "reply", text } } }, { defer });
  await settle(); // the drain the inbox starts straight after the reply
  const [message] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, messageId!)));
  const queued = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId!)));
  return { message: message!, queued };
}

beforeAll(async () => {
  ctx = await useDemoBusiness();
  await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER } });
  await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: OUR_WHATSAPP } });
});
afterAll(async () => {
  await settle();
  await backgroundIdle();
  await closeDb();
});

describe("a staff reply on a simulated SMS channel", () => {
  it("is delivered to the dev outbox once, and the message moves on from queued", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const conversation = await customerWrites("sms", from, "Can I move my appointment to Friday?");
    const { message, queued } = await staffReplies(conversation, "Hi, this is Dana: Friday at 10 works, see you then.");

    expect(message.deliveryStatus).toBe("outbox");
    expect(message.metadata).toMatchObject({ delivery: { transport: "outbox", outboxIds: [queued[0]!.id] } });
    // One row: the queued reply is the dev outbox's record, not a copy of it.
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ channelKind: "sms", status: "sent", error: null, body: "Hi, this is Dana: Friday at 10 works, see you then." });
    expect(queued[0]!.sentAt).toBeInstanceOf(Date);
    expect(queued[0]!.recipient).toBe(`${from.slice(0, 3)}${"•".repeat(from.length - 7)}${from.slice(-4)}`);

    // The simulator's conversation with this customer shows it; another customer's does not.
    const shown = await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, from);
    expect(shown.map((r) => r.body)).toContain("Hi, this is Dana: Friday at 10 works, see you then.");
    expect(await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, phone())).toEqual([]);

    // /dev/outbox lists it among the channel messages to the business's members, and to no one else.
    const member = { id: ctx.actor.type === "member" ? ctx.actor.userId : "" };
    const devOutbox = await withService((tx) => listChannelOutbox(tx, member));
    expect(devOutbox.find((r) => r.id === queued[0]!.id)).toMatchObject({ channelKind: "sms", kind: "staff_reply", status: "sent", business: "Riverside Dental Clinic" });
    const stranger = await withService(async (tx) => (await tx.insert(s.users).values({ email: `stranger-${Date.now()}@example.com`, passwordHash: "x" }).returning())[0]!);
    expect(await withService((tx) => listChannelOutbox(tx, stranger))).toEqual([]);

    // Nothing is left for the outbox job to send again.
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 0, failed: 0, retrying: 0 });
  });

  it("keeps the rules of a real send: a customer who texted STOP gets nothing, and the inbox says why", async () => {
    const from = phone();
    const conversation = await customerWrites("sms", from, "Please stop the reminders");
    await customerWrites("sms", from, "STOP");
    const { message, queued } = await staffReplies(conversation, "Sorry to see you go!");
    expect(message.deliveryStatus).toBe("blocked");
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ status: "failed", error: "The customer opted out of this channel (STOP)." });
  });
});

describe("a staff reply on a simulated WhatsApp channel", () => {
  it("is delivered to the dev outbox and shown in the simulator's conversation", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const conversation = await customerWrites("whatsapp", from, "Do you have parking?");
    const { message, queued } = await staffReplies(conversation, "Yes, two spaces behind the clinic.");
    expect(message.deliveryStatus).toBe("outbox");
    expect(queued).toEqual([expect.objectContaining({ channelKind: "whatsapp", status: "sent" })]);
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "whatsapp", since, from)).map((r) => r.body)).toEqual(["Yes, two spaces behind the clinic."]);
  });
});

describe("a campaign message queued like a staff reply", () => {
  /** As the campaigns job queues one: enqueueReply's row, marked as a campaign's. */
  async function campaignSends(conversationId: string, text: string) {
    const { messageId } = await withService(async (tx) => {
      const [c] = await rows<{ id: string; channel_id: string; channel_kind: string; customer_id: string }>(
        tx,
        sql`select c.id, c.channel_id, ch.kind as channel_kind, c.customer_id from conversations c join channels ch on ch.id = c.channel_id where c.id = ${conversationId}`,
      );
      const [m] = await tx
        .insert(s.messages)
        .values({ businessId: DEMO_BUSINESS_ID, conversationId, customerId: c!.customer_id, channelId: c!.channel_id, role: "agent", content: text, deliveryStatus: "queued" })
        .returning();
      await enqueueReply(tx, c!, DEMO_BUSINESS_ID, m!.id, text);
      await tx.execute(sql`update outbox set payload = jsonb_set(payload, '{kind}', '"campaign"') where message_id = ${m!.id}`);
      return { messageId: m!.id };
    });
    const drained = await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID });
    const [message] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, messageId)));
    const queued = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId)));
    return { drained, message: message!, queued };
  }

  it("is sent by the one drain the same way, and the row stays the dev outbox's record", async () => {
    const from = phone();
    const conversation = await customerWrites("sms", from, "Do you do teeth whitening?");
    const { drained, message, queued } = await campaignSends(conversation, "Whitening is 20% off this month.");
    expect(drained).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(message.deliveryStatus).toBe("outbox");
    expect(queued).toEqual([expect.objectContaining({ channelKind: "sms", status: "sent", error: null, body: "Whitening is 20% off this month." })]);
    expect(queued[0]!.payload).toMatchObject({ kind: "campaign", toEncrypted: expect.any(String) });
  });

  it("keeps the customer's STOP", async () => {
    const from = phone();
    const conversation = await customerWrites("sms", from, "No more texts please");
    await customerWrites("sms", from, "STOP");
    const { drained, message, queued } = await campaignSends(conversation, "Whitening is 20% off this month.");
    expect(drained).toEqual({ sent: 0, failed: 1, retrying: 0 });
    expect(message.deliveryStatus).toBe("blocked");
    expect(queued[0]).toMatchObject({ status: "failed", error: "The customer opted out of this channel (STOP)." });
  });
});
