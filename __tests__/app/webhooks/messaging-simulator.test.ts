// Embedded mode, nothing configured: email, a simulated Telegram bot, Instagram and WhatsApp (Cloud
// API) connected without tokens. The Channel simulator hands each real webhook handler the signed
// request its provider would send, answers land in the dev outbox, staff replies and tests stay there
// too, and nothing leaves the machine.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { connectTelegramChannel } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel, connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";
import { sendTestMessage } from "@/lib/channels/common/outbound";
import { drainChannelOutbox } from "@/lib/channels/delivery";
import { simulate as simulateMessaging, simulatorReplies } from "@/lib/channels/simulator";
import { messagingChannelView } from "@/lib/channels/common/dashboard";
import { drainSystemMail } from "@/lib/channels/email/system-mail";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { POST as resendPost } from "@/app/api/webhooks/resend/route";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { resendFixture, resendRequest } from "../../fixtures/resend";
import { simulatorSigningSecret } from "@/lib/channels/email/svix";

let ctx: MemberCtx;
const SUPPORT = "hello@riverside.test";

async function play(input: Record<string, unknown>) {
  const since = new Date(Date.now() - 5);
  const r = await simulateMessaging({ ctx, input });
  await backgroundIdle();
  return { ...r, replies: await simulatorReplies(DEMO_BUSINESS_ID, input.type as never, since) };
}

beforeAll(async () => {
  ctx = await useDemoBusiness();
  await connectEmailChannel({ ctx, input: { address: SUPPORT } });
  await connectTelegramChannel({ ctx, input: { username: "riverside_demo_bot" } });
  await connectInstagramChannel({ ctx, input: { accountId: "17841400000000042", username: "riversidedental" } });
  await connectWhatsAppCloudChannel({ ctx, input: { phoneNumberId: "106540352240042", displayPhoneNumber: "+15550780042" } });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("the Channel simulator", () => {
  it("email: a new email is answered in the dev outbox, in the thread, and a reply stays in it", async () => {
    const first = await play({ type: "email", subject: "Opening hours", text: "When are you open on Thursday?" });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ thread: "new" });
    expect(first.replies).toHaveLength(1);
    expect(first.replies[0]).toMatchObject({ subject: "Re: Opening hours", body: expect.stringMatching(/Thursday 8:30–20:00[\s\S]*\n\n-- \nRiverside Dental Clinic$/) });

    const second = await play({ type: "email", text: "Great, and on Saturday?", reply: true });
    expect(second.body).toMatchObject({ thread: "reply_address", conversationId: first.body.conversationId });
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.subject, "Re: Opening hours")).orderBy(sql`created_at desc`).limit(1));
    expect((row!.payload as { headers: Record<string, string> }).headers["In-Reply-To"]).toMatch(/^<sim\./);
    expect(row!.recipient).toBe("a•••@example.com");
  });

  it("shows the customer it plays the rate limit's notice (a reply with no stored message), and no one else", async () => {
    const [business] = await withService((tx) => tx.select().from(s.businesses).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    await withService((tx) => tx.update(s.businesses).set({ limits: { ...(business!.limits as object), customerMinIntervalSeconds: 2 } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    const since = new Date(Date.now() - 5);
    await simulateMessaging({ ctx, input: { type: "telegram", from: "700100321", text: "Hello there" } });
    await simulateMessaging({ ctx, input: { type: "telegram", from: "700100321", text: "Are you there?" } });
    await backgroundIdle();
    const replies = await simulatorReplies(DEMO_BUSINESS_ID, "telegram", since, "700100321");
    expect(replies.map((r) => r.body)).toContain("You're sending messages a little fast. Please wait a couple of seconds and try again.");
    expect(await simulatorReplies(DEMO_BUSINESS_ID, "telegram", since, "700100999")).toEqual([]);
    await withService((tx) => tx.update(s.businesses).set({ limits: business!.limits }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
  });

  it("email: an automatic reply is refused, and says why", async () => {
    const r = await play({ type: "email", subject: "Automatic reply: Opening hours", text: "I'm away.", headers: { "auto-submitted": "auto-replied" } });
    expect(r.status).toBe(200);
    expect(r.error).toBe("Automatic email (Auto-Submitted: auto-replied): not answered.");
    expect(r.replies).toHaveLength(0);
  });

  it("telegram: /start gets the greeting, a question gets an answer", async () => {
    const start = await play({ type: "telegram", text: "/start" });
    expect(start.replies.map((m) => m.body)).toEqual(["Hi! I'm the Riverside Dental assistant. Ask me about appointments, prices or treatments."]);
    const q = await play({ type: "telegram", text: "How much is teeth whitening?" });
    expect(q.replies[0]!.body).toMatch(/£295/);
  });

  it("instagram and whatsapp: answered in the dev outbox", async () => {
    expect((await play({ type: "instagram", text: "Do you treat children?" })).replies[0]!.body).toMatch(/children/i);
    const wa = await play({ type: "whatsapp-cloud", text: "Do you offer payment plans?" });
    expect(wa.replies[0]!.body).toMatch(/12 months/);
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(and(eq(s.outbox.channelKind, "whatsapp"), eq(s.outbox.body, wa.replies[0]!.body))));
    expect(row!.recipient).toBe("+44••••••0123");
  });

  it("refuses to play a live channel", async () => {
    await connectInstagramChannel({ ctx, input: { accountId: "17841400000000042", accessToken: "EAAGtokenThatMakesTheChannelLive0123456789" } });
    await expect(simulateMessaging({ ctx, input: { type: "instagram", text: "hi" } })).rejects.toMatchObject({ status: 403 });
    await connectInstagramChannel({ ctx, input: { accountId: "17841400000000042", clearToken: true } });
    expect((await simulateMessaging({ ctx, input: { type: "instagram", text: "hi again" } })).status).toBe(200);
    await backgroundIdle();
  });
});

describe("embedded mode", () => {
  it("inbound email without the simulator's content is refused with the reason", async () => {
    const event = resendFixture("email-received", { data: { to: [SUPPORT] } });
    const res = await resendPost(await resendRequest("http://localhost:3000/api/webhooks/resend", event, { secret: simulatorSigningSecret() }));
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toBe("In embedded mode inbound email comes from the Channel simulator, which sends its content with the event.");
  });

  it("a staff reply is recorded in the dev outbox and nothing else is sent", async () => {
    const [c] = await withService((tx) => rows<{ id: string }>(tx, sql`select c.id from conversations c join channels ch on ch.id = c.channel_id where ch.kind = 'telegram' limit 1`));
    const { messageId } = await actOnConversation({ ctx, input: { id: c!.id, action: { action: "reply", text: "Hi, Sam here." } } }, { defer: () => undefined });
    const before = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from outbox`));
    expect(await drainChannelOutbox({ businessId: DEMO_BUSINESS_ID })).toEqual({ sent: 1, failed: 0, retrying: 0 });
    const after = await withService((tx) => rows<{ count: number }>(tx, sql`select count(*)::int as count from outbox`));
    expect(after[0]!.count).toBe(before[0]!.count);
    const [m] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, messageId!)));
    expect(m!.deliveryStatus).toBe("outbox");
  });

  it("the platform's own mail stays in the dev outbox", async () => {
    expect(await drainSystemMail()).toEqual({ sent: 0, failed: 0, retrying: 0, skipped: "embedded" });
  });

  it("the test button sends to the dev outbox, for owners and admins only", async () => {
    const r = await sendTestMessage({ ctx, input: { kind: "email", to: "owner@riverside.test" } });
    expect(r).toMatchObject({ transport: "outbox", status: "queued" });
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.id, r.outboxIds[0]!)));
    expect(row).toMatchObject({ subject: "Test email from Riverside Dental Clinic", body: "Test message from Riverside Dental Clinic: your Email channel works.\n\n-- \nRiverside Dental Clinic" });
    await expect(sendTestMessage({ ctx, input: { kind: "whatsapp-cloud", to: "not a number" } })).rejects.toMatchObject({ status: 400 });
    const agent: MemberCtx = { ...ctx, actor: { ...ctx.actor, role: "agent" } };
    await expect(sendTestMessage({ ctx: agent, input: { kind: "email", to: "owner@riverside.test" } })).rejects.toMatchObject({ status: 403 });
  });

  it("each page shows what to paste, the verify token to owners only, and that the channel is simulated", async () => {
    const userId = (ctx.actor as { userId: string }).userId;
    const email = await messagingChannelView(userId, DEMO_BUSINESS_ID, "email", { canManage: true });
    expect(email).toMatchObject({ transport: "outbox", simulated: true, paste: [{ value: "http://localhost:3000/api/webhooks/resend" }, { value: "riverside.test" }] });
    const wa = await messagingChannelView(userId, DEMO_BUSINESS_ID, "whatsapp-cloud", { canManage: true });
    expect(wa.paste.map((p) => p.label)).toEqual(["Callback URL", "Verify token"]);
    expect(wa.paste[0]!.value).toBe("http://localhost:3000/api/webhooks/meta/whatsapp");
    expect(wa.paste[1]!.value).toMatch(/^prismai_/);
    const asAgent = await messagingChannelView(userId, DEMO_BUSINESS_ID, "whatsapp-cloud", { canManage: false });
    expect(asAgent.paste.map((p) => p.label)).toEqual(["Callback URL"]);
    const telegram = await messagingChannelView(userId, DEMO_BUSINESS_ID, "telegram", { canManage: true });
    expect(telegram).toMatchObject({ account: "Simulated bot @riverside_demo_bot (no token)", simulated: true, hasSecret: false });
  });
});
