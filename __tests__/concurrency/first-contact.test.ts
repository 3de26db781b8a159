// One person's messages arriving at the same instant through the real Twilio routes, signed: the
// first messages of a new number on SMS, WhatsApp and a call make one customer with one phone
// identity and one conversation per channel; several texts at once from a customer with no open
// conversation land in one conversation, not one each. On the postgres project the requests run on
// separate pool connections.
import { and, asc, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { readMessages, readVoice, type VoiceStep } from "@/lib/channels/twilio/twiml";
import { identityHash } from "@/lib/pipeline/identities";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { POST as callPost } from "@/app/api/webhooks/twilio/voice/route";
import { POST as gatherPost } from "@/app/api/webhooks/twilio/voice/gather/route";
import { closeDb, useDemoBusiness, useTwilio } from "../helpers/demo";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../fixtures/twilio";

let twilio: Awaited<ReturnType<typeof useTwilio>>;
const channelIds: Record<string, string> = {};
let n = 9300;

const sms = async (from: string, body: string) => {
  const fields = fixture("sms-inbound", { MessageSid: sid("SM", ++n), From: from, Body: body });
  return { sid: fields.MessageSid!, twiml: await (await smsPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/sms`, fields))).text() };
};
const whatsapp = async (from: string, body: string) => {
  const fields = fixture("whatsapp-inbound-text", { MessageSid: sid("SM", ++n), From: `whatsapp:${from}`, WaId: from.slice(1), Body: body });
  return { sid: fields.MessageSid!, twiml: await (await whatsappPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/whatsapp`, fields))).text() };
};
/** A call is answered with a greeting; the returned function says something on its first turn. */
async function call(from: string) {
  const base = { CallSid: sid("CA", ++n), From: from, Caller: from };
  const greeting = readVoice(await (await callPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/voice`, fixture("voice-incoming", base)))).text());
  const action = greeting.find((x): x is Extract<VoiceStep, { verb: "Gather" }> => x.verb === "Gather")!.action;
  return async (speech: string) => readVoice(await (await gatherPost(twilioRequest(action, fixture("voice-gather", { ...base, SpeechResult: speech, Confidence: "0.9" })))).text());
}

/** Everyone holding this phone number, with their conversations and what is in them. */
async function whoHas(phone: string) {
  const customers = await withService((tx) =>
    rows<{ customer_id: string }>(
      tx,
      sql`select customer_id from customer_identities where business_id = ${DEMO_BUSINESS_ID} and kind = 'phone' and value_hash = ${identityHash({ kind: "phone", value: phone })}`,
    ),
  );
  const conversations = customers.length
    ? await withService((tx) =>
        tx
          .select({
            channel: s.channels.kind,
            id: s.conversations.id,
            customer: sql<number>`(select count(*)::int from messages m where m.conversation_id = conversations.id and m.role = 'customer')`,
            assistant: sql<number>`(select count(*)::int from messages m where m.conversation_id = conversations.id and m.role = 'assistant')`,
          })
          .from(s.conversations)
          .innerJoin(s.channels, eq(s.channels.id, s.conversations.channelId))
          .where(and(eq(s.conversations.businessId, DEMO_BUSINESS_ID), eq(s.conversations.customerId, customers[0]!.customer_id)))
          .orderBy(asc(sql`${s.channels.kind}::text`)),
      )
    : [];
  return { customers: customers.map((c) => c.customer_id), conversations };
}

beforeAll(async () => {
  twilio = await useTwilio();
  const ctx = await useDemoBusiness();
  for (const [kind, address] of [["sms", OUR_NUMBER], ["whatsapp", OUR_WHATSAPP], ["voice", OUR_NUMBER]] as const) {
    channelIds[kind] = (await connectTwilioChannel({ ctx, input: { kind, address, ...TEST_ACCOUNT } })).id;
  }
});
afterEach(() => backgroundIdle());
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  await twilio.stop();
});

it("a new number's first SMS, WhatsApp message and call at once: one customer, one phone identity, a conversation per channel", async () => {
  const phone = "+447700909301";
  const say = await call(phone); // the greeting stores nothing: the first words do
  const [text, chat, spoken] = await Promise.all([
    sms(phone, "What are your opening hours?"),
    whatsapp(phone, "Do you treat children?"),
    say("How much is a scale and polish?"),
  ]);
  await backgroundIdle();
  const { customers, conversations } = await whoHas(phone);
  expect(customers).toHaveLength(1);
  const identities = await withService((tx) => tx.select({ kind: s.customerIdentities.kind }).from(s.customerIdentities).where(eq(s.customerIdentities.customerId, customers[0]!)));
  expect(identities).toEqual([{ kind: "phone" }]);
  expect(conversations.map(({ channel, customer, assistant }) => ({ channel, customer, assistant }))).toEqual([
    { channel: "sms", customer: 1, assistant: 1 },
    { channel: "voice", customer: 1, assistant: 1 },
    { channel: "whatsapp", customer: 1, assistant: 1 },
  ]);
  // and each got its answer where it asked
  expect(readMessages(text.twiml)[0]!.body).toMatch(/^We are open/);
  expect(readMessages(chat.twiml)[0]!.body).toMatch(/child/i);
  expect(JSON.stringify(spoken)).toMatch(/£65/);
});

it("three texts at once from a new number: one customer and one conversation holding all three", async () => {
  const phone = "+447700909302";
  const sent = await Promise.all(["Hi, it's Priya.", "Do you treat children?", "What are your opening hours?"].map((t) => sms(phone, t)));
  await backgroundIdle();
  const { customers, conversations } = await whoHas(phone);
  expect(customers).toHaveLength(1);
  expect(conversations).toEqual([expect.objectContaining({ channel: "sms", customer: 3 })]);
  const stored = await withService((tx) => tx.select({ conversationId: s.messages.conversationId }).from(s.messages).where(sql`${s.messages.providerMessageId} in (${sql.join(sent.map((m) => sql`${m.sid}`), sql`, `)})`));
  expect(new Set(stored.map((m) => m.conversationId))).toEqual(new Set([conversations[0]!.id]));
});

it("three texts at once from a known customer whose last conversation was closed: one new conversation holding all three", async () => {
  const phone = "+447700909303";
  await sms(phone, "What are your opening hours?");
  await backgroundIdle();
  const before = await whoHas(phone);
  await withService((tx) => tx.update(s.conversations).set({ status: "closed", closedAt: new Date() }).where(eq(s.conversations.id, before.conversations[0]!.id)));

  await Promise.all(["Hello again.", "Do you treat children?", "How much is a scale and polish?"].map((t) => sms(phone, t)));
  await backgroundIdle();
  const { customers, conversations } = await whoHas(phone);
  expect(customers).toEqual(before.customers);
  expect(conversations.filter((c) => c.id !== before.conversations[0]!.id)).toEqual([expect.objectContaining({ channel: "sms", customer: 3 })]);
});
