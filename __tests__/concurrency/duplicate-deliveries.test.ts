// The same message delivered three times at once, on every channel, through the real route handlers
// with correctly signed requests: one stored customer message, one answer, one delivery, and no
// empty conversation left behind by the deliveries that lost. On the postgres project the three
// requests run on separate pool connections, so this is where a missing lock or unique key shows.
jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);

import { and, eq, inArray, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_SLUG } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { readMessages, readVoice, type VoiceStep } from "@/lib/channels/twilio/twiml";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { connectTelegramChannel, telegramCredentials } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel, connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";
import { ChatEventParser, type ChatEvent } from "@/lib/chat/protocol";
import type { Channel } from "@/lib/channels/common/channels";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { POST as callPost } from "@/app/api/webhooks/twilio/voice/route";
import { POST as gatherPost } from "@/app/api/webhooks/twilio/voice/gather/route";
import { POST as resendPost } from "@/app/api/webhooks/resend/route";
import { POST as telegramPost } from "@/app/api/webhooks/telegram/[channel]/route";
import { POST as instagramPost } from "@/app/api/webhooks/meta/instagram/route";
import { POST as cloudPost } from "@/app/api/webhooks/meta/whatsapp/route";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { POST as chatPost } from "@/app/api/chat/[slug]/messages/route";
import { closeDb, useDemoBusiness, useTwilio } from "../helpers/demo";
import { useMeta, useResend, useTelegram } from "../helpers/providers";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../fixtures/twilio";
import { resendFixture, resendRequest, svixId } from "../fixtures/resend";
import { BOT, telegramFixture, telegramRequest, withUpdate } from "../fixtures/telegram";
import { ACCESS_TOKEN, IG_ACCOUNT, WA_DISPLAY, WA_PHONE_NUMBER_ID, instagramWith, metaFixture, metaRequest, whatsappWith } from "../fixtures/meta";

const QUESTION = "What are your opening hours?";
const SUPPORT = "support@riverside-dental.test";

let twilio: Awaited<ReturnType<typeof useTwilio>>;
let resend: Awaited<ReturnType<typeof useResend>>;
let meta: Awaited<ReturnType<typeof useMeta>>;
let telegram: Awaited<ReturnType<typeof useTelegram>>;
const channels: Record<string, { id: string }> = {};
let telegramChannel: Channel;
let n = 0;
const phone = () => `+44770090${String(++n).padStart(4, "0")}`;

const isGather = (step: VoiceStep): step is Extract<VoiceStep, { verb: "Gather" }> => step.verb === "Gather";

/** Fires the same delivery three times at once. */
const thrice = <T>(deliver: () => Promise<T>) => Promise.all([deliver(), deliver(), deliver()]);

/** What the deliveries left: the customer messages with this provider id, the answers to them, and their customers' conversations on the channel. */
async function outcome(channelId: string, providerMessageId: string) {
  return withService(async (tx) => {
    const customerMessages = await tx
      .select({ id: s.messages.id, conversationId: s.messages.conversationId, customerId: s.messages.customerId })
      .from(s.messages)
      .where(and(eq(s.messages.channelId, channelId), eq(s.messages.providerMessageId, providerMessageId), eq(s.messages.role, "customer")));
    if (!customerMessages.length) return { customerMessages, answers: [], conversations: [] };
    const answers = await tx
      .select({ id: s.messages.id, content: s.messages.content })
      .from(s.messages)
      .where(and(eq(s.messages.role, "assistant"), inArray(s.messages.replyToId, customerMessages.map((m) => m.id))));
    const conversations = await tx
      .select({ id: s.conversations.id, messages: sql<number>`(select count(*)::int from messages m where m.conversation_id = conversations.id)` })
      .from(s.conversations)
      .where(and(eq(s.conversations.channelId, channelId), inArray(s.conversations.customerId, customerMessages.map((m) => m.customerId))));
    return { customerMessages, answers, conversations };
  });
}

/** One message, one answer, in one conversation (the message's), and nothing empty beside it. */
async function expectOnce(channelId: string, providerMessageId: string) {
  const { customerMessages, answers, conversations } = await outcome(channelId, providerMessageId);
  expect(customerMessages).toHaveLength(1);
  expect(answers).toHaveLength(1);
  // the message and its answer in one conversation, and no other conversation opened for nothing
  expect(conversations.filter((c) => c.id === customerMessages[0]!.conversationId || c.messages === 0)).toEqual([{ id: customerMessages[0]!.conversationId, messages: 2 }]);
  return { message: customerMessages[0]!, answer: answers[0]! };
}

const emptyConversations = async () =>
  (
    await withService((tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from conversations c where not exists (select 1 from messages m where m.conversation_id = c.id)`),
    )
  )[0]!.n;

const CHAT_HEADERS = { "content-type": "application/json", "x-forwarded-for": "198.51.100.7" };
const chatParams = { params: Promise.resolve({ slug: DEMO_SLUG }) };

/** A web chat visitor's session token, as the chat page gets one. */
async function chatSession(): Promise<string> {
  const res = await sessionRoute(new Request(`${ORIGIN}/api/chat/${DEMO_SLUG}/session`, { method: "POST", headers: CHAT_HEADERS, body: "{}" }), chatParams);
  return ((await res.json()) as { token: string }).token;
}

/** The chat page sending a message with its own clientId; the streamed events. */
async function chatSend(token: string, clientId: string): Promise<ChatEvent[]> {
  const res = await chatPost(
    new Request(`${ORIGIN}/api/chat/${DEMO_SLUG}/messages`, {
      method: "POST",
      headers: { ...CHAT_HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: QUESTION, clientId }),
    }),
    chatParams,
  );
  expect(res.status).toBe(200);
  return new ChatEventParser().push(await res.text());
}

/** One stored message for the clientId, answered once; every request was told about that message and no other answer. */
async function expectOneChatAnswer(clientId: string, streams: ChatEvent[][]) {
  const [stored] = await withService((tx) => rows<{ provider_message_id: string }>(tx, sql`select provider_message_id from messages where provider_message_id like ${`%:${clientId}`}`));
  const { message, answer } = await expectOnce(channels.web!.id, stored!.provider_message_id);
  for (const events of streams) {
    expect(events[0]).toMatchObject({ type: "accepted", message: { id: message.id } });
    const done = events.find((e): e is Extract<ChatEvent, { type: "done" }> => e.type === "done")!;
    if (done.reply) expect(done.reply.id).toBe(answer.id);
  }
}

/** An email waiting in Resend's stand-in, and the email.received event announcing it. */
function inboxEmail(emailId: string, messageId: string, address: string) {
  const from = `Robin Ellis <${address}>`;
  resend.received.set(
    emailId,
    resendFixture("received-email", {
      id: emailId,
      to: [SUPPORT],
      from,
      subject: "Opening hours",
      text: QUESTION,
      html: null,
      message_id: messageId,
      headers: { "message-id": messageId, subject: "Opening hours", from, to: SUPPORT },
      attachments: [],
    }),
  );
  const event = resendFixture("email-received", { data: { email_id: emailId, from, to: [SUPPORT], received_for: [SUPPORT], message_id: messageId, subject: "Opening hours", attachments: [] } });
  return { event, from: address };
}

const telegramWaits: number[] = [];

beforeAll(async () => {
  twilio = await useTwilio();
  resend = await useResend();
  meta = await useMeta();
  telegram = await useTelegram(telegramWaits);
  telegram.bots.set(BOT.token, { id: BOT.id, username: BOT.username });
  meta.tokens.set(IG_ACCOUNT, { token: ACCESS_TOKEN, product: "instagram" });
  meta.tokens.set(WA_PHONE_NUMBER_ID, { token: ACCESS_TOKEN, product: "whatsapp" });
  const ctx = await useDemoBusiness();
  for (const [kind, address] of [["sms", OUR_NUMBER], ["whatsapp", OUR_WHATSAPP], ["voice", OUR_NUMBER]] as const) {
    channels[kind] = await connectTwilioChannel({ ctx, input: { kind, address, ...TEST_ACCOUNT } });
  }
  channels.email = await connectEmailChannel({ ctx, input: { address: SUPPORT } });
  telegramChannel = (await connectTelegramChannel({ ctx, input: { botToken: BOT.token } })).channel;
  channels.telegram = telegramChannel;
  channels.instagram = await connectInstagramChannel({ ctx, input: { accountId: IG_ACCOUNT, username: "@riversidedental", accessToken: ACCESS_TOKEN } });
  channels.cloud = await connectWhatsAppCloudChannel({
    ctx,
    input: { phoneNumberId: WA_PHONE_NUMBER_ID, displayPhoneNumber: WA_DISPLAY, businessAccountId: "102290129340398", accessToken: ACCESS_TOKEN },
  });
  const [web] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from channels where business_id = ${DEMO_BUSINESS_ID} and kind = 'web'`));
  channels.web = web!;
});
let emptyBefore = 0;
beforeEach(async () => {
  await backgroundIdle();
  for (const api of [twilio, resend, meta, telegram]) api.reset();
  emptyBefore = await emptyConversations();
});
afterEach(async () => {
  // nowhere in the business, not even on another customer or channel
  await backgroundIdle();
  expect(await emptyConversations()).toBe(emptyBefore);
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  for (const api of [twilio, resend, meta, telegram]) await api.stop();
});

describe("the same message delivered three times at once", () => {
  it("web chat (one clientId), a new visitor: one message, one answer, one conversation", async () => {
    const token = await chatSession();
    const clientId = "dup-client-0001";
    const streams = await thrice(() => chatSend(token, clientId));
    await expectOneChatAnswer(clientId, streams);
  });

  it("web chat (one clientId), a returning visitor whose last conversation was closed: still one new conversation", async () => {
    const token = await chatSession();
    await chatSend(token, "dup-client-0002");
    await withService((tx) => tx.update(s.conversations).set({ status: "closed", closedAt: new Date() }).where(eq(s.conversations.channelId, channels.web!.id)));
    const clientId = "dup-client-0003";
    const streams = await thrice(() => chatSend(token, clientId));
    await expectOneChatAnswer(clientId, streams);
  });

  it("Twilio SMS (one MessageSid): answered once in TwiML, nothing sent through the REST API", async () => {
    const fields = fixture("sms-inbound", { MessageSid: sid("SM", 9101), From: phone(), Body: QUESTION });
    const texts = await thrice(async () => (await smsPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/sms`, fields))).text());
    await backgroundIdle();
    const { answer } = await expectOnce(channels.sms!.id, fields.MessageSid!);
    const answered = texts.map(readMessages).filter((m) => m.length > 0);
    expect(answered).toHaveLength(1);
    expect(answered[0]![0]!.body).toMatch(/^We are open/);
    expect(answer.content).toMatch(/^We are open/);
    expect(twilio.requests).toHaveLength(0);
  });

  it("Twilio WhatsApp (one MessageSid): answered once in TwiML", async () => {
    const from = phone();
    const fields = fixture("whatsapp-inbound-text", { MessageSid: sid("SM", 9102), From: `whatsapp:${from}`, WaId: from.slice(1), Body: QUESTION });
    const texts = await thrice(async () => (await whatsappPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/whatsapp`, fields))).text());
    await backgroundIdle();
    await expectOnce(channels.whatsapp!.id, fields.MessageSid!);
    expect(texts.map(readMessages).filter((m) => m.length > 0)).toHaveLength(1);
    expect(twilio.requests).toHaveLength(0);
  });

  it("Twilio voice (one CallSid and turn): answered once, and every retry hears that answer", async () => {
    const from = phone();
    const call = { CallSid: sid("CA", 9103), From: from, Caller: from };
    const greeting = readVoice(await (await callPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/voice`, fixture("voice-incoming", call)))).text());
    const action = greeting.find(isGather)!.action;
    const fields = fixture("voice-gather", { ...call, SpeechResult: QUESTION, Confidence: "0.93" });
    const turns = await thrice(async () => readVoice(await (await gatherPost(twilioRequest(action, fields))).text()));
    await backgroundIdle();
    const { answer } = await expectOnce(channels.voice!.id, `${call.CallSid}:1`);
    for (const steps of turns) {
      const spoken = steps.find(isGather)!.prompts.map((p) => p.text).join(" ");
      expect(spoken).toBe(answer.content);
    }
  });

  it("email through Resend (one svix-id): one message, one reply email", async () => {
    const { event, from } = inboxEmail("56761188-7520-42d8-8898-ff6fc54ce618", "<CAKdup9104@mail.gmail.com>", "robin.ellis@example.com");
    const id = svixId();
    const statuses = await thrice(async () => (await resendPost(await resendRequest(`${ORIGIN}/api/webhooks/resend`, event, { id }))).status);
    expect(statuses).toEqual([200, 200, 200]);
    await backgroundIdle();
    await expectOnce(channels.email!.id, "<CAKdup9104@mail.gmail.com>");
    expect(resend.sent.filter((e) => (e.body.to as string[]).includes(from))).toHaveLength(1);
  });

  it("email through Resend (one Message-ID in three events): one message, one reply email", async () => {
    const { event, from } = inboxEmail("56761188-7520-42d8-8898-ff6fc54ce619", "<CAKdup9105@mail.gmail.com>", "kim.lee@example.com");
    const statuses = await thrice(async () => (await resendPost(await resendRequest(`${ORIGIN}/api/webhooks/resend`, event, { id: svixId() }))).status);
    expect(statuses).toEqual([200, 200, 200]);
    await backgroundIdle();
    await expectOnce(channels.email!.id, "<CAKdup9105@mail.gmail.com>");
    expect(resend.sent.filter((e) => (e.body.to as string[]).includes(from))).toHaveLength(1);
  });

  it("Telegram (one update_id): one message, one sendMessage", async () => {
    const seq = 483929105;
    const update = withUpdate(telegramFixture("update-text"), seq, { message_id: seq, text: QUESTION });
    const url = `${ORIGIN}/api/webhooks/telegram/${channels.telegram!.id}`;
    const secret = telegramCredentials(telegramChannel)!.webhookSecret;
    const statuses = await thrice(async () => (await telegramPost(telegramRequest(url, update, secret), { params: Promise.resolve({ channel: channels.telegram!.id }) })).status);
    expect(statuses).toEqual([200, 200, 200]);
    await backgroundIdle();
    const chat = ((update.message as { chat: { id: number } }).chat).id;
    await expectOnce(channels.telegram!.id, `${chat}:${seq}`);
    expect(telegram.sent.filter((m) => String(m.chat_id) === String(chat))).toHaveLength(1);
  });

  it("Instagram (one mid): one message, one Send API call", async () => {
    const mid = "aWdfZAG1faXRlbTpJR01lc3NhZAdup9106";
    const body = instagramWith(metaFixture("instagram-message"), { mid, text: QUESTION }, "1641189712649106");
    const statuses = await thrice(async () => (await instagramPost(metaRequest(`${ORIGIN}/api/webhooks/meta/instagram`, body))).status);
    expect(statuses).toEqual([200, 200, 200]);
    await backgroundIdle();
    await expectOnce(channels.instagram!.id, mid);
    expect(meta.requests.filter((r) => r.path.endsWith(`/${IG_ACCOUNT}/messages`))).toHaveLength(1);
  });

  it("WhatsApp Cloud API (one wamid): one message, one Cloud API send", async () => {
    const id = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzdup9107";
    const from = phone().slice(1);
    const body = whatsappWith(metaFixture("whatsapp-text"), { id, from, text: { body: QUESTION } }, { wa_id: from, name: "Sam Okafor" });
    const statuses = await thrice(async () => (await cloudPost(metaRequest(`${ORIGIN}/api/webhooks/meta/whatsapp`, body))).status);
    expect(statuses).toEqual([200, 200, 200]);
    await backgroundIdle();
    await expectOnce(channels.cloud!.id, id);
    expect(meta.requests.filter((r) => r.path.endsWith(`/${WA_PHONE_NUMBER_ID}/messages`))).toHaveLength(1);
  });
});
