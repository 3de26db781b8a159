// Outbound sends through the real twilio SDK against a local stand-in of Twilio's REST API: the exact
// request (path, basic auth, form fields), retries with backoff on 429 and 5xx and none on 4xx,
// WhatsApp media and templates, the test call, and the dev outbox in embedded mode.
import { eq, sql } from "drizzle-orm";
import { resetEnvForTests } from "@/lib/env";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { decrypt, encrypt } from "@/lib/security/crypto";
import { sendDigests } from "@/lib/jobs/digest";
import { countSegments } from "@/lib/channels/twilio/segments";
import { connectTwilioChannel, type Channel } from "@/lib/channels/twilio/channels";
import { setRetryPolicyForTests } from "@/lib/channels/common/retry";
import { sendMessage } from "@/lib/channels/twilio/deliver";
import { placeTestCall } from "@/lib/channels/twilio/outbound";
import { sendTestMessage } from "@/lib/channels/common/outbound";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { readVoice } from "@/lib/channels/twilio/twiml";
import type { MemberCtx } from "@/lib/services/context";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";
import { startTwilioServer, type TwilioStandIn } from "../../helpers/twilio-server";
import { OUR_NUMBER, OUR_WHATSAPP, TEST_ACCOUNT } from "../../fixtures/twilio";

const PLATFORM = { accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "0123456789abcdef0123456789abcdef" };
const TO = "+447700900123";
let api: TwilioStandIn;
let ctx: MemberCtx;
let sms: Channel;
let whatsapp: Channel;

const production = () => {
  process.env.TWILIO_ACCOUNT_SID = PLATFORM.accountSid;
  process.env.TWILIO_AUTH_TOKEN = PLATFORM.authToken;
  process.env.TWILIO_API_BASE = api.url;
  resetEnvForTests();
};
const embedded = () => {
  for (const k of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE"]) delete process.env[k];
  resetEnvForTests();
};
const basic = (sid: string, token: string) => `Basic ${Buffer.from(`${sid}:${token}`).toString("base64")}`;

beforeAll(async () => {
  api = await startTwilioServer();
  api.addAccount(TEST_ACCOUNT.accountSid, TEST_ACCOUNT.authToken);
  api.addAccount(PLATFORM.accountSid, PLATFORM.authToken);
  setRetryPolicyForTests({ attempts: 4, startingDelayMs: 5, maxDelayMs: 40 });
  await useTestDb();
  const { businessId, userId } = await withService(async (tx) => {
    const owner = await makeUser(tx, "owner@send.test");
    const t = await makeTenant(tx, "send-co", owner.id);
    return { businessId: t.businessId, userId: owner.id };
  });
  ctx = { businessId, actor: { type: "member", userId, role: "owner" } };
  sms = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, ...TEST_ACCOUNT } });
  whatsapp = await connectTwilioChannel({
    ctx,
    input: {
      kind: "whatsapp",
      address: OUR_WHATSAPP,
      ...TEST_ACCOUNT,
      settings: { templates: [{ name: "appointment_reminder", contentSid: "HX0123456789abcdef0123456789abcdef", body: "Reminder: your appointment is on {{1}} at {{2}}." }] },
    },
  });
});
beforeEach(() => {
  api.reset();
  production();
});
afterAll(async () => {
  embedded();
  setRetryPolicyForTests(undefined);
  await closeDb();
  await api.close();
});

describe("the request Twilio receives", () => {
  it("is POST /2010-04-01/Accounts/{Sid}/Messages.json with the channel's basic auth and form fields", async () => {
    const r = await sendMessage({ channel: sms, to: TO, text: "Your appointment is confirmed — see you Tuesday!" });
    expect(r).toMatchObject({ transport: "twilio", status: "queued", parts: 1, units: 1, attempts: 1 });
    expect(r.providerIds[0]).toMatch(/^SM[0-9a-f]{32}$/);
    expect(api.requests).toHaveLength(1);
    const [req] = api.requests;
    expect(req!.method).toBe("POST");
    expect(req!.path).toBe(`/2010-04-01/Accounts/${TEST_ACCOUNT.accountSid}/Messages.json`);
    // The business's own account wins over the platform's.
    expect(req!.headers.authorization).toBe(basic(TEST_ACCOUNT.accountSid, TEST_ACCOUNT.authToken));
    expect(req!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req!.headers["user-agent"]).toMatch(/^twilio-node\/6\./);
    expect(req!.form).toEqual({
      To: TO,
      From: OUR_NUMBER,
      Body: "Your appointment is confirmed - see you Tuesday!", // smart-encoded: one GSM-7 part instead of UCS-2
      StatusCallback: "http://localhost:3000/api/webhooks/twilio/status",
    });
  });

  it("falls back to the platform account when the channel has none", async () => {
    const bare = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, clearCredentials: true } });
    try {
      await sendMessage({ channel: bare, to: TO, text: "hi" });
      expect(api.requests[0]!.path).toBe(`/2010-04-01/Accounts/${PLATFORM.accountSid}/Messages.json`);
      expect(api.requests[0]!.headers.authorization).toBe(basic(PLATFORM.accountSid, PLATFORM.authToken));
    } finally {
      sms = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, ...TEST_ACCOUNT } });
    }
  });

  it("sends WhatsApp with whatsapp: addresses and media links", async () => {
    await sendMessage({ channel: whatsapp, to: TO, text: "Here is your invoice", mediaUrls: ["https://files.example.com/invoice.pdf"] });
    expect(api.requests[0]!.form).toEqual({
      To: `whatsapp:${TO}`,
      From: `whatsapp:${OUR_WHATSAPP}`,
      Body: "Here is your invoice",
      MediaUrl: "https://files.example.com/invoice.pdf",
      StatusCallback: "http://localhost:3000/api/webhooks/twilio/status",
    });
  });

  it("sends a WhatsApp template by ContentSid with its variables", async () => {
    await sendMessage({ channel: whatsapp, to: TO, template: { contentSid: "HX0123456789abcdef0123456789abcdef", variables: { "1": "12/1", "2": "3pm" } } });
    const form = api.requests[0]!.form;
    expect(form).toMatchObject({ ContentSid: "HX0123456789abcdef0123456789abcdef", ContentVariables: '{"1":"12/1","2":"3pm"}', To: `whatsapp:${TO}` });
    expect(form.Body).toBeUndefined();
  });

  it("sends what Twilio cannot take as one message as several, each a cost event", async () => {
    const [m] = await withService(async (tx) => {
      const [customer] = await tx.insert(s.customers).values({ businessId: ctx.businessId }).returning();
      const [conversation] = await tx.insert(s.conversations).values({ businessId: ctx.businessId, customerId: customer!.id, channelId: sms.id }).returning();
      return tx
        .insert(s.messages)
        .values({ businessId: ctx.businessId, conversationId: conversation!.id, customerId: customer!.id, channelId: sms.id, role: "agent", content: "long" })
        .returning();
    });
    const long = "This sentence is exactly fifty characters long ok. ".repeat(40).trim();
    const r = await sendMessage({ channel: sms, to: TO, text: long, messageId: m!.id, conversationId: m!.conversationId });
    expect(api.requests).toHaveLength(2);
    expect(r.parts).toBe(2);
    expect(r.units).toBe(14); // 1,600 and 439 GSM-7 characters: 11 + 3 parts of 153
    const costs = await withService((tx) => rows<{ units: number; cost: number }>(tx, sql`select units, cost_usd::float8 as cost from cost_events where message_id = ${m!.id} order by units desc`));
    expect(costs).toEqual([
      { units: 11, cost: 0.0913 },
      { units: 3, cost: 0.0249 },
    ]);
    const [stored] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, m!.id)));
    expect(stored).toMatchObject({ providerMessageId: r.providerIds[0], deliveryStatus: "queued" });
    expect(stored!.metadata).toMatchObject({ delivery: { transport: "twilio", parts: 2, segments: 14, encoding: "GSM-7", sids: r.providerIds } });
  });
});

describe("retries", () => {
  it("retries 429 and 5xx with backoff until Twilio accepts", async () => {
    api.failNext(429, 2);
    const r = await sendMessage({ channel: sms, to: TO, text: "retry me" });
    expect(r).toMatchObject({ status: "queued", attempts: 3 });
    expect(api.requests).toHaveLength(3);
    api.reset();
    api.failNext(503);
    expect(await sendMessage({ channel: sms, to: TO, text: "again" })).toMatchObject({ status: "queued", attempts: 2 });
  });

  it("does not retry a request Twilio refuses (4xx), and says why", async () => {
    api.failNext(400, 1, 21211, "The 'To' number +447700900123 is not a valid phone number.");
    const r = await sendMessage({ channel: sms, to: TO, text: "nope" });
    expect(api.requests).toHaveLength(1);
    expect(r).toMatchObject({ status: "failed", error: { status: 400, code: 21211, message: "The 'To' number [number] is not a valid phone number." } });
  });

  it("gives up after the last attempt on a Twilio outage", async () => {
    api.failNext(500, 10);
    const r = await sendMessage({ channel: sms, to: TO, text: "outage" });
    expect(api.requests).toHaveLength(4);
    expect(r).toMatchObject({ status: "failed", error: { status: 500 } });
  });

  it("a wrong auth token is a 401 from Twilio, not retried", async () => {
    const wrong = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, accountSid: TEST_ACCOUNT.accountSid, authToken: "f".repeat(32) } });
    try {
      const r = await sendMessage({ channel: wrong, to: TO, text: "x" });
      expect(api.requests).toHaveLength(1);
      expect(r).toMatchObject({ status: "failed", error: { status: 401, code: 20003 } });
    } finally {
      sms = await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, ...TEST_ACCOUNT } });
    }
  });
});

describe("from the channel page", () => {
  it("sends a test message and audits it without the number", async () => {
    const r = await sendTestMessage({ ctx, input: { kind: "sms", to: "+44 7700 900123" } });
    expect(r.status).toBe("queued");
    expect(api.requests[0]!.form).toMatchObject({ To: TO, Body: "Test message from Biz send-co: your SMS channel works." });
    const [audit] = await withService((tx) => rows<{ details: unknown }>(tx, sql`select details from audit_log where action = 'channel.test_message'`));
    expect(JSON.stringify(audit!.details)).not.toContain("7700900123");
  });

  it("places a test call that speaks in the channel's voice", async () => {
    await connectTwilioChannel({ ctx, input: { kind: "voice", address: OUR_NUMBER, ...TEST_ACCOUNT, settings: { voice: "Polly.Amy-Neural" } } });
    const r = await placeTestCall({ ctx, input: { to: TO } });
    expect(r).toMatchObject({ transport: "twilio", status: "queued", sid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    const [req] = api.requests;
    expect(req!.path).toBe(`/2010-04-01/Accounts/${TEST_ACCOUNT.accountSid}/Calls.json`);
    expect(req!.form).toMatchObject({ To: TO, From: OUR_NUMBER });
    expect(readVoice(req!.form.Twiml as string)).toEqual([
      { verb: "Say", text: "This is a test call from Biz send-co. Your voice channel works. Goodbye.", voice: "Polly.Amy-Neural", language: "en-GB" },
      { verb: "Hangup" },
    ]);
  });

  it("agents cannot send tests", async () => {
    const agent: MemberCtx = { ...ctx, actor: { ...ctx.actor, role: "agent" } };
    await expect(sendTestMessage({ ctx: agent, input: { kind: "sms", to: TO } })).rejects.toMatchObject({ code: "forbidden" });
  });
});

describe("the owners' digest by text", () => {
  it("goes from the job through the business's own Twilio number to the verified phone, once, priced", async () => {
    const OWNER_PHONE = "+447911123456";
    await withService(async (tx) => {
      await tx.execute(sql`update businesses set limits = limits || '{"digest": "daily"}'::jsonb, time_zone = 'UTC' where id = ${ctx.businessId}`);
      const verified = { channelKind: "sms" as const, phoneEncrypted: encrypt(OWNER_PHONE), verifiedAt: new Date() };
      await tx.insert(s.digestPhones).values({ businessId: ctx.businessId, ...verified }).onConflictDoUpdate({ target: s.digestPhones.businessId, set: verified });
    });
    const smsUnits = () => withService((tx) => rows<{ n: number }>(tx, sql`select coalesce(sum(units), 0)::int as n from cost_events where business_id = ${ctx.businessId} and kind = 'sms'`)).then((r) => r[0]!.n);
    const before = await smsUnits();
    const now = new Date("2026-11-20T12:00:00Z");
    expect(await sendDigests({ now })).toMatchObject({ businesses: 1, texts: 1 });
    expect(await sendDigests({ now })).toMatchObject({ businesses: 0, texts: 0 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.path).toBe(`/2010-04-01/Accounts/${TEST_ACCOUNT.accountSid}/Messages.json`);
    expect(api.requests[0]!.form).toMatchObject({ To: OWNER_PHONE, From: OUR_NUMBER, Body: expect.stringMatching(/^Biz send-co yesterday: spent \$/) });
    const [row] = await withService((tx) =>
      rows<{ status: string; provider_message_id: string }>(tx, sql`select status, provider_message_id from outbox where business_id = ${ctx.businessId} and payload->>'kind' = 'digest' and channel_kind = 'sms'`),
    );
    expect(row).toMatchObject({ status: "sent", provider_message_id: expect.stringMatching(/^SM/) });
    expect(await smsUnits()).toBe(before + countSegments(String(api.requests[0]!.form.Body)).segments);
  });
});

describe("embedded mode", () => {
  it("puts the send in the dev outbox: masked recipient, sealed number, nothing sent", async () => {
    embedded();
    const r = await sendMessage({ channel: sms, to: TO, text: "Hello from the outbox", purpose: "test" });
    expect(r).toMatchObject({ transport: "outbox", status: "queued", providerIds: [] });
    expect(api.requests).toHaveLength(0);
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, r.outboxIds[0]!)));
    // Nothing will deliver it: the row is the dev outbox's record of a sent message.
    expect(row).toMatchObject({ channelKind: "sms", recipient: "+44••••••0123", body: "Hello from the outbox", status: "sent" });
    expect(decrypt((row!.payload as { toEncrypted: string }).toEncrypted)).toBe(TO);
    const call = await placeTestCall({ ctx, input: { to: TO } });
    expect(call.transport).toBe("outbox");
    // The outbox sender runs in embedded mode too (queued staff replies: __tests__/app/inbox/embedded-delivery).
    expect(await drainChannelOutbox()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(api.requests).toHaveLength(0);
  });
});
