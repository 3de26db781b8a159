// The satisfaction survey on SMS and WhatsApp (embedded mode: the dev outbox). Closing a conversation
// sends one "reply 1–5" question, once, never to a customer who texted STOP and never outside the
// 24-hour window; a bare digit back is recorded as the rating and not answered by the AI, while any
// other message is answered as usual. The first rating of a survey is thanked once on its channel.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { simulate, simulatorReplies } from "@/lib/channels/simulator";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { storeInbound } from "@/lib/pipeline/inbound";
import { exportAnalyticsCsv } from "@/lib/services/analytics";
import { CSAT_THANKS } from "@/lib/services/csat";
import { closeDb, demoOwner, useDemoBusiness } from "../../helpers/demo";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP } from "../../fixtures/twilio";

const QUESTION = "How did we do? Reply with a number from 1 (poor) to 5 (excellent).";

let ctx: MemberCtx;
let n = 0;
const phone = () => `+4477008${String(10000 + ++n).slice(-5)}`;

const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task());
const settle = async () => {
  while (tasks.length) await Promise.all(tasks.splice(0));
};

/** The simulator plays `from` writing on `kind`, through the real webhook route; returns the stored message. */
async function customerWrites(kind: "sms" | "whatsapp", from: string, text: string) {
  const route = kind === "sms" ? smsPost : whatsappPost;
  const r = await simulate({ ctx, input: { kind, from, text }, origin: ORIGIN, post: (url, init) => route(new Request(url, init)) });
  expect(r.status).toBe(200);
  await backgroundIdle();
  const [m] = await withService((tx) =>
    rows<{ id: string; conversation_id: string }>(
      tx,
      sql`select id, conversation_id from messages where business_id = ${DEMO_BUSINESS_ID} and role = 'customer' and content = ${text.trim()}
          order by created_at desc limit 1`,
    ),
  );
  return { id: m!.id, conversationId: m!.conversation_id };
}

async function close(conversationId: string) {
  await actOnConversation({ ctx, input: { id: conversationId, action: { action: "close" } } }, { defer });
  await settle();
}

const surveysOf = (conversationId: string) =>
  withService((tx) => tx.select().from(s.csatSurveys).where(eq(s.csatSurveys.conversationId, conversationId)));

const answersTo = (messageId: string) => withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, messageId)));

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

describe("the survey sent when a conversation is closed", () => {
  it("goes out once per conversation on SMS, through the dev outbox", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const { conversationId } = await customerWrites("sms", from, "Is the clinic open on Saturday?");
    await close(conversationId);

    const [survey, ...more] = await surveysOf(conversationId);
    expect(more).toEqual([]);
    expect(survey).toMatchObject({ businessId: DEMO_BUSINESS_ID, channelKind: "sms", rating: null, answeredAt: null });
    expect(survey!.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const sent = await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, from);
    expect(sent.filter((r) => r.body === QUESTION)).toHaveLength(1);

    // Handed back and closed again: still the one survey, and no second question.
    await actOnConversation({ ctx, input: { id: conversationId, action: { action: "hand_back" } } }, { defer });
    await close(conversationId);
    expect(await surveysOf(conversationId)).toHaveLength(1);
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, from)).filter((r) => r.body === QUESTION)).toHaveLength(1);
  });

  it("goes out on WhatsApp inside the service window", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const { conversationId } = await customerWrites("whatsapp", from, "Do you have parking?");
    await close(conversationId);
    expect(await surveysOf(conversationId)).toEqual([expect.objectContaining({ channelKind: "whatsapp" })]);
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "whatsapp", since, from)).map((r) => r.body)).toContain(QUESTION);
  });

  it("is not sent to a customer who opted out (STOP)", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const { conversationId } = await customerWrites("sms", from, "Please stop the reminders");
    await customerWrites("sms", from, "STOP");
    await close(conversationId);
    expect(await surveysOf(conversationId)).toEqual([]);
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, from)).map((r) => r.body)).not.toContain(QUESTION);
  });

  it.each(["sms", "whatsapp"] as const)("is not sent on %s once 24 hours passed since the customer last wrote", async (kind) => {
    const from = phone();
    const { id, conversationId } = await customerWrites(kind, from, `Any news about my crown? (${kind})`);
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    await withService((tx) => tx.update(s.messages).set({ createdAt: dayAgo }).where(eq(s.messages.id, id)));
    await close(conversationId);
    expect(await surveysOf(conversationId)).toEqual([]);
    const questions = await withService((tx) =>
      tx.select().from(s.messages).where(and(eq(s.messages.conversationId, conversationId), eq(s.messages.role, "system"))),
    );
    expect(questions).toEqual([]);
  });
});

describe("a reply to the survey", () => {
  it("that is a bare digit is recorded as the rating and not answered by the AI", async () => {
    const from = phone();
    const { conversationId } = await customerWrites("sms", from, "Can I bring my dog to the appointment?");
    await close(conversationId);
    const reply = await customerWrites("sms", from, " 4 ");

    const [survey] = await surveysOf(conversationId);
    expect(survey).toMatchObject({ rating: 4 });
    expect(survey!.answeredAt).toBeInstanceOf(Date);
    expect(reply.conversationId).toBe(conversationId);
    expect(await answersTo(reply.id)).toEqual([]);
    const [conversation] = await withService((tx) => tx.select().from(s.conversations).where(eq(s.conversations.id, conversationId)));
    expect(conversation!.status).toBe("closed");

    // The survey is answered: a later digit starts a conversation of its own and is answered.
    const later = await customerWrites("sms", from, "5");
    expect(later.conversationId).not.toBe(conversationId);
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 4 });
    expect(await answersTo(later.id)).toEqual([expect.objectContaining({ role: "assistant" })]);
  });

  it("on WhatsApp is recorded too", async () => {
    const from = phone();
    const { conversationId } = await customerWrites("whatsapp", from, "What are your opening hours?");
    await close(conversationId);
    const reply = await customerWrites("whatsapp", from, "2");
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 2 });
    expect(await answersTo(reply.id)).toEqual([]);
  });

  it.each(["sms", "whatsapp"] as const)("on %s is thanked once, on the same channel, and the thank-you is no AI answer", async (kind) => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const { conversationId } = await customerWrites(kind, from, `Do you take card payments? (${kind})`);
    await close(conversationId);
    const owner = await demoOwner();
    const csvRow = async () => {
      const { csv } = await exportAnalyticsCsv({ ctx: owner, input: { period: "7d" } });
      return csv.split("\r\n").find((l) => l.startsWith(conversationId))!.split(",");
    };
    const before = await csvRow();

    const rating = await customerWrites(kind, from, "5");
    await backgroundIdle();
    const sent = (await simulatorReplies(DEMO_BUSINESS_ID, kind, since, from)).map((r) => r.body);
    expect(sent).toEqual([QUESTION, CSAT_THANKS]);
    const thanks = await withService((tx) =>
      tx.select().from(s.messages).where(and(eq(s.messages.conversationId, conversationId), eq(s.messages.content, CSAT_THANKS))),
    );
    expect(thanks).toEqual([expect.objectContaining({ role: "system", source: null, deliveryStatus: "outbox" })]);
    expect(await answersTo(rating.id)).toEqual([]);
    // Analytics: the same first AI response, resolution and hand-off; only the rating is new
    const after = await csvRow();
    expect(after.slice(0, 11)).toEqual(before.slice(0, 11));
    expect(after[13]).toBe("5");
    // the rating received and the thank-you sent are priced like any message on the channel
    expect(Number(after[11])).toBeGreaterThan(Number(before[11]));

    // A repeated digit is not a second rating: it is a new conversation, answered as usual, and no second thank-you.
    const again = await customerWrites(kind, from, "4");
    await backgroundIdle();
    expect(again.conversationId).not.toBe(conversationId);
    expect((await simulatorReplies(DEMO_BUSINESS_ID, kind, since, from)).filter((r) => r.body === CSAT_THANKS)).toHaveLength(1);
  });

  it("a duplicate delivery of the rating (the provider retrying the webhook) is not thanked twice", async () => {
    const from = phone();
    const since = new Date(Date.now() - 1000);
    const { conversationId } = await customerWrites("sms", from, "Is there a lift in the building, please?");
    await close(conversationId);
    const [channel] = await withService((tx) => tx.select().from(s.channels).where(and(eq(s.channels.businessId, DEMO_BUSINESS_ID), eq(s.channels.kind, "sms"))));
    const delivery = { businessId: DEMO_BUSINESS_ID, channelId: channel!.id, channelKind: "sms" as const, from: { kind: "phone" as const, value: from }, text: "3", providerMessageId: `SM-dup-${from}` };
    const [first, second] = [await storeInbound(delivery, { defer }), await storeInbound(delivery, { defer })];
    await settle();
    expect(first).toMatchObject({ duplicate: false, thanksId: expect.any(String) });
    expect(second).toMatchObject({ duplicate: true, thanksId: null });
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: 3 });
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "sms", since, from)).filter((r) => r.body === CSAT_THANKS)).toHaveLength(1);
  });

  it("that is not a bare digit is answered as usual, and the survey stays open", async () => {
    const from = phone();
    const { conversationId } = await customerWrites("sms", from, "Do you treat children?");
    await close(conversationId);
    const reply = await customerWrites("sms", from, "5 stars but when do you open tomorrow?");
    expect(reply.conversationId).not.toBe(conversationId);
    expect(await answersTo(reply.id)).toEqual([expect.objectContaining({ role: "assistant" })]);
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: null, answeredAt: null });
  });

  it("sent more than 7 days after the survey is answered as usual", async () => {
    const from = phone();
    const { conversationId } = await customerWrites("sms", from, "Is there a lift in the building?");
    await close(conversationId);
    await withService((tx) =>
      tx.update(s.csatSurveys).set({ sentAt: new Date(Date.now() - 8 * 24 * 3600 * 1000) }).where(eq(s.csatSurveys.conversationId, conversationId)),
    );
    const reply = await customerWrites("sms", from, "3");
    expect(reply.conversationId).not.toBe(conversationId);
    expect((await surveysOf(conversationId))[0]).toMatchObject({ rating: null });
    expect(await answersTo(reply.id)).toEqual([expect.objectContaining({ role: "assistant" })]);
  });
});
