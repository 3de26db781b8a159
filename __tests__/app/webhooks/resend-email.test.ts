// POST /api/webhooks/resend with Resend's documented events, signed with svix's Webhook.sign: inbound
// email fetched from a local stand-in of Resend's API, threading (replies land in their conversation,
// a new subject starts a new one, nothing merges by subject), quoted text and signatures stripped,
// HTML-only mail read, loops refused, replies sent with the right headers, bounces and complaints.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { conversationFromAddress, replyAddress } from "@/lib/channels/email/address";
import { deliverStoredMessage } from "@/lib/channels/common/outbound";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { drainSystemMail } from "@/lib/channels/email/system-mail";
import { enqueueEmail } from "@/lib/channels/outbox";
import { identityHash } from "@/lib/pipeline/identities";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { POST } from "@/app/api/webhooks/resend/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { RESEND_KEY } from "../../helpers/resend-server";
import { quiet, useResend } from "../../helpers/providers";
import { resendFixture, resendRequest, svixId } from "../../fixtures/resend";

const URL_ = "http://localhost:3000/api/webhooks/resend";
const SUPPORT = "support@riverside-dental.test";
let api: Awaited<ReturnType<typeof useResend>>;
let ctx: MemberCtx;
let n = 0;

type Incoming = { from?: string; name?: string; subject: string; text?: string | null; html?: string | null; headers?: Record<string, string>; to?: string; messageId?: string; emailId?: string };

/** Puts an email in the stand-in's inbox and posts Resend's email.received event for it. */
async function receive(mail: Incoming, opts: { id?: string } = {}) {
  const emailId = mail.emailId ?? `5676${String(++n).padStart(4, "0")}-7520-42d8-8898-ff6fc54ce618`;
  const messageId = mail.messageId ?? `<CAK${n}x7Yw@mail.gmail.com>`;
  const from = `${mail.name ?? "Alex Morgan"} <${mail.from ?? "alex.morgan@example.com"}>`;
  const to = mail.to ?? SUPPORT;
  api.received.set(
    emailId,
    resendFixture("received-email", {
      id: emailId,
      to: [to],
      from,
      subject: mail.subject,
      text: mail.text ?? null,
      html: mail.html ?? null,
      message_id: messageId,
      headers: { "message-id": messageId, subject: mail.subject, from, to, ...mail.headers },
      attachments: [],
    }),
  );
  const event = resendFixture("email-received", { data: { email_id: emailId, from, to: [to], received_for: [to], message_id: messageId, subject: mail.subject, attachments: [] } });
  const res = await POST(await resendRequest(URL_, event, { id: opts.id }));
  return { res, body: (await res.json()) as Record<string, unknown>, messageId, emailId, event };
}

const stored = async (messageId: string) => {
  const [m] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, messageId)));
  return m;
};
const replyTo = async (messageId: string) => {
  const m = await stored(messageId);
  const [r] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.replyToId, m!.id)));
  return r;
};
const conversation = async (id: string) => (await withService((tx) => tx.select().from(s.conversations).where(eq(s.conversations.id, id))))[0]!;
const sentTo = (address: string) => api.sent.filter((e) => (e.body.to as string[]).includes(address));

beforeAll(async () => {
  api = await useResend();
  ctx = await useDemoBusiness();
  await connectEmailChannel({ ctx, input: { address: SUPPORT, settings: { signature: "Riverside Dental Clinic\n14 Riverside Walk, Kingston" } } });
});
beforeEach(quiet(() => api));
afterAll(async () => {
  await api.stop();
  await closeDb();
});

describe("a new email", () => {
  it("is fetched from Resend, stored without its quoted history, and answered in the same thread", async () => {
    const r = await receive({
      subject: "Saturday opening",
      messageId: "<CAK0first@mail.gmail.com>",
      text: "Hi,\n\nWhat time do you open on Saturday?\n\nThanks,\nAlex\n\nOn Mon, 3 Mar 2027 at 10:12, Riverside Dental Clinic <support@riverside-dental.test> wrote:\n> We are open Monday to Friday.\n> -- \n> Riverside Dental Clinic\n",
    });
    expect(r.res.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, thread: "new" });
    // The content came from the Received Emails API, with Resend's bearer key.
    const fetch = api.requests.find((q) => q.method === "GET")!;
    expect(fetch.path).toBe(`/emails/receiving/${r.emailId}`);
    expect(fetch.headers.authorization).toBe(`Bearer ${RESEND_KEY}`);

    const m = await stored("<CAK0first@mail.gmail.com>");
    expect(m!.content).toBe("Saturday opening\n\nHi,\n\nWhat time do you open on Saturday?\n\nThanks,\nAlex");
    const c = await conversation(m!.conversationId);
    expect(c).toMatchObject({ subject: "Saturday opening", emailThreadKey: "<CAK0first@mail.gmail.com>" });

    await backgroundIdle();
    const reply = await replyTo("<CAK0first@mail.gmail.com>");
    expect(reply!.content).toMatch(/Saturday 9:00–13:00/);
    const [email] = sentTo("alex.morgan@example.com");
    expect(email!.request.headers.authorization).toBe(`Bearer ${RESEND_KEY}`);
    expect(email!.request.headers["idempotency-key"]).toBe(`prismai-${reply!.id}`);
    expect(email!.body).toMatchObject({
      from: '"Riverside Dental Clinic" <support@riverside-dental.test>',
      to: ["alex.morgan@example.com"],
      subject: "Re: Saturday opening",
      // RFC 3834: the assistant's answer is an automatic reply, so no other assistant or autoresponder answers it (no loops).
      headers: { "In-Reply-To": "<CAK0first@mail.gmail.com>", References: "<CAK0first@mail.gmail.com>", "Auto-Submitted": "auto-replied" },
    });
    expect(email!.body.reply_to).toBe(replyAddress(SUPPORT, m!.conversationId));
    expect(conversationFromAddress(email!.body.reply_to as string)).toBe(m!.conversationId);
    expect(email!.body.text).toBe(`${reply!.content}\n\n-- \nRiverside Dental Clinic\n14 Riverside Walk, Kingston`);
    expect(email!.body.html).toContain("<p style=\"margin:0 0 1em\">");
    expect(email!.body.html).toContain("Riverside Dental Clinic<br>14 Riverside Walk, Kingston");
    // The answer's delivery and its price.
    expect(reply!.deliveryStatus).toBe("queued");
    expect(reply!.providerMessageId).toBe(email!.id);
    const [cost] = await withService((tx) => rows<{ cost: number }>(tx, sql`select cost_usd::float8 as cost from cost_events where kind = 'email' and message_id = ${reply!.id}`));
    expect(cost).toEqual({ cost: 0.0004 });
  });

  it("in HTML only is read as text, without the quoted part", async () => {
    await receive({
      from: "sam.lee@example.org",
      name: "Sam Lee",
      subject: "Parking",
      messageId: "<html-only@example.org>",
      html: '<div dir="ltr">Hello,<br><br>Is there <b>parking</b> near the clinic?<br><br>Sam</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Mar 3, 2027 at 10:12 AM Riverside Dental Clinic &lt;support@riverside-dental.test&gt; wrote:<br></div><blockquote class="gmail_quote">An older message</blockquote></div>',
    });
    const m = await stored("<html-only@example.org>");
    expect(m!.content).toBe("Hello,\n\nIs there parking near the clinic?\n\nSam");
    expect(m!.metadata).toMatchObject({ email: { fromHtml: true, quotedRemoved: true } });
  });

  it("with a NUL character in the text, subject or name is kept without it: 200, never a 500 Resend would retry", async () => {
    const r = await receive({
      from: "nul.sender@example.org",
      name: "Kim\u0000 Osei",
      subject: "Late\u0000 appointments",
      messageId: "<nul-text@example.org>",
      text: "Hello,\n\nDo you\u0000 have evening appointments?\u0000\n\nKim",
    });
    expect(r.res.status).toBe(200);
    const m = await stored("<nul-text@example.org>");
    expect(m!.content).toBe("Late appointments\n\nHello,\n\nDo you have evening appointments?\n\nKim");
    expect(m!.metadata).toMatchObject({ email: { subject: "Late appointments" } });
    expect((await conversation(m!.conversationId)).subject).toBe("Late appointments");
    const [customer] = await withService((tx) => tx.select().from(s.customers).where(eq(s.customers.id, m!.customerId)));
    expect(customer!.name).toBe("Kim Osei");
  });
});

describe("threading", () => {
  it("a reply citing the thread lands in its conversation, with our quoted answer stripped", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    const r = await receive({
      subject: "Re: Saturday opening",
      messageId: "<CAK0second@mail.gmail.com>",
      headers: { "in-reply-to": "<0100018e-resend-answer@email.amazonses.com>", references: "<CAK0first@mail.gmail.com> <0100018e-resend-answer@email.amazonses.com>" },
      text: "Great, can I bring my daughter too?\n\nOn Tue, 4 Mar 2027, Riverside Dental Clinic wrote:\n> We are open Saturday 9:00–13:00.\n",
    });
    expect(r.body).toMatchObject({ thread: "references", conversationId: first!.conversationId });
    const m = await stored("<CAK0second@mail.gmail.com>");
    expect(m!.conversationId).toBe(first!.conversationId);
    expect(m!.content).toBe("Great, can I bring my daughter too?");
    await backgroundIdle();
    // Our next email keeps the thread: In-Reply-To the latest, References from the first.
    const [email] = sentTo("alex.morgan@example.com");
    expect(email!.body.headers).toEqual({
      "In-Reply-To": "<CAK0second@mail.gmail.com>",
      References: "<CAK0first@mail.gmail.com> <CAK0second@mail.gmail.com>",
      "Auto-Submitted": "auto-replied",
    });
    expect(email!.body.subject).toBe("Re: Saturday opening");
  });

  it("a reply whose client dropped the headers still lands in its thread through the reply-to address", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    const r = await receive({ to: replyAddress(SUPPORT, first!.conversationId), subject: "Re: Saturday opening", messageId: "<no-headers@mail.example.com>", text: "Also, do you take card payments?" });
    expect(r.body).toMatchObject({ thread: "reply_address", conversationId: first!.conversationId });
  });

  it("a forged reply-to tag opens nothing", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    const forged = replyAddress(SUPPORT, first!.conversationId).replace(/\.[0-9a-f]{10}@/, ".0000000000@");
    const r = await receive({ to: forged, subject: "Re: Saturday opening", messageId: "<forged@mail.example.com>", text: "Hello?" });
    expect(r.body.thread).toBe("new");
    expect(r.body.conversationId).not.toBe(first!.conversationId);
  });

  it("mail to a saved reply-to address with a new subject and no references starts a new conversation", async () => {
    // Mail clients remember the addresses they replied to: a fresh email can reach the tagged address.
    const lee = { from: "lee.park@example.org", name: "Lee Park" };
    const first = await receive({ ...lee, subject: "Crown fitting", messageId: "<lee-1@example.org>", text: "When can my crown be fitted?" });
    const tagged = replyAddress(SUPPORT, first.body.conversationId as string);
    const fresh = await receive({ ...lee, to: tagged, subject: "Invoice for my crown", messageId: "<lee-2@example.org>", text: "I think my invoice is wrong." });
    expect(fresh.body.thread).toBe("new");
    expect(fresh.body.conversationId).not.toBe(first.body.conversationId);
    expect(await conversation(fresh.body.conversationId as string)).toMatchObject({ subject: "Invoice for my crown" });
    // A gateway's prefix before "Re:" is still the same thread.
    const prefixed = await receive({ ...lee, to: tagged, subject: "[EXTERNAL] RE: Crown fitting", messageId: "<lee-3@example.org>", text: "Is Friday possible?" });
    expect(prefixed.body).toMatchObject({ thread: "reply_address", conversationId: first.body.conversationId });
  });

  it("a new subject starts a new conversation while the first is still open", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    expect((await conversation(first!.conversationId)).status).toBe("open");
    const r = await receive({ subject: "Invoice question", messageId: "<new-subject@mail.gmail.com>", text: "I was charged twice for my check-up." });
    expect(r.body.thread).toBe("new");
    expect(r.body.conversationId).not.toBe(first!.conversationId);
    // Same customer, two conversations.
    expect((await stored("<new-subject@mail.gmail.com>"))!.customerId).toBe(first!.customerId);
  });

  it("never merges mail because the subject matches", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    // Another customer with the very same subject: another customer, another conversation.
    const other = await receive({ from: "jo.smith@example.net", name: "Jo Smith", subject: "Saturday opening", messageId: "<jo-1@example.net>", text: "Are you open this Saturday?" });
    expect(other.body.conversationId).not.toBe(first!.conversationId);
    expect((await stored("<jo-1@example.net>"))!.customerId).not.toBe(first!.customerId);
    // The first customer again, same subject, but a fresh email citing nothing: a new conversation too.
    const again = await receive({ subject: "Saturday opening", messageId: "<again@mail.gmail.com>", text: "Sorry, one more question about Saturdays." });
    expect(again.body.thread).toBe("new");
    expect(again.body.conversationId).not.toBe(first!.conversationId);
  });

  it("a reply to a closed conversation continues the thread in a new one", async () => {
    const jo = await stored("<jo-1@example.net>");
    await withService((tx) => tx.update(s.conversations).set({ status: "closed", closedAt: new Date() }).where(eq(s.conversations.id, jo!.conversationId)));
    const r = await receive({ from: "jo.smith@example.net", name: "Jo Smith", subject: "Re: Saturday opening", messageId: "<jo-2@example.net>", headers: { "in-reply-to": "<jo-1@example.net>", references: "<jo-1@example.net>" }, text: "Thanks!" });
    expect(r.body.conversationId).not.toBe(jo!.conversationId);
    const c = await conversation(r.body.conversationId as string);
    expect(c).toMatchObject({ status: "open", subject: "Saturday opening", emailThreadKey: "<jo-1@example.net>" });
  });
});

describe("loops", () => {
  it.each([
    ["Auto-Submitted: auto-replied", { "auto-submitted": "auto-replied" }, "Re: Saturday opening"],
    ["Precedence: bulk", { precedence: "bulk" }, "Our newsletter"],
    ["an out-of-office subject", {}, "Out of Office: back on Monday"],
    ["X-Autoreply", { "x-autoreply": "yes" }, "Re: Saturday opening"],
  ])("an automatic email (%s) gets no answer", async (_label, headers, subject) => {
    const id = `<auto-${++n}@example.com>`;
    const r = await receive({ subject, headers, messageId: id, text: "I am away until Monday and will reply when I return." });
    expect(r.res.status).toBe(200);
    expect(String(r.body.ignored)).toMatch(/Automatic email/);
    await backgroundIdle();
    expect(await stored(id)).toBeUndefined();
    expect(api.sent).toHaveLength(0);
  });

  it("mail from the channel's own address is ignored", async () => {
    const r = await receive({ from: SUPPORT, name: "Riverside Dental Clinic", subject: "Re: Saturday opening", messageId: "<own@riverside-dental.test>", text: "We are open 9 to 1." });
    expect(r.body.ignored).toBe("Mail from this channel's own address is never answered.");
    expect(await stored("<own@riverside-dental.test>")).toBeUndefined();
  });
});

describe("signatures, replays and malformed bodies", () => {
  const event = () => resendFixture("email-received", { data: { email_id: "sig-test", to: [SUPPORT], from: "alex.morgan@example.com" } });

  it("refuses a wrong secret, a tampered body, missing headers and an old timestamp with 401 and the reason", async () => {
    const wrong = await POST(await resendRequest(URL_, event(), { secret: `whsec_${Buffer.alloc(24, 1).toString("base64")}` }));
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toMatch(/svix signature does not match/);

    const signed = await resendRequest(URL_, event());
    const tampered = new Request(URL_, { method: "POST", headers: signed.headers, body: JSON.stringify({ ...event(), type: "email.bounced" }) });
    expect((await POST(tampered)).status).toBe(401);

    const unsigned = await POST(await resendRequest(URL_, event(), { signature: null }));
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error.message).toBe("The svix-id, svix-timestamp and svix-signature headers are required.");

    const stale = await POST(await resendRequest(URL_, event(), { at: new Date(Date.now() - 10 * 60_000) }));
    expect(stale.status).toBe(401);
    expect(api.requests).toHaveLength(0);
  });

  it("handles a replayed event (same svix-id) once", async () => {
    const id = svixId();
    const first = await receive({ subject: "Whitening", messageId: "<replay@mail.gmail.com>", text: "How much is whitening?" }, { id });
    expect(first.body.thread).toBe("new");
    const again = await POST(await resendRequest(URL_, first.event, { id }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    await backgroundIdle();
    const [{ count }] = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from messages where provider_message_id = '<replay@mail.gmail.com>'`));
    expect(count).toBe(1);
    expect(sentTo("alex.morgan@example.com")).toHaveLength(1);
  });

  it("the same email under a second event is still one message", async () => {
    const again = await receive({ subject: "Whitening", messageId: "<replay@mail.gmail.com>", text: "How much is whitening?" });
    expect(again.body.ignored).toBe("This email was already received.");
  });

  it("answers malformed bodies with 400 and what is wrong", async () => {
    const notJson = await POST(await resendRequest(URL_, "{not json"));
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.message).toBe("The body is not valid JSON.");
    const noId = await POST(await resendRequest(URL_, { type: "email.received", data: { from: "a@b.co", to: [SUPPORT] } }));
    expect(noId.status).toBe(400);
    expect((await noId.json()).error.message).toMatch(/data\.email_id is required|email_id/);
    const noData = await POST(await resendRequest(URL_, { type: "email.received" }));
    expect(noData.status).toBe(400);
  });

  it("retries the content fetch, and a Resend outage becomes a 5xx that Resend's retry recovers from", async () => {
    api.failNext({ status: 500, body: { statusCode: 500, message: "Internal server error", name: "internal_server_error" } });
    const ok = await receive({ subject: "Implants", messageId: "<flaky@mail.gmail.com>", text: "How much is an implant?" });
    expect(ok.res.status).toBe(200);
    expect(api.requests.filter((q) => q.method === "GET")).toHaveLength(2);

    const id = svixId();
    api.failNext({ status: 503, body: { statusCode: 503, message: "Service unavailable", name: "application_error" } }, 3);
    const down = await receive({ subject: "Invisalign", messageId: "<outage@mail.gmail.com>", text: "Do you do Invisalign?" }, { id });
    expect(down.res.status).toBe(500);
    expect(await stored("<outage@mail.gmail.com>")).toBeUndefined();
    const retried = await POST(await resendRequest(URL_, down.event, { id }));
    expect(retried.status).toBe(200);
    // The subject is already in the text, so it is not repeated above it.
    expect((await stored("<outage@mail.gmail.com>"))!.content).toBe("Do you do Invisalign?");
  });
});

describe("outbound email", () => {
  it("retries a rate-limited send and gives up on a refused one, saying why", async () => {
    const r = await receive({ from: "kim@example.com", name: "Kim", subject: "Check-up price", messageId: "<kim-1@example.com>", text: "How much does a check-up cost?" });
    expect(r.res.status).toBe(200);
    api.failNext({ status: 429, body: { statusCode: 429, message: "Too many requests", name: "rate_limit_exceeded" } });
    await backgroundIdle();
    expect(sentTo("kim@example.com")).toHaveLength(1);
    expect((await replyTo("<kim-1@example.com>"))!.metadata).toMatchObject({ delivery: { transport: "resend", attempts: 2 } });

    await receive({ from: "kim@example.com", name: "Kim", subject: "Filling", messageId: "<kim-2@example.com>", text: "How much is a filling?" });
    api.failNext({ status: 422, body: { statusCode: 422, message: "Invalid `to` field.", name: "validation_error" } });
    await backgroundIdle();
    const refused = await replyTo("<kim-2@example.com>");
    expect(refused!.deliveryStatus).toBe("failed");
    expect(refused!.metadata).toMatchObject({ delivery: { error: { status: 422, message: "Invalid `to` field." } } });
  });

  it("a staff reply from the inbox goes out by email in the thread", async () => {
    const first = await stored("<CAK0first@mail.gmail.com>");
    const { messageId } = await actOnConversation({ ctx, input: { id: first!.conversationId, action: { action: "reply", text: "Hi Alex, this is Sam at reception: yes, bring her along." } } }, { defer: () => undefined });
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    const [email] = sentTo("alex.morgan@example.com");
    expect(email!.body.text).toMatch(/^Hi Alex, this is Sam at reception: yes, bring her along\.\n\n-- \n/);
    expect(email!.body.subject).toBe("Re: Saturday opening");
    expect((email!.body.headers as Record<string, string>).References.split(" ")[0]).toBe("<CAK0first@mail.gmail.com>");
    // A person wrote this one: it is not marked as an automatic reply.
    expect(email!.body.headers).not.toHaveProperty("Auto-Submitted");
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.messageId, messageId!)));
    expect(row).toMatchObject({ status: "sent", providerMessageId: email!.id });
  });
});

describe("the platform's own mail", () => {
  it("goes out through Resend from EMAIL_FROM, once per outbox row, and a bad recipient fails with why", async () => {
    const row = await withService((tx) => enqueueEmail(tx, { businessId: null, to: "dana@riverside-dental.test", subject: "Reset your PrismAI password", body: "Open this link to choose a new password: http://localhost:3000/reset-password?token=abc" }));
    const bad = await withService((tx) => enqueueEmail(tx, { businessId: DEMO_BUSINESS_ID, to: "(no address on file)", subject: "x", body: "y" }));
    const drained = await drainSystemMail();
    expect(drained.sent).toBeGreaterThanOrEqual(1);
    const [email] = sentTo("dana@riverside-dental.test");
    expect(email!.body).toMatchObject({ from: "PrismAI <notifications@prismai.test>", subject: "Reset your PrismAI password", text: expect.stringContaining("choose a new password") });
    expect(email!.request.headers["idempotency-key"]).toBe(`prismai-outbox-${row.id}`);
    const [after] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, row.id)));
    expect(after).toMatchObject({ status: "sent", providerMessageId: email!.id });
    const [failed] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, bad.id)));
    expect(failed).toMatchObject({ status: "failed", error: "The recipient is not an email address." });
    // Customer replies are not system mail: they wait for their channel's sender.
    expect(api.sent.every((e) => e.body.from === "PrismAI <notifications@prismai.test>")).toBe(true);
  });
});

describe("delivery events", () => {
  const event = (name: "email-delivered" | "email-bounced" | "email-complained", emailId: string, to: string, bounceType?: string) =>
    resendFixture(name, { data: { email_id: emailId, from: `Riverside Dental Clinic <${SUPPORT}>`, to: [to], ...(bounceType ? { bounce: { type: bounceType } } : {}) } });
  const identity = async (address: string) =>
    (await withService((tx) => tx.select().from(s.customerIdentities).where(and(eq(s.customerIdentities.kind, "email"), eq(s.customerIdentities.valueHash, identityHash({ kind: "email", value: address }))))))[0]!;

  it("delivered moves our message forward; a late 'sent' never moves it back", async () => {
    const reply = await replyTo("<CAK0first@mail.gmail.com>");
    expect((await POST(await resendRequest(URL_, event("email-delivered", reply!.providerMessageId!, "alex.morgan@example.com")))).status).toBe(200);
    const sentLate = resendFixture("email-delivered", { type: "email.sent", data: { email_id: reply!.providerMessageId!, from: SUPPORT, to: ["alex.morgan@example.com"] } });
    await POST(await resendRequest(URL_, sentLate));
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, reply!.id)));
    expect(after!.deliveryStatus).toBe("delivered");
    expect(Object.keys((after!.metadata as { statuses: object }).statuses).sort()).toEqual(["delivered", "sent"]);
  });

  it("a transient bounce leaves the address alone; a hard bounce marks it undeliverable and nothing more is sent to it", async () => {
    const reply = await replyTo("<html-only@example.org>");
    await POST(await resendRequest(URL_, event("email-bounced", reply!.providerMessageId!, "sam.lee@example.org", "Transient")));
    expect((await identity("sam.lee@example.org")).undeliverable).toBe(false);

    const res = await POST(await resendRequest(URL_, event("email-bounced", reply!.providerMessageId!, "sam.lee@example.org", "Permanent")));
    expect(await res.json()).toMatchObject({ matched: true, undeliverable: 1 });
    expect((await identity("sam.lee@example.org")).undeliverable).toBe(true);
    const [bounced] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, reply!.id)));
    expect(bounced).toMatchObject({ deliveryStatus: "undelivered", metadata: expect.objectContaining({ deliveryError: expect.objectContaining({ type: "Permanent" }) }) });

    api.reset();
    const result = await deliverStoredMessage({ businessId: DEMO_BUSINESS_ID, messageId: reply!.id, purpose: "staff" });
    expect(result).toMatchObject({ status: "skipped", reason: "no_address" });
    expect(api.sent).toHaveLength(0);
  });

  it("a complaint marks the address undeliverable", async () => {
    const reply = await replyTo("<jo-1@example.net>");
    await POST(await resendRequest(URL_, event("email-complained", reply!.providerMessageId!, "jo.smith@example.net")));
    expect((await identity("jo.smith@example.net")).undeliverable).toBe(true);
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, reply!.id)));
    expect(after!.metadata).toMatchObject({ complained: true });
  });

  it("events about mail not sent from an email channel are acknowledged and ignored", async () => {
    const res = await POST(await resendRequest(URL_, resendFixture("email-delivered", { data: { from: "PrismAI <notifications@prismai.test>" } })));
    expect(await res.json()).toEqual({ ok: true, ignored: "Not sent from an email channel (system mail)." });
  });
});
