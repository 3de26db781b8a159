// WhatsApp through Meta's Cloud API, beside Twilio: POST /api/webhooks/meta/whatsapp with the
// reference's own payloads, signed; text in, text out through a local stand-in of the Cloud API;
// message statuses; the 24-hour window; one customer per phone number across providers.
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";
import { metaCredentials } from "@/lib/channels/meta/app";
import { deliverAnswer, drainChannelOutbox } from "@/lib/channels/delivery";
import { storeInbound } from "@/lib/pipeline/inbound";
import { actOnConversation, CLOUD_API_OUTSIDE_WINDOW, getConversation } from "@/lib/services/conversations";
import { findBusinessChannel, type Channel } from "@/lib/channels/common/channels";
import type { MemberCtx } from "@/lib/services/context";
import { GET, POST } from "@/app/api/webhooks/meta/whatsapp/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { quiet, useMeta } from "../../helpers/providers";
import { ACCESS_TOKEN, metaFixture, postSigned, WA_CUSTOMER, WA_DISPLAY, WA_PHONE_NUMBER_ID, whatsappWith } from "../../fixtures/meta";

const URL_ = "http://localhost:3000/api/webhooks/meta/whatsapp";
let api: Awaited<ReturnType<typeof useMeta>>;
let ctx: MemberCtx;
let channel: Channel;
let n = 0;

const post = (body: Record<string, unknown> | string, opts: { secret?: string; signature?: string | null } = {}) => postSigned(POST, URL_, body, opts);
const text = (body: string, from = WA_CUSTOMER.slice(1), name = "Sheena Nelson") => {
  const id = `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQz${String(++n).padStart(6, "0")}`;
  return { id, body: whatsappWith(metaFixture("whatsapp-text"), { id, from, text: { body } }, { wa_id: from, name }) };
};
const status = (name: "whatsapp-status-delivered" | "whatsapp-status-failed", id: string, value?: string) =>
  whatsappWith(metaFixture(name), { id, ...(value ? { status: value } : {}) });
const byId = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, id))))[0];
const answerOf = async (id: string) => (await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, id))))[0];
const DOC_WAMID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=";

beforeAll(async () => {
  api = await useMeta();
  api.tokens.set(WA_PHONE_NUMBER_ID, { token: ACCESS_TOKEN, product: "whatsapp" });
  ctx = await useDemoBusiness();
  channel = await connectWhatsAppCloudChannel({
    ctx,
    input: { phoneNumberId: WA_PHONE_NUMBER_ID, displayPhoneNumber: WA_DISPLAY, businessAccountId: "102290129340398", accessToken: ACCESS_TOKEN },
  });
});
beforeEach(quiet(() => api));
afterAll(async () => {
  await api.stop();
  await closeDb();
});

describe("connecting", () => {
  it("is a WhatsApp channel addressed by Meta's phone number id, with its token sealed", async () => {
    expect(channel).toMatchObject({ kind: "whatsapp", address: WA_PHONE_NUMBER_ID, settings: expect.objectContaining({ provider: "meta", displayPhoneNumber: WA_DISPLAY }) });
    expect(channel.credentialsEncrypted).not.toContain(ACCESS_TOKEN);
    const res = await GET(new Request(`${URL_}?hub.mode=subscribe&hub.verify_token=${metaCredentials(channel)!.verifyToken}&hub.challenge=42`));
    expect(await res.text()).toBe("42");
  });

  it("lives beside a Twilio WhatsApp sender: each provider's pages and sends see only their own", async () => {
    const twilio = await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: "+14155238886" } });
    expect((await withService((tx) => findBusinessChannel(tx, DEMO_BUSINESS_ID, "whatsapp")))!.id).toBe(twilio.id);
    expect((await withService((tx) => findBusinessChannel(tx, DEMO_BUSINESS_ID, "whatsapp-cloud")))!.id).toBe(channel.id);
    // Saving the Twilio sender again leaves the Cloud API number as it was.
    await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: "+14155238886", name: "Twilio sandbox" } });
    const [meta] = await withService((tx) => tx.select().from(s.channels).where(eq(s.channels.id, channel.id)));
    expect(meta).toMatchObject({ address: WA_PHONE_NUMBER_ID, settings: expect.objectContaining({ provider: "meta" }) });
  });
});

describe("messages", () => {
  it("a NUL character in the text or the name is dropped and the message kept; a timestamp that is no time falls back to when it arrived", async () => {
    for (const [i, timestamp] of ["' OR 1=1", "99999999999999", 1700000000].entries()) {
      const { id, body } = text(`Do you do\u0000 whitening, question ${i}?`, `44770090012${i}`, "Sam\u0000 Lee");
      ((body.entry as { changes: { value: { messages: Record<string, unknown>[] } }[] }[])[0]!.changes[0]!.value.messages[0]!).timestamp = timestamp;
      const before = Date.now();
      const r = await post(body);
      expect([r.res.status, r.body]).toEqual([200, expect.objectContaining({ stored: 1 })]);
      const m = await byId(id);
      expect(m!.content).toBe(`Do you do whitening, question ${i}?`);
      const sentAt = Date.parse((m!.metadata as { whatsapp: { sentAt: string } }).whatsapp.sentAt);
      if (timestamp === 1700000000) expect(sentAt).toBe(1700000000 * 1000);
      else expect(sentAt).toBeGreaterThanOrEqual(before - 1000);
      const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m!.customerId)));
      expect(customer!.name).toBe("Sam Lee");
    }
  });

  it("the reference's text message is stored and answered through the Cloud API", async () => {
    const r = await post(metaFixture("whatsapp-text"));
    expect(r.res.status).toBe(200);
    expect(r.body).toEqual({ ok: true, stored: 1, duplicates: 0, ignored: 0, statuses: 0, unknown: 0 });
    const m = await byId(DOC_WAMID);
    expect(m!.content).toBe("Does it come in another color?");
    const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m!.customerId)));
    expect(customer!.name).toBe("Sheena Nelson");

    await backgroundIdle();
    const answer = await answerOf(m!.id);
    expect(api.requests).toHaveLength(1);
    const send = api.requests[0]!;
    expect(send.path).toBe(`/v23.0/${WA_PHONE_NUMBER_ID}/messages`);
    expect(send.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(send.json).toEqual({ messaging_product: "whatsapp", recipient_type: "individual", to: "16505551234", type: "text", text: { preview_url: false, body: answer!.content } });
    expect(answer).toMatchObject({ deliveryStatus: "queued", providerMessageId: expect.stringMatching(/^wamid\./) });
    // Service messages inside the window carry no Meta fee: the cost event says so.
    const [cost] = await withService((tx) => rows<{ units: number; cost: number }>(tx, sql`select units, cost_usd::float8 as cost from cost_events where kind = 'whatsapp' and message_id = ${answer!.id}`));
    expect(cost).toEqual({ units: 1, cost: 0 });
  });

  it("a redelivered message is handled once; several in one notification are each handled", async () => {
    expect((await post(metaFixture("whatsapp-text"))).body).toMatchObject({ stored: 0, duplicates: 1 });
    const a = text("What are your opening hours?");
    const b = text("And do you have parking?");
    const both = structuredClone(a.body) as { entry: { changes: { value: { messages: unknown[] } }[] }[] };
    both.entry[0]!.changes[0]!.value.messages.push((b.body as typeof both).entry[0]!.changes[0]!.value.messages[0]);
    expect((await post(both as unknown as Record<string, unknown>)).body).toMatchObject({ stored: 2 });
    await backgroundIdle();
  });

  it("one phone number is one customer, whether it wrote by SMS or through the Cloud API", async () => {
    const sms = await connectTwilioChannel({ ctx, input: { kind: "sms", address: "+15017122661" } });
    const bySms = await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: sms.id, channelKind: "sms", from: { kind: "phone", value: "+447700900555" }, text: "Hi, it's Priya", providerMessageId: "SM00000000000000000000000000000555" });
    const wa = text("Priya again, on WhatsApp now", "447700900555", "Priya");
    await post(wa.body);
    expect((await byId(wa.id))!.customerId).toBe(bySms.customerId);
  });
});

describe("statuses", () => {
  it("move our message to delivered and read, never back", async () => {
    const answer = await answerOf((await byId(DOC_WAMID))!.id);
    const wamid = answer!.providerMessageId!;
    expect((await post(status("whatsapp-status-delivered", wamid))).body).toMatchObject({ statuses: 1 });
    await post(status("whatsapp-status-delivered", wamid, "read"));
    await post(status("whatsapp-status-delivered", wamid, "sent"));
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, answer!.id)));
    expect(after!.deliveryStatus).toBe("read");
    expect(Object.keys((after!.metadata as { statuses: object }).statuses).sort()).toEqual(["delivered", "read", "sent"]);
    // The same status twice is one event.
    expect((await post(status("whatsapp-status-delivered", wamid, "read"))).body).toMatchObject({ statuses: 0 });
  });

  it("a status Meta adds later is acknowledged and ignored, not refused (Meta would retry it for days)", async () => {
    const answer = await answerOf((await byId(DOC_WAMID))!.id);
    const res = await post(status("whatsapp-status-delivered", answer!.providerMessageId!, "warning"));
    expect(res.res.status).toBe(200);
    expect(res.body).toMatchObject({ statuses: 0 });
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, answer!.id)));
    expect(after!.deliveryStatus).toBe("read");
  });

  it("a failure keeps Meta's error", async () => {
    const wa = text("Can I book for Friday?");
    await post(wa.body);
    await backgroundIdle();
    const answer = await answerOf((await byId(wa.id))!.id);
    await post(status("whatsapp-status-failed", answer!.providerMessageId!));
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, answer!.id)));
    expect(after).toMatchObject({ deliveryStatus: "failed", metadata: expect.objectContaining({ deliveryError: { code: 131047, title: "Re-engagement message" } }) });
  });
});

describe("the 24-hour window", () => {
  it("a staff reply goes out inside it and is refused, with the reason, outside it", async () => {
    const wa = text("Is the clinic open on Saturday?", "447700900777", "Ola");
    await post(wa.body);
    await backgroundIdle();
    const m = await byId(wa.id);
    await actOnConversation({ ctx, input: { id: m!.conversationId, action: { action: "reply", text: "Yes, 9 to 1. Sam" } } }, { defer: () => undefined });
    expect((await getConversation({ ctx, input: { id: m!.conversationId } })).reply).toMatchObject({ window: { open: true } });
    api.reset();
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect((api.requests[0]!.json as { text: { body: string } }).text.body).toBe("Yes, 9 to 1. Sam");

    // Queued while the window was open, sent after it closed: the sender checks again and refuses.
    const { messageId } = await actOnConversation({ ctx, input: { id: m!.conversationId, action: { action: "reply", text: "Are you still coming?" } } }, { defer: () => undefined });
    await withService((tx) => tx.execute(sql`update messages set created_at = now() - interval '25 hours' where customer_id = ${m!.customerId} and role = 'customer'`));
    api.reset();
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 0, failed: 1, retrying: 0 });
    expect(api.requests).toHaveLength(0);
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId!)));
    expect(row!.error).toBe("More than 24 hours have passed since this customer last wrote on WhatsApp, so WhatsApp does not allow a free-form message until they write again.");
    const [reply] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, messageId!)));
    expect(reply!.deliveryStatus).toBe("blocked");
    // And the inbox refuses a new free-form reply outright, as for Twilio's WhatsApp.
    await expect(actOnConversation({ ctx, input: { id: m!.conversationId, action: { action: "reply", text: "Hello?" } } }, { defer: () => undefined })).rejects.toMatchObject({ status: 422 });
    // The reply box says why, and offers no templates (this number cannot send them).
    const view = await getConversation({ ctx, input: { id: m!.conversationId } });
    expect(view.reply).toMatchObject({ window: { open: false }, unavailable: CLOUD_API_OUTSIDE_WINDOW });
    expect(view.reply.templates).toBeUndefined();
  });

  it("the sweeper's answer goes out through Meta, not Twilio", async () => {
    const wa = text("Do you do whitening?", "447700900888", "Kai");
    await post(wa.body);
    await backgroundIdle();
    const answer = await answerOf((await byId(wa.id))!.id);
    api.reset();
    expect(await deliverAnswer("whatsapp", DEMO_BUSINESS_ID, answer!.id)).toBe(true);
    expect(api.requests).toHaveLength(1);
    expect((api.requests[0]!.json as { to: string }).to).toBe("447700900888");
  });
});

describe("signatures and malformed bodies", () => {
  it("refuses an unsigned or wrongly signed notification with 401", async () => {
    const wa = text("hello?");
    expect((await post(wa.body, { signature: null })).res.status).toBe(401);
    expect((await post(wa.body, { secret: "f".repeat(32) })).res.status).toBe(401);
    expect(await byId(wa.id)).toBeUndefined();
  });

  it("answers malformed bodies with 400", async () => {
    expect((await post("[")).res.status).toBe(400);
    const wrong = await post({ object: "instagram", entry: [] });
    expect((wrong.body.error as { message: string }).message).toBe('object: object must be "whatsapp_business_account" on this URL');
    const badFrom = await post(whatsappWith(metaFixture("whatsapp-text"), { from: "not-a-number", id: "wamid.bad" }));
    expect(badFrom.res.status).toBe(400);
    expect((badFrom.body.error as { message: string }).message).toMatch(/messages\[\]\.from is not a WhatsApp number/);
  });

  it("a business's own Meta app: its secret signs, the platform's does not speak for it", async () => {
    const own = "0123456789abcdef0123456789abcdef";
    await connectWhatsAppCloudChannel({ ctx, input: { phoneNumberId: WA_PHONE_NUMBER_ID, displayPhoneNumber: WA_DISPLAY, appSecret: own } });
    const a = text("Signed with the clinic's own app");
    expect((await post(a.body, { secret: own })).body).toMatchObject({ stored: 1 });
    const b = text("Signed with the platform's app");
    expect((await post(b.body)).body).toMatchObject({ stored: 0, unknown: 1 });
    expect(await byId(b.id)).toBeUndefined();
  });
});
