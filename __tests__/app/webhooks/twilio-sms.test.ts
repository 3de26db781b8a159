// POST /api/webhooks/twilio/sms and /status, called as Twilio calls them: Twilio's documented payloads
// signed with twilio.getExpectedTwilioSignature. Production mode (TWILIO_* set) against the local
// REST stand-in and the Gemini stand-in (so a model can be slower than Twilio waits), on the demo clinic.
import { and, eq, inArray, sql } from "drizzle-orm";
import { resetEnvForTests } from "@/lib/env";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle, setReplyDeadlineForTests } from "@/lib/channels/twilio/background";
import { deliverStoredMessage, sendTestMessage, sendToConversation } from "@/lib/channels/common/outbound";
import { handleInbound } from "@/lib/pipeline/inbound";
import { countSegments, smartEncode } from "@/lib/channels/twilio/segments";
import { readMessages } from "@/lib/channels/twilio/twiml";
import { canMessage, setConsent } from "@/lib/channels/sms/consent";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import type { MemberCtx } from "@/lib/services/context";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as statusPost } from "@/app/api/webhooks/twilio/status/route";
import { closeDb, useDemoBusiness, useGemini, useTwilio } from "../../helpers/demo";
import { CUSTOMER, ORIGIN, OUR_NUMBER, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../../fixtures/twilio";

const SMS_URL = `${ORIGIN}/api/webhooks/twilio/sms`;
const STATUS_URL = `${ORIGIN}/api/webhooks/twilio/status`;
let twilioApi: Awaited<ReturnType<typeof useTwilio>>;
let gemini: Awaited<ReturnType<typeof useGemini>>;
const slowModel = (text: string) => gemini.script("*", { kind: "json", value: { reply: text, handoff: false }, delayMs: 1200 });
let ctx: MemberCtx;
let channelId: string;
let n = 100;
const nextSid = () => sid("SM", ++n);
/** A fresh customer number per test, so consent and limits never leak between tests. */
const customer = () => `+1415555${String(++n).padStart(4, "0")}`;

const count = async (table: string, where = sql`true`) =>
  (await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`)))[0]!.n;

async function send(fields: Record<string, string>) {
  const res = await smsPost(twilioRequest(SMS_URL, fields));
  return { res, text: await res.text() };
}

beforeAll(async () => {
  twilioApi = await useTwilio();
  gemini = await useGemini();
  ctx = await useDemoBusiness(); // customers text faster than the default 2 s interval in these tests
  const channel = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, ...TEST_ACCOUNT } });
  channelId = channel.id;
});
beforeEach(() => {
  twilioApi.reset();
  gemini.reset();
});
afterEach(() => setReplyDeadlineForTests(undefined));
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  await twilioApi.stop();
  await gemini.stop();
});

describe("inbound SMS", () => {
  it("answers a signed message with TwiML inside the request, stored once with its cost", async () => {
    const { res, text } = await send(fixture("sms-inbound"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/xml/);
    const [reply] = readMessages(text);
    expect(reply!.body).toMatch(/^We are open Monday to Wednesday 8:30-18:00/); // the FAQ, en dashes smart-encoded to GSM-7
    expect(reply!.action).toMatch(new RegExp(`^${STATUS_URL}\\?m=[0-9a-f-]{36}$`));
    await backgroundIdle(); // the reply's cost and delivery record are written after the response

    const stored = await withService((tx) =>
      tx.select().from(s.messages).where(and(eq(s.messages.channelId, channelId), eq(s.messages.providerMessageId, "SM1f0e8ae6ade43cb3c0ce4525424e404f"))),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ role: "customer", content: "What are your opening hours?" });
    const [answer] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, stored[0]!.id)));
    expect(answer).toMatchObject({ role: "assistant", source: "faq", deliveryStatus: "queued" });
    const segments = countSegments(smartEncode(answer!.content));
    expect(segments).toMatchObject({ encoding: "GSM-7", segments: 1 });
    expect(answer!.metadata).toMatchObject({ delivery: { transport: "twiml", parts: 1, segments: 1, encoding: "GSM-7" } });

    const costs = await withService((tx) => rows<{ kind: string; units: number; cost_usd: number }>(tx, sql`select kind, units, cost_usd::float8 as cost_usd from cost_events where message_id = ${answer!.id}`));
    expect(costs).toEqual([{ kind: "sms", units: 1, cost_usd: 0.0083 }]);
    // The event is kept, but sealed: no phone number in clear anywhere in it.
    const [event] = await withService((tx) => rows<{ status: string; payload: unknown }>(tx, sql`select status, payload from webhook_events where event_id = 'SM1f0e8ae6ade43cb3c0ce4525424e404f'`));
    expect(event!.status).toBe("processed");
    expect(JSON.stringify(event!.payload)).not.toContain("4155552671");
    expect(twilioApi.requests).toHaveLength(0); // TwiML, not REST
  });

  it("a retry of the same MessageSid is acknowledged and never answered twice", async () => {
    const before = await count("messages", sql`channel_id = ${channelId}`);
    const again = await send(fixture("sms-inbound"));
    expect(again.res.status).toBe(200);
    expect(readMessages(again.text)).toEqual([]);
    // Twilio retrying several times at once changes nothing either.
    const burst = await Promise.all([1, 2, 3].map(() => send(fixture("sms-inbound"))));
    expect(burst.every((b) => b.res.status === 200 && readMessages(b.text).length === 0)).toBe(true);
    expect(await count("messages", sql`channel_id = ${channelId}`)).toBe(before);
    expect(await count("webhook_events", sql`event_id = 'SM1f0e8ae6ade43cb3c0ce4525424e404f'`)).toBe(1);
  });

  it("keeps an MMS picture as a link, with the caption as the text", async () => {
    const { res } = await send(fixture("sms-inbound-mms", { From: customer() }));
    expect(res.status).toBe(200);
    const [m] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, "MM8dd1e2cb1b2d4a2e3a7b4f9c0d6e5f41")));
    expect(m!.content).toBe("Is this tooth chipped?");
    expect(m!.attachments).toEqual([
      {
        url: "https://api.twilio.com/2010-04-01/Accounts/ACd3f2d8e3b6a04fd1b3c0a8e7d1f0c9ab/Messages/MM8dd1e2cb1b2d4a2e3a7b4f9c0d6e5f41/Media/ME4a1c7b2e9f0d3c6a8b5e2f1d4c7a9b30",
        contentType: "image/jpeg",
        caption: "Is this tooth chipped?",
      },
    ]);
  });

  it("a NUL character in the body is dropped and the message kept: 200, never a 500 Twilio would retry", async () => {
    const MessageSid = nextSid();
    const { res } = await send(fixture("sms-inbound", { MessageSid, From: customer(), Body: "Do you open\u0000 on Saturday?\u0000" }));
    expect(res.status).toBe(200);
    const [m] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, MessageSid)));
    expect(m!.content).toBe("Do you open on Saturday?");
  });
});

describe("signatures", () => {
  const snapshot = async () => [await count("webhook_events"), await count("messages"), await count("customers")];

  it("refuses a bad, tampered, missing or misdirected signature with 403, storing nothing", async () => {
    const before = await snapshot();
    const fields = fixture("sms-inbound", { MessageSid: nextSid(), Body: "hello" });
    const wrongToken = await smsPost(twilioRequest(SMS_URL, fields, { authToken: "0".repeat(32) }));
    const missing = await smsPost(twilioRequest(SMS_URL, fields, { signature: null }));
    const otherUrl = await smsPost(twilioRequest(SMS_URL, fields, { signUrl: `${ORIGIN}/api/webhooks/twilio/whatsapp` }));
    // Signed, then the body changed on the way.
    const signed = twilioRequest(SMS_URL, fields);
    const tampered = await smsPost(
      new Request(SMS_URL, { method: "POST", headers: signed.headers, body: new URLSearchParams({ ...fields, Body: "hello, send me everything" }).toString() }),
    );
    for (const res of [wrongToken, missing, otherUrl, tampered]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "forbidden" } });
    }
    // A number nobody connected cannot be verified in embedded credentials either: 403.
    const unknown = await smsPost(twilioRequest(SMS_URL, { ...fields, To: "+15005550006" }, { authToken: "f".repeat(32) }));
    expect(unknown.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });

  it("verifies on the public URL rebuilt from x-forwarded-proto and x-forwarded-host", async () => {
    const fields = fixture("sms-inbound", { MessageSid: nextSid(), From: customer(), Body: "Where is the clinic?" });
    const internal = "http://127.0.0.1:3000/api/webhooks/twilio/sms";
    const publicUrl = "https://prism.example.com/api/webhooks/twilio/sms";
    const proxied = await smsPost(
      twilioRequest(internal, fields, { signUrl: publicUrl, headers: { "x-forwarded-proto": "https", "x-forwarded-host": "prism.example.com" } }),
    );
    expect(proxied.status).toBe(200);
    expect(readMessages(await proxied.text())[0]!.body).toMatch(/Riverside Walk/);
    const direct = await smsPost(twilioRequest(internal, { ...fields, MessageSid: nextSid() }, { signUrl: publicUrl }));
    expect(direct.status).toBe(403);
  });

  it("answers a malformed body with 400 and a message a person can act on, storing nothing", async () => {
    const before = await snapshot();
    const noSid = await smsPost(twilioRequest(SMS_URL, fixture("sms-inbound", { MessageSid: undefined })));
    expect(noSid.status).toBe(400);
    expect(await noSid.json()).toEqual({ error: { code: "bad_request", message: "MessageSid: MessageSid is required" } });
    const badFrom = await smsPost(twilioRequest(SMS_URL, fixture("sms-inbound", { MessageSid: nextSid(), From: "not-a-number" })));
    expect(badFrom.status).toBe(400);
    expect((await badFrom.json()).error.message).toBe("From: From is not a phone number");
    const tooLong = await smsPost(twilioRequest(SMS_URL, fixture("sms-inbound", { MessageSid: nextSid(), Body: "x".repeat(1601) })));
    expect(tooLong.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a body over 64 KiB with 413 without buffering it, even one that never ends", async () => {
    const chunk = new Uint8Array(16 * 1024).fill(0x61);
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(chunk);
      },
    });
    const req = new Request(SMS_URL, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: endless, duplex: "half" } as RequestInit);
    const res = await smsPost(req);
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toBe("The body is larger than 65536 bytes.");
    expect(pulled).toBeLessThan(10);
  }, 10_000);
});

describe("STOP, START and HELP", () => {
  it("STOP confirms and opts out: no answers, no campaign, nothing at all until START", async () => {
    const from = customer();
    const stop = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: "Stop." }));
    expect(readMessages(stop.text)[0]!.body).toBe("Riverside Dental Clinic: you're unsubscribed and won't get more messages from us. Reply START to resubscribe.");
    const { customerId, conversationId } = (
      await withService((tx) => rows<{ customerId: string; conversationId: string }>(tx, sql`select customer_id as "customerId", conversation_id as "conversationId" from messages where content = 'Stop.' and channel_id = ${channelId}`))
    )[0]!;
    const [row] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, customerId)));
    expect(row!.consent).toMatchObject({ sms: { optedOut: true, source: "keyword" } });
    expect(canMessage(row!, "sms")).toBe(false);
    expect(canMessage(row!, "whatsapp")).toBe(true);

    // They write again: stored for the team, never answered.
    const later = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: "What are your opening hours?" }));
    expect(readMessages(later.text)).toEqual([]);
    const outcome = await withService((tx) => rows<{ outcome: string }>(tx, sql`select metadata->>'outcome' as outcome from messages where customer_id = ${customerId} and content = 'What are your opening hours?'`));
    expect(outcome).toEqual([{ outcome: "no_reply:opted_out" }]);

    // A campaign or a staff message is refused before reaching Twilio.
    const campaign = await sendToConversation({ businessId: DEMO_BUSINESS_ID, conversationId, text: "20% off whitening this week!", purpose: "campaign" });
    expect(campaign).toMatchObject({ status: "skipped", reason: "opted_out" });
    expect(await sendTestMessage({ ctx, input: { kind: "sms", to: from } })).toMatchObject({ status: "skipped", reason: "opted_out" });
    expect(twilioApi.requests).toHaveLength(0);

    // "yes" only resubscribes someone who opted out; START always does.
    const yes = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: "YES" }));
    expect(readMessages(yes.text)[0]!.body).toMatch(/you're subscribed again/);
    const [after] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, customerId)));
    expect(canMessage(after!, "sms")).toBe(true);
    const answered = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: "What are your opening hours?" }));
    expect(readMessages(answered.text)[0]!.body).toMatch(/Monday to Wednesday/);
  });

  it("recognises the usual synonyms, whole-message only, and answers HELP", async () => {
    for (const word of ["UNSUBSCRIBE", "cancel", "End", "quit!", "stopall", "OPTOUT", "revoke"]) {
      const from = customer();
      const r = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: word }));
      expect(readMessages(r.text)[0]!.body).toMatch(/unsubscribed/);
    }
    const sentence = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: customer(), Body: "Please stop by and tell me your opening hours" }));
    expect(readMessages(sentence.text)[0]?.body ?? "").not.toMatch(/unsubscribed/);
    const help = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: customer(), Body: "help" }));
    expect(readMessages(help.text)[0]!.body).toMatch(/^Riverside Dental Clinic: .*Reply STOP to unsubscribe/);
    // A plain "yes" from someone subscribed is a normal message, not a keyword.
    const yes = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: customer(), Body: "yes" }));
    expect(readMessages(yes.text)[0]?.body ?? "").not.toMatch(/subscribed again/);
  });

  it("STOP in the customer's language opts out too, and the consent ledger keeps the words", async () => {
    for (const word of ["BAJA", "Arrêt", "Abmelden", "basta", "descadastrar", "afmelden", "rezygnuję"]) {
      const from = customer();
      const r = await send(fixture("sms-inbound", { MessageSid: nextSid(), From: from, Body: word }));
      expect(readMessages(r.text)[0]!.body).toMatch(/unsubscribed/);
      const [entry] = await withService((tx) =>
        rows<{ granted: boolean; source: string; wording: string; channel_kind: string }>(
          tx,
          sql`select e.granted, e.source, e.wording, e.channel_kind from consent_events e join messages m on m.customer_id = e.customer_id where m.content = ${word} and m.channel_id = ${channelId}`,
        ),
      );
      expect(entry).toEqual({ granted: false, source: "keyword", wording: word, channel_kind: "sms" });
    }
  });
});

describe("slower than Twilio waits", () => {
  it("acknowledges with empty TwiML, then sends the answer through the REST API", async () => {
    setReplyDeadlineForTests(150);
    slowModel("A crown costs from £450; we'll confirm after a check-up.");
    const from = customer();
    const messageSid = nextSid();
    const { res, text } = await send(fixture("sms-inbound", { MessageSid: messageSid, From: from, Body: "How much would a crown cost for a molar?" }));
    expect(res.status).toBe(200);
    expect(readMessages(text)).toEqual([]);
    // Acknowledged while the model was still answering: no answer stored yet, nothing sent yet.
    const answered = () =>
      withService((tx) => rows(tx, sql`select r.id from messages r join messages q on r.reply_to_id = q.id where q.provider_message_id = ${messageSid}`));
    expect(await answered()).toEqual([]);
    expect(twilioApi.requests).toHaveLength(0);
    await backgroundIdle();
    expect(await answered()).toHaveLength(1);

    expect(twilioApi.requests).toHaveLength(1);
    const [request] = twilioApi.requests;
    const [reply] = await withService((tx) =>
      rows<{ id: string; content: string; provider_message_id: string; delivery_status: string }>(
        tx,
        sql`select r.id, r.content, r.provider_message_id, r.delivery_status from messages r join messages q on r.reply_to_id = q.id where q.provider_message_id = ${messageSid}`,
      ),
    );
    expect(request).toMatchObject({
      method: "POST",
      path: `/2010-04-01/Accounts/${TEST_ACCOUNT.accountSid}/Messages.json`,
      auth: { username: TEST_ACCOUNT.accountSid, password: TEST_ACCOUNT.authToken },
      form: { To: from, From: OUR_NUMBER, Body: smartEncode(reply!.content), StatusCallback: `${STATUS_URL}?m=${reply!.id}` },
    });
    expect(request!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(reply!.provider_message_id).toMatch(/^SM[0-9a-f]{32}$/);
    expect(reply!.delivery_status).toBe("queued");
    const [event] = await withService((tx) => rows<{ status: string; result: { via: string } }>(tx, sql`select status, result from webhook_events where event_id = ${messageSid}`));
    expect(event).toMatchObject({ status: "processed", result: { via: "twilio" } });
  });

  it("in embedded mode the late answer lands in the dev outbox instead", async () => {
    for (const k of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]) delete process.env[k];
    resetEnvForTests();
    try {
      setReplyDeadlineForTests(150);
      slowModel("We're at 14 Riverside Walk, Kingston.");
      const messageSid = nextSid();
      await send(fixture("sms-inbound", { MessageSid: messageSid, From: customer(), Body: "Is there parking near you for a wheelchair?" }));
      await backgroundIdle();
      expect(twilioApi.requests).toHaveLength(0);
      const [row] = await withService((tx) =>
        rows<{ recipient: string; body: string; status: string; delivery_status: string }>(
          tx,
          sql`select o.recipient, o.body, o.status, r.delivery_status from outbox o join messages r on r.id = o.message_id join messages q on r.reply_to_id = q.id where q.provider_message_id = ${messageSid}`,
        ),
      );
      expect(row).toMatchObject({ status: "sent", delivery_status: "outbox" });
      expect(row!.body).toMatch(/Riverside Walk/);
      expect(row!.recipient).toMatch(/^\+14•+\d{4}$/); // masked: the number is sealed in the payload
    } finally {
      process.env.TWILIO_ACCOUNT_SID = TEST_ACCOUNT.accountSid;
      process.env.TWILIO_AUTH_TOKEN = TEST_ACCOUNT.authToken;
      resetEnvForTests();
    }
  });
});

describe("answers made outside a webhook", () => {
  it("an answer the sweeper stored is delivered to the customer's number from their sealed identity", async () => {
    const from = customer();
    const r = await handleInbound(
      { businessId: DEMO_BUSINESS_ID, channelId, channelKind: "sms", from: { kind: "phone", value: from }, text: "Where is the clinic?", providerMessageId: nextSid() },
      { style: "sms", defer: () => {} },
    );
    expect(r.reply).not.toBeNull();
    const sent = await deliverStoredMessage({ businessId: DEMO_BUSINESS_ID, messageId: r.reply!.id, purpose: "reply" });
    expect(sent).toMatchObject({ transport: "twilio", status: "queued" });
    expect(twilioApi.requests[0]!.form).toMatchObject({ To: from, From: OUR_NUMBER, StatusCallback: `${STATUS_URL}?m=${r.reply!.id}` });
    const [stored] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, r.reply!.id)));
    expect(stored!.providerMessageId).toBe(sent.providerIds[0]);
    // Another business's message id finds nothing.
    await expect(
      deliverStoredMessage({ businessId: "00000000-0000-4000-8000-000000000000", messageId: r.reply!.id, purpose: "reply" }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("staff replies queued in the outbox", () => {
  it("are delivered through Twilio by the outbox sender, once, and an opted-out customer's is refused", async () => {
    const queue = async (from: string, body: string) => {
      const r = await handleInbound(
        { businessId: DEMO_BUSINESS_ID, channelId, channelKind: "sms", from: { kind: "phone", value: from }, text: "Can someone call me?", providerMessageId: nextSid() },
        { style: "sms", defer: () => {} },
      );
      return withService(async (tx) => {
        const [m] = await tx
          .insert(s.messages)
          .values({ businessId: DEMO_BUSINESS_ID, conversationId: r.conversationId, customerId: r.customerId, channelId, role: "agent", content: body, deliveryStatus: "queued" })
          .returning();
        // As the inbox queues a reply (lib/services/conversations).
        const [row] = await tx
          .insert(s.outbox)
          .values({ businessId: DEMO_BUSINESS_ID, channelKind: "sms", recipient: "+1••••••0000", body, messageId: m!.id, payload: { kind: "staff_reply", conversationId: r.conversationId, channelId } })
          .returning();
        return { message: m!, outboxId: row!.id, customerId: r.customerId };
      });
    };
    const ok = await queue(customer(), "Hi, this is Dana from the clinic. I'll call you at 3pm.");
    const optedOut = await queue(customer(), "Following up on your question.");
    await withService((tx) => setConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: optedOut.customerId, kind: "sms", optedOut: true, source: "keyword" }));

    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 1, retrying: 0 });
    expect(twilioApi.requests).toHaveLength(1);
    expect(twilioApi.requests[0]!.form).toMatchObject({ Body: "Hi, this is Dana from the clinic. I'll call you at 3pm.", From: OUR_NUMBER });
    const rows = await withService((tx) => tx.select().from(s.outbox).where(inArray(s.outbox.id, [ok.outboxId, optedOut.outboxId])));
    expect(rows.find((r) => r.id === ok.outboxId)).toMatchObject({ status: "sent", providerMessageId: expect.stringMatching(/^SM/), attempts: 1 });
    expect(rows.find((r) => r.id === optedOut.outboxId)).toMatchObject({ status: "failed", error: "The customer opted out of this channel (STOP)." });
    // A second drain finds nothing left to send.
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(twilioApi.requests).toHaveLength(1);
  });
});

describe("status callbacks", () => {
  it("move the stored message forward, never back, and remember a carrier STOP", async () => {
    setReplyDeadlineForTests(150);
    slowModel("Yes, we see children from age one.");
    const from = customer();
    const messageSid = nextSid();
    await send(fixture("sms-inbound", { MessageSid: messageSid, From: from, Body: "Can my toddler see a dentist?" }));
    await backgroundIdle();
    const [reply] = await withService((tx) =>
      rows<{ id: string; sid: string; customer_id: string }>(
        tx,
        sql`select r.id, r.provider_message_id as sid, r.customer_id from messages r join messages q on r.reply_to_id = q.id where q.provider_message_id = ${messageSid}`,
      ),
    );
    const callback = (status: string, extra: Record<string, string | undefined> = {}) =>
      statusPost(
        twilioRequest(
          `${STATUS_URL}?m=${reply!.id}`,
          fixture("message-status-delivered", { MessageSid: reply!.sid, SmsSid: reply!.sid, MessageStatus: status, SmsStatus: status, To: from, ...extra }),
        ),
      );
    const deliveryStatus = async () =>
      (await withService((tx) => rows<{ delivery_status: string }>(tx, sql`select delivery_status from messages where id = ${reply!.id}`)))[0]!.delivery_status;

    expect((await callback("sent", { RawDlrDoneDate: undefined })).status).toBe(200);
    expect(await deliveryStatus()).toBe("sent");
    expect((await callback("delivered")).status).toBe(200);
    expect(await deliveryStatus()).toBe("delivered");
    await callback("sent", { RawDlrDoneDate: undefined }); // late and repeated: ignored
    expect(await deliveryStatus()).toBe("delivered");

    // Without ?m= the message is found by its SID; 21610 means the number sent STOP to the carrier.
    const undelivered = await statusPost(
      twilioRequest(STATUS_URL, fixture("message-status-undelivered", { MessageSid: reply!.sid, SmsSid: reply!.sid, To: from })),
    );
    expect(undelivered.status).toBe(200);
    const [row] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, reply!.id)));
    expect(row!.deliveryStatus).toBe("delivered"); // undelivered does not undo a delivery receipt
    expect(row!.metadata).toMatchObject({ deliveryError: 21610, statuses: { sent: expect.any(String), delivered: expect.any(String), undelivered: expect.any(String) } });
    const [c] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, reply!.customer_id)));
    expect(c!.consent).toMatchObject({ sms: { optedOut: true, source: "carrier" } });
  });

  it("a status callback with a bad signature changes nothing", async () => {
    const res = await statusPost(twilioRequest(STATUS_URL, fixture("message-status-delivered"), { authToken: "1".repeat(32) }));
    expect(res.status).toBe(403);
  });
});

describe("the customer's number", () => {
  it("is never stored in clear: not in messages, events, outbox, customers or the audit log", async () => {
    const phones = await count("customer_identities", sql`kind = 'phone'`);
    expect(phones).toBeGreaterThan(5);
    const [dump] = await withService((tx) =>
      rows(
        tx,
        sql`select (select json_agg(m) from messages m) as m, (select json_agg(w) from webhook_events w) as w, (select json_agg(o) from outbox o) as o,
                   (select json_agg(c) from customers c) as c, (select json_agg(i) from customer_identities i) as i, (select json_agg(a) from audit_log a) as a`,
      ),
    );
    const text = JSON.stringify(dump);
    expect(text).not.toContain(CUSTOMER.slice(2));
    expect(text).not.toMatch(/415555\d{4}/);
  });
});
