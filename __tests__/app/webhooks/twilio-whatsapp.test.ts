// POST /api/webhooks/twilio/whatsapp with Twilio's WhatsApp payloads (text, media with a caption,
// a location), signed; and the 24-hour customer-service window on everything sent afterwards.
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { OUTSIDE_WINDOW } from "@/lib/channels/twilio/outbound";
import { sendToConversation } from "@/lib/channels/common/outbound";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { readMessages } from "@/lib/channels/twilio/twiml";
import { SERVICE_WINDOW_MS, serviceWindow, withinServiceWindow } from "@/lib/channels/whatsapp/window";
import type { MemberCtx } from "@/lib/services/context";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { closeDb, useDemoBusiness, useTwilio } from "../../helpers/demo";
import { ORIGIN, OUR_WHATSAPP, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../../fixtures/twilio";

const URL_ = `${ORIGIN}/api/webhooks/twilio/whatsapp`;
const TEMPLATE = { name: "follow_up", contentSid: "HXb5b62575e6e4ff6129ad7c8efe1f983e", body: "Hi {{1}}, we have an update about your enquiry. Reply to continue." };
let api: Awaited<ReturnType<typeof useTwilio>>;
let ctx: MemberCtx;
let n = 900;

const post = async (fields: Record<string, string>) => {
  const res = await whatsappPost(twilioRequest(URL_, fields));
  return { res, text: await res.text() };
};
const stored = async (messageSid: string) => {
  const [m] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, messageSid)));
  return m!;
};

beforeAll(async () => {
  api = await useTwilio({ attempts: 2, startingDelayMs: 5, maxDelayMs: 10 });
  ctx = await useDemoBusiness();
  await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: OUR_WHATSAPP, ...TEST_ACCOUNT, settings: { templates: [TEMPLATE] } } });
});
beforeEach(() => api.reset());
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  await api.stop();
});

describe("inbound WhatsApp", () => {
  it("answers text with TwiML and keeps the profile name", async () => {
    const { res, text } = await post(fixture("whatsapp-inbound-text"));
    expect(res.status).toBe(200);
    expect(readMessages(text)[0]!.body).toMatch(/child/i);
    const m = await stored("SM5c1e0a9f8b7d4e3c2b1a0f9e8d7c6b5a");
    expect(m.content).toBe("Hi! Do you treat children?");
    const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m.customerId)));
    expect(customer!.name).toBe("Alex");
    await backgroundIdle();
    const [cost] = await withService((tx) => rows<{ kind: string; units: number; cost: number }>(tx, sql`select kind, units, cost_usd::float8 as cost from cost_events where kind = 'whatsapp'`));
    expect(cost).toEqual({ kind: "whatsapp", units: 1, cost: 0.005 });
  });

  it("takes a picture's caption as the text and keeps the picture as a link", async () => {
    await post(fixture("whatsapp-inbound-image"));
    const m = await stored("MMb7c2e1f0a9d8c7b6a5f4e3d2c1b0a9f8");
    expect(m.content).toBe("This is the bill I got, is it right?");
    expect(m.attachments).toEqual([
      {
        url: "https://api.twilio.com/2010-04-01/Accounts/ACd3f2d8e3b6a04fd1b3c0a8e7d1f0c9ab/Messages/MMb7c2e1f0a9d8c7b6a5f4e3d2c1b0a9f8/Media/ME0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        contentType: "image/jpeg",
        caption: "This is the bill I got, is it right?",
      },
    ]);
    // Without a caption the picture still makes a message a person can see.
    const bare = sid("MM", ++n);
    await post(fixture("whatsapp-inbound-image", { MessageSid: bare, SmsSid: bare, SmsMessageSid: bare, Body: "" }));
    expect((await stored(bare)).content).toBe("[image]");
  });

  it("turns a shared location into text and a map link", async () => {
    await post(fixture("whatsapp-inbound-location"));
    const m = await stored("SM0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    expect(m.content).toBe("Shared a location: Twilio HQ, 375 Beale St, San Francisco, CA 94105");
    expect(m.attachments).toEqual([
      { url: "https://www.google.com/maps/search/?api=1&query=37.7879277,-122.4074304", contentType: "application/geo+json", caption: "Twilio HQ, 375 Beale St, San Francisco, CA 94105" },
    ]);
  });

  it("one phone number is one customer across SMS-style and WhatsApp addresses", async () => {
    const a = await stored("SM5c1e0a9f8b7d4e3c2b1a0f9e8d7c6b5a");
    const b = await stored("MMb7c2e1f0a9d8c7b6a5f4e3d2c1b0a9f8");
    expect(b.customerId).toBe(a.customerId);
  });

  it("refuses an SMS-shaped From (no whatsapp: prefix) as malformed", async () => {
    const res = await whatsappPost(twilioRequest(URL_, fixture("whatsapp-inbound-text", { MessageSid: sid("SM", ++n), From: "+14155552671" })));
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe("From: From is not a whatsapp:+number address");
  });
});

describe("the 24-hour window", () => {
  it("is open for 24 hours after the customer's last message", () => {
    const now = new Date("2027-03-01T12:00:00Z");
    expect(withinServiceWindow({ lastCustomerMessageAt: null }, now)).toBe(false);
    expect(withinServiceWindow({ lastCustomerMessageAt: new Date(now.getTime() - SERVICE_WINDOW_MS + 1000) }, now)).toBe(true);
    expect(withinServiceWindow({ lastCustomerMessageAt: new Date(now.getTime() - SERVICE_WINDOW_MS) }, now)).toBe(false);
    expect(withinServiceWindow({ lastCustomerMessageAt: "2027-02-28T13:00:00Z" }, now)).toBe(true);
  });

  it("free text inside it; outside it only an approved template, and the reason is said plainly", async () => {
    const m = await stored("SM5c1e0a9f8b7d4e3c2b1a0f9e8d7c6b5a");
    const open = await withService((tx) => serviceWindow(tx, DEMO_BUSINESS_ID, m.conversationId));
    expect(open.open).toBe(true);
    expect(await sendToConversation({ businessId: DEMO_BUSINESS_ID, conversationId: m.conversationId, text: "Following up on your question.", purpose: "staff" })).toMatchObject({ status: "queued" });
    expect(api.requests[0]!.form).toMatchObject({ To: "whatsapp:+14155552671", From: `whatsapp:${OUR_WHATSAPP}`, Body: "Following up on your question." });

    // A day and a bit later.
    await withService((tx) =>
      tx.execute(sql`update messages set created_at = now() - interval '25 hours' where customer_id = ${m.customerId} and role = 'customer'`),
    );
    const closed = await withService((tx) => serviceWindow(tx, DEMO_BUSINESS_ID, m.conversationId));
    expect(closed.open).toBe(false);
    api.reset();
    await expect(sendToConversation({ businessId: DEMO_BUSINESS_ID, conversationId: m.conversationId, text: "Are you still there?", purpose: "staff" })).rejects.toMatchObject({
      code: "unprocessable",
      message: OUTSIDE_WINDOW,
    });
    await expect(
      sendToConversation({ businessId: DEMO_BUSINESS_ID, conversationId: m.conversationId, template: { contentSid: "HX00000000000000000000000000000000" }, purpose: "staff" }),
    ).rejects.toMatchObject({ code: "bad_request" });
    expect(api.requests).toHaveLength(0);
    const sent = await sendToConversation({ businessId: DEMO_BUSINESS_ID, conversationId: m.conversationId, template: { contentSid: TEMPLATE.contentSid, variables: { "1": "Alex" } }, purpose: "staff" });
    expect(sent.status).toBe("queued");
    expect(api.requests[0]!.form).toMatchObject({ ContentSid: TEMPLATE.contentSid, ContentVariables: '{"1":"Alex"}' });

    // A staff reply queued from the inbox meanwhile is refused with the reason, not sent.
    const [queued] = await withService((tx) =>
      tx
        .insert(s.outbox)
        .values({ businessId: DEMO_BUSINESS_ID, channelKind: "whatsapp", recipient: "x", body: "Any news?", payload: { kind: "staff_reply", conversationId: m.conversationId } })
        .returning(),
    );
    api.reset();
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 0, failed: 1, retrying: 0 });
    expect(api.requests).toHaveLength(0);
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, queued!.id)));
    expect(row).toMatchObject({ status: "failed", error: OUTSIDE_WINDOW });

    // The customer writes again: the window reopens.
    await post(fixture("whatsapp-inbound-text", { MessageSid: sid("SM", ++n), Body: "Yes, still interested" }));
    expect((await withService((tx) => serviceWindow(tx, DEMO_BUSINESS_ID, m.conversationId))).open).toBe(true);
  });
});
