// What reaches a customer's phone when the answer or reply is not made inside Twilio's webhook: the
// sweeper's answers, staff replies from the inbox (through the outbox and its job), WhatsApp's
// 24-hour window in the reply box, and calls, which a typed reply cannot reach. Production mode
// against the local Twilio REST stand-in.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { OUTSIDE_WINDOW } from "@/lib/channels/twilio/outbound";
import { smartEncode } from "@/lib/channels/twilio/segments";
import { storeInbound } from "@/lib/pipeline/inbound";
import { sweep } from "@/lib/jobs/sweeper";
import { JOBS } from "@/lib/jobs";
import { actOnConversation, CALL_ENDED, getConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness, useTwilio } from "../../helpers/demo";
import { OUR_NUMBER, OUR_WHATSAPP } from "../../fixtures/twilio";

const TEMPLATE = { name: "follow_up", contentSid: "HXb5b62575e6e4ff6129ad7c8efe1f983e", body: "Hi, we have an update about your enquiry. Reply to continue." };
let api: Awaited<ReturnType<typeof useTwilio>>;
let ctx: MemberCtx;
const channel: Record<"sms" | "whatsapp" | "voice", string> = { sms: "", whatsapp: "", voice: "" };
let n = 0;
const phone = () => `+1415555${String(7000 + ++n)}`;

const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task());
const settle = async () => {
  while (tasks.length) await Promise.all(tasks.splice(0));
};

function inbound(kind: keyof typeof channel, from: string, text: string) {
  return storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel[kind], channelKind: kind, from: { kind: "phone", value: from }, text });
}
const sends = () => api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));
const message = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, id))))[0]!;

beforeAll(async () => {
  api = await useTwilio({ attempts: 2, startingDelayMs: 5, maxDelayMs: 10 });
  ctx = await useDemoBusiness();
  channel.sms = (await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN } })).id;
  channel.whatsapp = (
    await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: OUR_WHATSAPP, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN, settings: { templates: [TEMPLATE] } } })
  ).id;
  channel.voice = (await connectTwilioChannel({ ctx, input: { kind: "voice", address: OUR_NUMBER, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN } })).id;
});
beforeEach(() => api.reset());
afterAll(async () => {
  await settle();
  await closeDb();
  await api.stop();
});

describe("the sweeper's answers", () => {
  it("texts the customer the answer to an SMS a crash left unanswered, once", async () => {
    const customer = phone();
    const stored = await inbound("sms", customer, "What are your opening hours?");
    const result = await sweep({ graceSeconds: 0 });
    expect(result.answered).toBeGreaterThanOrEqual(1);
    const [reply] = await withService((tx) => tx.select().from(s.messages).where(and(eq(s.messages.replyToId, stored.message.id), eq(s.messages.businessId, DEMO_BUSINESS_ID))));
    const sent = sends().filter((r) => r.form.To === customer);
    expect(sent).toHaveLength(1);
    // The clinic's answer, in the SMS-safe characters that keep it one segment type.
    expect(sent[0]!.form).toMatchObject({ From: OUR_NUMBER, Body: smartEncode(reply!.content) });
    expect((await message(reply!.id)).deliveryStatus).toBe("queued");
    // A second sweep finds nothing left: no second text.
    await sweep({ graceSeconds: 0 });
    expect(sends().filter((r) => r.form.To === customer)).toHaveLength(1);
  });

  it("sends a swept WhatsApp answer from the WhatsApp sender", async () => {
    const customer = phone();
    await inbound("whatsapp", customer, "What are your opening hours?");
    await sweep({ graceSeconds: 0 });
    const sent = sends().filter((r) => r.form.To === `whatsapp:${customer}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.From).toBe(`whatsapp:${OUR_WHATSAPP}`);
  });
});

describe("staff replies from the inbox", () => {
  it("goes out by SMS straight after the reply, and the outbox records it as sent", async () => {
    const customer = phone();
    const stored = await inbound("sms", customer, "Can someone call me back about my bill?");
    const { messageId } = await actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "reply", text: "Hi, this is Sam from the front desk. I'll call you at 3pm." } } }, { defer });
    await settle();
    const sent = sends().filter((r) => r.form.To === customer);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.Body).toBe("Hi, this is Sam from the front desk. I'll call you at 3pm.");
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId!)));
    expect(row).toMatchObject({ status: "sent", channelKind: "sms" });
    expect((await message(messageId!)).deliveryStatus).toBe("queued");
  });

  it("a reply that could not go out is retried by the outbox job", async () => {
    const customer = phone();
    const stored = await inbound("sms", customer, "Is parking free?");
    api.failNext(503, 2);
    const { messageId } = await actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "reply", text: "Yes, the car park behind us is free." } } }, { defer });
    await settle();
    const [waiting] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId!)));
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    // Its backoff has passed.
    await withService((tx) => tx.update(s.outbox).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(s.outbox.id, waiting!.id)));
    await JOBS.outbox.run();
    const [done] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, waiting!.id)));
    expect(done).toMatchObject({ status: "sent", attempts: 2 });
    expect(sends().filter((r) => r.form.To === customer && r.form.Body === "Yes, the car park behind us is free.").length).toBeGreaterThanOrEqual(1);
  });
});

describe("WhatsApp's 24-hour window in the reply box", () => {
  it("inside the window: free text, and the reply box says until when", async () => {
    const customer = phone();
    const stored = await inbound("whatsapp", customer, "Do you have a slot on Friday?");
    const view = await getConversation({ ctx, input: { id: stored.conversationId } });
    expect(view.reply.window?.open).toBe(true);
    expect(new Date(view.reply.window!.closesAt!).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(view.reply.templates).toEqual([TEMPLATE]);
    await actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "reply", text: "Yes, 10:30 on Friday is free." } } }, { defer });
    await settle();
    expect(sends().find((r) => r.form.To === `whatsapp:${customer}`)?.form.Body).toBe("Yes, 10:30 on Friday is free.");
  });

  it("outside it: free text is refused with the reason, and an approved template goes out", async () => {
    const customer = phone();
    const stored = await inbound("whatsapp", customer, "Thanks, see you then.");
    await withService((tx) => tx.execute(sql`update messages set created_at = now() - interval '25 hours' where conversation_id = ${stored.conversationId}`));
    const view = await getConversation({ ctx, input: { id: stored.conversationId } });
    expect(view.reply.window?.open).toBe(false);

    await expect(actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "reply", text: "Are you still coming?" } } }, { defer })).rejects.toMatchObject({ status: 422, message: OUTSIDE_WINDOW });
    await expect(actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "template", contentSid: "HX00000000000000000000000000000000" } } }, { defer })).rejects.toMatchObject({ status: 400 });
    const count = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from messages where conversation_id = ${stored.conversationId} and role = 'agent'`));
    expect(count[0]!.n).toBe(0);

    const { messageId } = await actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "template", contentSid: TEMPLATE.contentSid } } }, { defer });
    await settle();
    const sent = sends().filter((r) => r.form.To === `whatsapp:${customer}`);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.ContentSid).toBe(TEMPLATE.contentSid);
    expect((await message(messageId!)).content).toBe(TEMPLATE.body);
  });

  it("templates are only for WhatsApp", async () => {
    const stored = await inbound("sms", phone(), "Hello?");
    await expect(actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "template", contentSid: TEMPLATE.contentSid } } }, { defer })).rejects.toMatchObject({ status: 400 });
  });
});

describe("calls", () => {
  it("a call's conversation takes notes but not a typed reply, and says why", async () => {
    const stored = await inbound("voice", phone(), "I'd like to book a check-up.");
    const view = await getConversation({ ctx, input: { id: stored.conversationId } });
    expect(view.reply.unavailable).toBe(CALL_ENDED);
    await expect(actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "reply", text: "Sure!" } } }, { defer })).rejects.toMatchObject({ status: 422, message: CALL_ENDED });
    await expect(actOnConversation({ ctx, input: { id: stored.conversationId, action: { action: "note", text: "Prefers mornings." } } }, { defer })).resolves.toBeDefined();
    const outbox = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from outbox where channel_kind = 'voice'`));
    expect(outbox[0]!.n).toBe(0);
  });
});
