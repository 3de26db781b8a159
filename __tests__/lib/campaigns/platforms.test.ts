// Telegram and Instagram only where the platform lets a business write first, through the real job,
// outbox and the local Bot API and Graph API stand-ins. Telegram: to people who have messaged the bot
// and not blocked it (a 403 "bot was blocked by the user" is remembered until they write again).
// Instagram: within 24 hours of the customer's last message, as a RESPONSE; never on the 7-day
// human-agent tag. Anyone else is skipped with the reason.
import { eq } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTelegramChannel } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel } from "@/lib/channels/meta/channels";
import { storeInbound } from "@/lib/pipeline/inbound";
import { sealIdentity } from "@/lib/pipeline/identities";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { recordConsent } from "@/lib/campaigns/consent";
import { runCampaigns } from "@/lib/campaigns/send";
import { countAudience, getCampaign, previewCampaign, saveCampaign, startCampaign } from "@/lib/campaigns/service";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { useMeta, useTelegram } from "../../helpers/providers";
import { BOT } from "../../fixtures/telegram";
import { ACCESS_TOKEN, IG_ACCOUNT } from "../../fixtures/meta";

const HOUR = 3600_000;
// The send paths read the real clock for Instagram's window, so the campaign's clock is now, and the
// business's zone one where now is around noon (inside its allowed hours, whenever the suite runs).
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ZONE = (() => {
  const ahead = 12 - NOW.getUTCHours();
  const clamped = Math.max(-11, Math.min(12, ahead));
  return clamped === 0 ? "Etc/GMT" : `Etc/GMT${clamped > 0 ? "-" : "+"}${Math.abs(clamped)}`;
})();

let telegram: Awaited<ReturnType<typeof useTelegram>>;
let meta: Awaited<ReturnType<typeof useMeta>>;
let ctx: MemberCtx;
const channel = { telegram: "", instagram: "" };
let n = 0;

/** A customer who wrote on the channel `ago` before now and agreed to offers there. */
async function customer(kind: "telegram" | "instagram", name: string, ago: number) {
  const value = kind === "telegram" ? String(700200300 + ++n) : `1784140000000${1000 + ++n}`;
  const stored = await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel[kind], channelKind: kind, from: { kind, value }, name, text: "Hi, are you open on Saturday?" });
  await withService(async (tx) => {
    await tx.update(s.customers).set({ name, tags: ["platforms"] }).where(eq(s.customers.id, stored.customerId));
    await tx.update(s.messages).set({ createdAt: new Date(NOW.getTime() - ago) }).where(eq(s.messages.customerId, stored.customerId));
    await recordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: stored.customerId, channelKind: kind, granted: true, source: "contact_form", wording: "Send me offers" });
  });
  return { id: stored.customerId, value };
}

const campaign = (name: string) => ({
  name,
  audience: { tags: ["platforms"], consent: true },
  channelKinds: ["telegram", "instagram"],
  body: "Hi {{first_name}}, Saturday check-ups are back at Riverside.",
});

beforeAll(async () => {
  telegram = await useTelegram([]);
  telegram.bots.set(BOT.token, { id: BOT.id, username: BOT.username });
  meta = await useMeta();
  meta.tokens.set(IG_ACCOUNT, { token: ACCESS_TOKEN, product: "instagram" });
  ctx = await useDemoBusiness();
  channel.telegram = (await connectTelegramChannel({ ctx, input: { botToken: BOT.token } })).channel.id;
  channel.instagram = (await connectInstagramChannel({ ctx, input: { accountId: IG_ACCOUNT, username: "@riversidedental", accessToken: ACCESS_TOKEN } })).id;
  await withService(async (tx) => {
    await setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 500 });
    await tx.update(s.businesses).set({ timeZone: ZONE }).where(eq(s.businesses.id, DEMO_BUSINESS_ID));
  });
});
afterAll(async () => {
  await closeDb();
  await telegram.stop();
  await meta.stop();
});

describe("Telegram and Instagram campaigns", () => {
  let tina: { id: string; value: string }, bo: { id: string; value: string }, ivy: { id: string; value: string }, ian: { id: string; value: string };

  it("send to whoever may be written to, and skip the rest with the platform's reason", async () => {
    tina = await customer("telegram", "Tina Telegram", 5 * 24 * HOUR);
    bo = await customer("telegram", "Bo Blocker", 2 * 24 * HOUR);
    ivy = await customer("instagram", "Ivy Insta", 2 * HOUR);
    ian = await customer("instagram", "Ian Insta", 3 * 24 * HOUR);
    // a Telegram id typed in by staff, for someone who never messaged the bot: the bot cannot write first
    const silent = await withService(async (tx) => {
      const [c] = await tx.insert(s.customers).values({ businessId: DEMO_BUSINESS_ID, name: "Sid Silent", tags: ["platforms"] }).returning();
      await tx.insert(s.customerIdentities).values({ businessId: DEMO_BUSINESS_ID, customerId: c!.id, ...sealIdentity({ kind: "telegram", value: "700999999" }) });
      await recordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: c!.id, channelKind: "telegram", granted: true, source: "staff", wording: "Said yes at the desk" });
      return c!.id;
    });
    expect((await countAudience({ ctx, input: { tags: ["platforms"], channels: ["telegram"], consent: true } })).count).toBe(2);
    telegram.blocked.add(bo.value);

    const id = (await saveCampaign({ ctx, input: { campaign: campaign("Saturdays") } })).id;
    const { estimate } = await previewCampaign({ ctx, input: { id, now: NOW } });
    expect(estimate).toMatchObject({ recipients: 4, sending: 3, skipped: { "outside Instagram's 24-hour window": 1 } });
    await startCampaign({ ctx, input: { id, now: NOW } });
    await runCampaigns({ now: NOW, campaignId: id });

    expect(telegram.sent.map((m) => String(m.chat_id))).toEqual([tina.value]);
    expect(telegram.sent[0]!.text).toContain("Hi Tina, Saturday check\\-ups are back at Riverside\\.");
    const igSends = meta.requests.filter((r) => r.path.endsWith(`/${IG_ACCOUNT}/messages`));
    expect(igSends.map((r) => r.json)).toEqual([{ recipient: { id: ivy.value }, messaging_type: "RESPONSE", message: { text: "Hi Ivy, Saturday check-ups are back at Riverside." } }]);

    const byCustomer = new Map((await getCampaign({ ctx, input: { id } })).recipients.map((r) => [r.customerId, r]));
    expect(byCustomer.get(tina.id)).toMatchObject({ channel: "telegram", status: "sent" });
    expect(byCustomer.get(ivy.id)).toMatchObject({ channel: "instagram", status: "sent" });
    expect(byCustomer.get(ian.id)).toMatchObject({ channel: "instagram", status: "skipped", reason: "outside Instagram's 24-hour window" });
    expect(byCustomer.get(bo.id)).toMatchObject({ channel: "telegram", status: "failed", reason: "Forbidden: bot was blocked by the user" });
    expect(byCustomer.has(silent)).toBe(false);
  });

  it("remembers the block: the next campaign skips Bo with the reason, until he writes to the bot again", async () => {
    const id = (await saveCampaign({ ctx, input: { campaign: campaign("Saturdays, again") } })).id;
    expect((await previewCampaign({ ctx, input: { id, now: NOW } })).estimate.skipped).toEqual({ "blocked the Telegram bot": 1, "outside Instagram's 24-hour window": 1 });
    telegram.sent.length = 0;
    await startCampaign({ ctx, input: { id, now: NOW } });
    await runCampaigns({ now: NOW, campaignId: id });
    const byCustomer = new Map((await getCampaign({ ctx, input: { id } })).recipients.map((r) => [r.customerId, r]));
    expect(byCustomer.get(bo.id)).toMatchObject({ status: "skipped", reason: "blocked the Telegram bot" });
    expect(telegram.sent.map((m) => String(m.chat_id))).toEqual([tina.value]);

    // Bo unblocks the bot and writes: he can be sent to again
    telegram.blocked.delete(bo.value);
    await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel.telegram, channelKind: "telegram", from: { kind: "telegram", value: bo.value }, text: "/start" });
    const third = (await saveCampaign({ ctx, input: { campaign: campaign("Saturdays, third") } })).id;
    expect((await previewCampaign({ ctx, input: { id: third, now: NOW } })).estimate).toMatchObject({ sending: 3, skipped: { "outside Instagram's 24-hour window": 1 } });
  });

  it("checks Instagram's window again when the message goes: closed since the plan, the recipient is skipped, nothing sent", async () => {
    const late = await customer("instagram", "Lia Late", 23 * HOUR + 50 * 60_000);
    await withService((tx) => tx.update(s.customers).set({ tags: ["late"] }).where(eq(s.customers.id, late.id)));
    const id = (await saveCampaign({ ctx, input: { campaign: { ...campaign("Late"), audience: { tags: ["late"], consent: true } } } })).id;
    await startCampaign({ ctx, input: { id, now: NOW } });
    // the job runs 20 minutes later: Lia's 24 hours are over
    meta.requests.length = 0;
    await runCampaigns({ now: new Date(NOW.getTime() + 20 * 60_000), campaignId: id });
    const [lia] = (await getCampaign({ ctx, input: { id } })).recipients;
    expect(lia).toMatchObject({ customerId: late.id, status: "skipped", reason: "outside Instagram's 24-hour window" });
    expect(meta.requests.filter((r) => r.path.endsWith("/messages"))).toHaveLength(0);
  });
});
