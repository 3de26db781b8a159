// A campaign from audience to phones, against the local Twilio REST stand-in: the live count, consent
// (no consent, no send; STOP in Spanish), quiet hours in each recipient's zone, the estimate and the
// budget's refusal, the job killed mid-campaign and run again (0 duplicates, 0 skipped), the budget
// running out mid-way (paused, then resumed), WhatsApp's template outside the 24-hour window,
// per-recipient status, replies, A/B with a holdout, and estimate against actual.
import { eq, inArray, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { storeInbound } from "@/lib/pipeline/inbound";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { consentHistory, consentKeyword, findUnsubscribeLink, recordConsent, recordKeywordConsent, unsubscribeByLink, unsubscribeToken } from "@/lib/campaigns/consent";
import { campaignContext } from "@/lib/campaigns/context";
import { allowedAt, recipientLocale } from "@/lib/campaigns/quiet-hours";
import { runCampaigns, variantOf } from "@/lib/campaigns/send";
import { controlCampaign, countAudience, getCampaign, previewCampaign, saveCampaign, startCampaign } from "@/lib/campaigns/service";
import { JOBS } from "@/lib/jobs";
import { conversationSummary } from "@/lib/db/reports";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness, useTwilio } from "../../helpers/demo";
import { navigationOutcome } from "../../helpers/next-request";
import UnsubscribePage from "@/app/unsubscribe/[token]/page";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP, fixture, twilioRequest } from "../../fixtures/twilio";
import { POST as statusPost } from "@/app/api/webhooks/twilio/status/route";

const STATUS_URL = `${ORIGIN}/api/webhooks/twilio/status`;

const TAG = "spring-list";
const TEMPLATE = { name: "spring_offer", contentSid: "HX0123456789abcdef0123456789abcdef", body: "Hello from Bright Smile: our spring check-up offer is on. Reply to book." };
let api: Awaited<ReturnType<typeof useTwilio>>;
let ctx: MemberCtx;
const channel = { sms: "", whatsapp: "" };
// yesterday 15:00 UTC: 10:00 in New York, 05:00 in Honolulu
const NOW = new Date(Math.floor((Date.now() - 86_400_000) / 86_400_000) * 86_400_000 + 15 * 3600_000);
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

let n = 0;
const nyPhone = () => `+1212555${String(1000 + ++n)}`;
const sends = () => api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));

/** A customer who wrote on a channel (so the business knows their number), tagged for this suite. */
async function customer(kind: "sms" | "whatsapp", phone: string, name: string, opts: { consent?: boolean; text?: string } = {}) {
  const stored = await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel[kind], channelKind: kind, from: { kind: "phone", value: phone }, name, text: opts.text ?? "Hi, what time do you open?" });
  await withService(async (tx) => {
    await tx.update(s.customers).set({ name, tags: [TAG], lastSeenAt: new Date(NOW.getTime() - 30 * 86_400_000) }).where(eq(s.customers.id, stored.customerId));
    if (opts.consent !== false) {
      await recordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: stored.customerId, channelKind: kind, granted: true, source: "contact_form", wording: "Text me offers from Bright Smile" });
    }
  });
  return stored.customerId;
}

const campaignInput = (over: Record<string, unknown> = {}) => ({
  name: "Spring check-ups",
  audience: { tags: [TAG], channels: ["sms", "whatsapp"], consent: false },
  channelKinds: ["sms", "whatsapp"],
  mode: "template",
  body: "Hi {{first_name}}, {{business}} has spring check-ups at 20% off until 30 April.",
  waContentSid: TEMPLATE.contentSid,
  brief: "Spring check-ups at 20% off for new and existing patients, booked by 30 April; not with other offers.",
  ...over,
});

const recipientsOf = (campaignId: string) => withService((tx) => tx.select().from(s.campaignRecipients).where(eq(s.campaignRecipients.campaignId, campaignId)));

const nyIds: string[] = [];
let hawaii: string;
/** every Honolulu customer made (one more each time the A/B split held the last one out) */
const hawaiians = new Set<string>();
let extraHawaiians = 0;
let noConsent: string;
let waOld: string;

beforeAll(async () => {
  api = await useTwilio({ attempts: 2, startingDelayMs: 5, maxDelayMs: 10 });
  ctx = await useDemoBusiness();
  channel.sms = (await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN } })).id;
  channel.whatsapp = (
    await connectTwilioChannel({ ctx, input: { kind: "whatsapp", address: OUR_WHATSAPP, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN, settings: { templates: [TEMPLATE] } } })
  ).id;
  for (let i = 0; i < 24; i++) nyIds.push(await customer("sms", nyPhone(), `Pat Number${i}`));
  hawaii = await customer("sms", "+18085550199", "Kai Akana");
  hawaiians.add(hawaii);
  noConsent = await customer("sms", nyPhone(), "Noel Noconsent", { consent: false });
  waOld = await customer("whatsapp", "+447700900555", "Wren Whatsapp");
  // everyone last wrote before the campaign; Wren three days before: outside WhatsApp's 24-hour window
  await withService(async (tx) => {
    await tx.update(s.messages).set({ createdAt: new Date(NOW.getTime() - 2 * 86_400_000) }).where(inArray(s.messages.customerId, [...nyIds, hawaii, noConsent]));
    await tx.update(s.messages).set({ createdAt: new Date(NOW.getTime() - 3 * 86_400_000) }).where(eq(s.messages.customerId, waOld));
  });
  await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 500 }));
});
beforeEach(() => api.reset());
afterAll(async () => {
  await closeDb();
  await api.stop();
});

describe("the audience", () => {
  it("counts live as the filter changes: consent, a conversation's words, trust", async () => {
    const all = await countAudience({ ctx, input: { tags: [TAG], consent: false } });
    expect(all.count).toBe(27);
    expect((await countAudience({ ctx, input: { tags: [TAG], consent: true } })).count).toBe(26);
    expect((await countAudience({ ctx, input: { tags: [TAG], consent: false, channels: ["whatsapp"] } })).count).toBe(1);
    await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: channel.sms, channelKind: "sms", from: { kind: "phone", value: "+18085550199" }, text: "Do you do teeth whitening?" });
    const whitening = await countAudience({ ctx, input: { tags: [TAG], consent: false, conversationText: "WHITENING" } });
    expect(whitening).toEqual({ count: 1, sample: ["Kai Akana"] });
    expect((await countAudience({ ctx, input: { tags: [TAG], consent: false, trustMin: 90 } })).count).toBe(0);
    await expect(countAudience({ ctx, input: { trustMin: 80, trustMax: 20 } })).rejects.toThrow("The lowest trust score is above the highest.");
  });
});

describe("consent", () => {
  it("STOP in Spanish revokes SMS consent in the ledger, with its wording", async () => {
    const id = nyIds[23]!;
    expect(consentKeyword("BAJA")).toBe("opt_out");
    await withService((tx) => recordKeywordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: id, channelKind: "sms", keyword: "opt_out", wording: "BAJA" }));
    const ledger = await withService((tx) => consentHistory(tx, DEMO_BUSINESS_ID, id));
    expect(ledger[0]).toMatchObject({ channelKind: "sms", granted: false, source: "keyword", wording: "BAJA" });
    expect(ledger[1]).toMatchObject({ granted: true, source: "contact_form" });
    expect((await countAudience({ ctx, input: { tags: [TAG], consent: true } })).count).toBe(25);
  });
});

describe("the email unsubscribe link", () => {
  it("revokes email consent with the link as its source, once; a forged link is refused", async () => {
    const id = nyIds[22]!;
    await withService((tx) => recordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: id, channelKind: "email", granted: true, source: "contact_form", wording: "Email me offers" }));
    const token = unsubscribeToken(DEMO_BUSINESS_ID, id, "email");
    expect(await withService((tx) => findUnsubscribeLink(tx, token))).toEqual({ businessName: "Riverside Dental Clinic", unsubscribed: false });
    await withService((tx) => unsubscribeByLink(tx, token));
    await withService((tx) => unsubscribeByLink(tx, token));
    const ledger = (await withService((tx) => consentHistory(tx, DEMO_BUSINESS_ID, id))).filter((e) => e.channelKind === "email");
    expect(ledger.map((e) => [e.granted, e.source])).toEqual([
      [false, "unsubscribe_link"],
      [true, "contact_form"],
    ]);
    expect(await withService((tx) => findUnsubscribeLink(tx, token))).toEqual({ businessName: "Riverside Dental Clinic", unsubscribed: true });
    await expect(withService((tx) => unsubscribeByLink(tx, `${token}x`))).rejects.toThrow("This unsubscribe link is not valid.");
  });

  it("the page answers a link it did not sign, even a malformed escape, with a 404", async () => {
    for (const token of ["%E0%A4%A", "not-a-token", `${unsubscribeToken(DEMO_BUSINESS_ID, nyIds[22]!, "email")}x`]) {
      const outcome = await UnsubscribePage({ params: Promise.resolve({ token }) }).then(() => "rendered", navigationOutcome);
      expect([token, outcome]).toEqual([token, "404"]);
    }
  });
});

describe("a campaign, start to finish", () => {
  let id: string;

  it("previews the sample as it will be sent and prices it on the real text", async () => {
    id = (await saveCampaign({ ctx, input: { campaign: campaignInput({ bodyB: "{{first_name}}, spring check-ups are 20% off 🦷 until 30 April at {{business}}.", holdoutPct: 10 }) } })).id;
    const { previews, estimate } = await previewCampaign({ ctx, input: { id, now: NOW } });
    expect(previews.length).toBeGreaterThan(0);
    for (const p of previews) expect(p.text).toMatch(/^(Hi )?[A-Z][a-z]+,/);
    expect(previews.find((p) => p.variant === "A")?.text).toMatch(/^Hi (Pat|Kai), Riverside Dental Clinic has spring check-ups at 20% off until 30 April\. Reply STOP to opt out\.$/);
    expect(estimate.recipients).toBe(27);
    expect(estimate.skipped["no consent"]).toBe(1);
    expect(estimate.skipped["opted out"]).toBe(1);
    // message B's emoji makes it UCS-2: two segments where A is one
    expect(estimate.byChannel.sms!.units).toBeGreaterThan(estimate.byChannel.sms!.recipients);
    expect(estimate.fits).toBe(true);
  });

  it("is refused with the reason when the month's budget cannot pay for it", async () => {
    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 0.05 }));
    await expect(startCampaign({ ctx, input: { id, now: NOW } })).rejects.toThrow(/would cost about \$0\.\d\d and only \$0\.0\d of this month's \$0\.05 budget is left/);
    expect(await recipientsOf(id)).toHaveLength(0);
    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 500 }));
  });

  it("killed mid-campaign and run again: every consenting recipient gets exactly one message, at an allowed local time", async () => {
    // The quiet-hours checks below need a Honolulu customer who is sent to: the A/B split (a hash of
    // the campaign's and the customer's ids, both random) holds one in ten out, so one held out is
    // joined by another Honolulu customer until one is in a group that is sent to.
    while (variantOf(id, hawaii, 10, true) === "holdout") {
      hawaii = await customer("sms", `+1808555${String(2000 + ++extraHawaiians)}`, "Kai Akana");
      hawaiians.add(hawaii);
      // who last wrote before the campaign, as everyone else
      await withService((tx) => tx.update(s.messages).set({ createdAt: new Date(NOW.getTime() - 2 * 86_400_000) }).where(eq(s.messages.customerId, hawaii)));
    }
    const { recipients } = await startCampaign({ ctx, input: { id, now: NOW } });
    expect(recipients).toBe(27 + extraHawaiians);
    // a second start is refused and adds nobody
    await expect(startCampaign({ ctx, input: { id, now: NOW } })).rejects.toThrow("only a draft can be started");

    let sentBeforeCrash = 0;
    const crash = () => {
      if (++sentBeforeCrash === 7) throw new Error("killed");
    };
    await expect(runCampaigns({ now: NOW, batchSize: 10, campaignId: id, afterSend: crash })).rejects.toThrow("killed");
    const midway = await recipientsOf(id);
    expect(midway.filter((r) => r.status === "sending").length).toBeGreaterThan(0);
    // run again after the crashed claims' lease (five minutes)
    await runCampaigns({ now: later(6), batchSize: 10, campaignId: id });
    // Honolulu is still asleep (05:00 there); at 08:00 Hawaii time it goes
    const waiting = (await recipientsOf(id)).filter((r) => r.status === "queued");
    expect(waiting.map((r) => r.customerId)).toEqual(expect.arrayContaining([hawaii]));
    await runCampaigns({ now: later(181), batchSize: 10, campaignId: id });
    await JOBS.outbox.run();

    const final = await recipientsOf(id);
    const shouldGet = final.filter((r) => r.variant !== "holdout" && r.status !== "skipped");
    const phones = await withService((tx) =>
      rows<{ customer_id: string; n: number }>(
        tx,
        sql`select customer_id, count(*)::int as n from outbox o join messages m on m.id = o.message_id where o.payload->>'campaignId' = ${id} group by customer_id`,
      ),
    );
    const perCustomer = new Map(phones.map((p) => [p.customer_id, p.n]));
    const duplicates = [...perCustomer.values()].filter((v) => v > 1).length;
    const missed = shouldGet.filter((r) => perCustomer.get(r.customerId) !== 1).length;
    expect({ duplicates, missed }).toEqual({ duplicates: 0, missed: 0 });
    expect(shouldGet.length).toBeGreaterThan(18);
    // Twilio got one request per recipient texted, none twice
    const to = sends().map((r) => r.form.To);
    expect(new Set(to).size).toBe(to.length);
    // quiet hours: every message went at an allowed minute of its recipient
    let violations = 0;
    for (const r of shouldGet) {
      const phone = hawaiians.has(r.customerId) ? "+18085550199" : r.customerId === waOld ? "+447700900555" : "+12125550000";
      if (!r.sentAt || !allowedAt(r.sentAt, recipientLocale(phone, "Europe/London"))) violations++;
    }
    expect(violations).toBe(0);
    expect(final.find((r) => r.customerId === hawaii)!.sentAt!.toISOString()).toBe(later(181).toISOString());
    const { campaign } = await getCampaign({ ctx, input: { id } });
    expect(campaign.status).toBe("completed");
  });

  it("shows each recipient's status with reasons, the WhatsApp template outside the window, replies, and the A/B verdict", async () => {
    // Pat replies to the offer
    const replier = (await recipientsOf(id)).find((r) => r.status === "sent" && r.variant !== "holdout" && r.customerId !== hawaii && r.customerId !== waOld)!;
    await withService((tx) =>
      tx.insert(s.messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: replier.conversationId!, customerId: replier.customerId, channelId: channel.sms, role: "customer", content: "Yes please, Tuesday?" }),
    );
    const detail = await getCampaign({ ctx, input: { id } });
    const byCustomer = new Map(detail.recipients.map((r) => [r.customerId, r]));
    expect(byCustomer.get(replier.customerId)!.status).toBe("converted");
    // the AI answering Pat's reply is told what the campaign offered
    const context = await campaignContext(DEMO_BUSINESS_ID, replier.conversationId!);
    expect(context).toMatch(/campaign "Spring check-ups"/);
    expect(context).toMatch(/booked by 30 April; not with other offers/);
    expect(await campaignContext(DEMO_BUSINESS_ID, "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(byCustomer.get(noConsent)).toMatchObject({ status: "skipped", reason: "no consent" });
    expect(byCustomer.get(nyIds[23]!)).toMatchObject({ status: "skipped", reason: "opted out" });
    const wren = byCustomer.get(waOld)!;
    if (wren.variant !== "holdout") {
      expect(wren.status).toBe("sent");
      // the outbox row went to Twilio with the approved template, and the conversation shows its text
      const [row] = await withService((tx) => tx.select().from(s.outbox).where(sql`${s.outbox.payload}->>'recipientId' = ${wren.id}`));
      expect(row).toMatchObject({ status: "sent", channelKind: "whatsapp", body: TEMPLATE.body, payload: expect.objectContaining({ kind: "campaign", template: { contentSid: TEMPLATE.contentSid } }) });
    }
    expect(detail.summary.counts.sent + detail.summary.counts.converted + detail.summary.counts.skipped).toBe(27 + extraHawaiians);

    // Twilio's status callbacks move a recipient to delivered, or to failed with the carrier's reason
    const others = detail.recipients.filter((r) => r.status === "sent" && r.channel === "sms" && r.customerId !== replier.customerId);
    const callback = async (recipientId: string, name: "message-status-delivered" | "message-status-undelivered", extra: Record<string, string>) => {
      const [row] = await withService((tx) => tx.select().from(s.outbox).where(sql`${s.outbox.payload}->>'recipientId' = ${recipientId}`));
      const res = await statusPost(
        twilioRequest(`${STATUS_URL}?m=${row!.messageId}`, fixture(name, { MessageSid: row!.providerMessageId!, SmsSid: row!.providerMessageId!, From: OUR_NUMBER, ...extra })),
      );
      expect(res.status).toBe(200);
    };
    await callback(others[0]!.id, "message-status-delivered", {});
    await callback(others[1]!.id, "message-status-undelivered", {});
    const after = new Map((await getCampaign({ ctx, input: { id } })).recipients.map((r) => [r.id, r]));
    expect(after.get(others[0]!.id)!.status).toBe("delivered");
    expect(after.get(others[1]!.id)).toMatchObject({ status: "failed", reason: expect.stringMatching(/./) });
    expect(detail.summary.verdict).toMatch(/^Too few recipients to tell/);
    // estimate against actual, on what was sent
    expect(detail.summary.deviation).not.toBeNull();
    expect(Math.abs(detail.summary.deviation!)).toBeLessThanOrEqual(0.05);
  });

  it("pauses itself when the month's budget runs out mid-way, and resumes without resending", async () => {
    const second = (await saveCampaign({ ctx, input: { campaign: campaignInput({ name: "Reminder", body: "Hi {{first_name}}, a reminder: spring check-ups are 20% off until 30 April." }) } })).id;
    await startCampaign({ ctx, input: { id: second, now: NOW } });
    // leave room for about ten texts
    const [spent] = await withService((tx) => rows<{ spent: number }>(tx, sql`select coalesce(sum(cost_usd), 0)::float as spent from cost_events where business_id = ${DEMO_BUSINESS_ID} and created_at >= date_trunc('month', now())`));
    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: Math.ceil((spent!.spent + 10 * 0.0083 + 0.001) * 100) / 100 }));
    const first = await runCampaigns({ now: later(200), batchSize: 5, campaignId: second });
    expect(first.paused).toEqual([second]);
    const paused = await getCampaign({ ctx, input: { id: second } });
    expect(paused.campaign.status).toBe("paused");
    expect(paused.campaign.pausedReason).toMatch(/budget/);
    const sentFirst = paused.recipients.filter((r) => r.sentAt).length;
    expect(sentFirst).toBeGreaterThan(3);
    expect(sentFirst).toBeLessThan(24);
    await expect(controlCampaign({ ctx, input: { id: second, action: "resume" } })).rejects.toThrow(/not enough for the next message/);
    await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 500 }));
    await controlCampaign({ ctx, input: { id: second, action: "resume" } });
    await runCampaigns({ now: later(400), batchSize: 5, campaignId: second });
    const done = await recipientsOf(second);
    const outboxRows = await withService((tx) => tx.select().from(s.outbox).where(sql`${s.outbox.payload}->>'campaignId' = ${second}`));
    const perCustomer = new Map<string, number>();
    const msgs = await withService((tx) => tx.select().from(s.messages).where(inArray(s.messages.id, outboxRows.map((o) => o.messageId!))));
    for (const m of msgs) perCustomer.set(m.customerId, (perCustomer.get(m.customerId) ?? 0) + 1);
    expect([...perCustomer.values()].every((v) => v === 1)).toBe(true);
    expect(perCustomer.size).toBe(done.filter((r) => r.sentAt).length);
    expect(done.filter((r) => r.status === "queued" || r.status === "sending")).toHaveLength(0);
    // Analytics counts the conversations a campaign message went out in, apart
    const [expected] = await withService((tx) =>
      rows<{ n: number }>(tx, sql`select count(distinct conversation_id)::int as n from campaign_recipients where business_id = ${DEMO_BUSINESS_ID} and sent_at is not null`),
    );
    const summary = await withService((tx) =>
      conversationSummary(tx, { businessId: DEMO_BUSINESS_ID, timeZone: "Europe/London", startsAt: new Date(NOW.getTime() - 7 * 86_400_000), endsAt: new Date(Date.now() + 86_400_000), now: new Date() }),
    );
    expect(expected!.n).toBeGreaterThan(20);
    expect(summary.campaign_conversations).toBe(expected!.n);
    expect(summary.conversations).toBeGreaterThan(summary.campaign_conversations);
    // no holdout here: Wren, outside the 24-hour window, got the approved template
    const wren = done.find((r) => r.customerId === waOld)!;
    const [row] = await withService((tx) => tx.select().from(s.outbox).where(sql`${s.outbox.payload}->>'recipientId' = ${wren.id}`));
    expect(row).toMatchObject({ channelKind: "whatsapp", body: TEMPLATE.body, payload: expect.objectContaining({ template: { contentSid: TEMPLATE.contentSid } }) });
  });

  it("a WhatsApp read receipt through the status webhook shows the recipient as read", async () => {
    const [wren] = await withService((tx) =>
      rows<{ id: string; campaign_id: string; message_id: string; provider_message_id: string }>(
        tx,
        sql`select r.id, r.campaign_id, o.message_id, o.provider_message_id from campaign_recipients r join outbox o on o.payload->>'recipientId' = r.id::text
            where r.customer_id = ${waOld} and o.status = 'sent' and o.channel_kind = 'whatsapp' order by r.sent_at desc limit 1`,
      ),
    );
    const statusOf = async () => (await getCampaign({ ctx, input: { id: wren!.campaign_id } })).recipients.find((r) => r.id === wren!.id)!.status;
    expect(await statusOf()).toBe("sent");
    const receipt = (status: "delivered" | "read") =>
      statusPost(
        twilioRequest(
          `${STATUS_URL}?m=${wren!.message_id}`,
          fixture("message-status-read-whatsapp", { MessageSid: wren!.provider_message_id, SmsSid: wren!.provider_message_id, MessageStatus: status, SmsStatus: status, From: `whatsapp:${OUR_WHATSAPP}` }),
        ),
      );
    expect((await receipt("delivered")).status).toBe(200);
    expect(await statusOf()).toBe("delivered");
    expect((await receipt("read")).status).toBe(200);
    expect(await statusOf()).toBe("read");
    // a late "delivered" does not take it back
    expect((await receipt("delivered")).status).toBe(200);
    expect(await statusOf()).toBe("read");
  });

  it("keeps within WhatsApp's messaging tier: past 250 business-initiated chats in 24 hours, the rest wait an hour", async () => {
    await withService(async (tx) => {
      await tx.execute(sql`update channels set settings = settings || '{"messagingTier": "tier_250"}'::jsonb where id = ${channel.whatsapp}`);
      const [past] = await tx.insert(s.campaigns).values({ businessId: DEMO_BUSINESS_ID, name: "Earlier today", body: "x", status: "completed" }).returning();
      await tx.execute(sql`with cu as (insert into customers (business_id, name) select ${DEMO_BUSINESS_ID}, 'Earlier ' || g from generate_series(1, 250) g returning id)
          insert into campaign_recipients (business_id, campaign_id, customer_id, channel_id, status, sent_at)
          select ${DEMO_BUSINESS_ID}, ${past!.id}, cu.id, ${channel.whatsapp}, 'sent', ${later(23 * 60)} from cu`);
    });
    const id = (await saveCampaign({ ctx, input: { campaign: campaignInput({ name: "WhatsApp only", channelKinds: ["whatsapp"], audience: { tags: [TAG], consent: true } }) } })).id;
    // the next day at 15:00 UTC: 15:00 in London, inside Wren's allowed hours
    expect((await startCampaign({ ctx, input: { id, now: later(24 * 60) } })).recipients).toBe(1);
    const r = await runCampaigns({ now: later(24 * 60), campaignId: id });
    expect(r).toMatchObject({ sent: 0, deferred: 1 });
    const [wren] = await recipientsOf(id);
    expect(wren).toMatchObject({ customerId: waOld, status: "queued", sentAt: null });
    expect(wren!.dueAt.toISOString()).toBe(later(25 * 60).toISOString());
    // a day after the earlier sends, the tier has room again
    expect(await runCampaigns({ now: later(47 * 60 + 1), campaignId: id })).toMatchObject({ sent: 1 });
  });

  it("with a booking as the goal, a confirmed booking made after the message converts; a reply alone does not", async () => {
    const booker = await customer("sms", nyPhone(), "Bea Booker");
    const replier = await customer("sms", nyPhone(), "Otto Replier");
    await withService(async (tx) => {
      await tx.update(s.customers).set({ tags: ["booking-goal"] }).where(inArray(s.customers.id, [booker, replier]));
      await tx.update(s.messages).set({ createdAt: new Date(NOW.getTime() - 2 * 86_400_000) }).where(inArray(s.messages.customerId, [booker, replier]));
    });
    const id = (await saveCampaign({ ctx, input: { campaign: campaignInput({ name: "Book your check-up", channelKinds: ["sms"], audience: { tags: ["booking-goal"], consent: true }, goal: "booked" }) } })).id;
    expect((await startCampaign({ ctx, input: { id, now: NOW } })).recipients).toBe(2);
    expect(await runCampaigns({ now: NOW, campaignId: id })).toMatchObject({ sent: 2 });
    await withService(async (tx) => {
      const [service] = await rows<{ id: string }>(tx, sql`insert into booking_services (business_id, name, duration_minutes, active) values (${DEMO_BUSINESS_ID}, 'Goal check-up', 30, false) returning id`);
      const [resource] = await rows<{ id: string }>(tx, sql`insert into booking_resources (business_id, name) values (${DEMO_BUSINESS_ID}, 'Goal chair') returning id`);
      const starts = new Date(NOW.getTime() + 5 * 86_400_000);
      const ends = new Date(starts.getTime() + 30 * 60_000);
      // Bea books (after the message, inside the 7-day window); a cancelled booking of Otto's never counts
      for (const [who, status] of [[booker, "confirmed"], [replier, "cancelled"]] as const) {
        await tx.execute(
          sql`insert into bookings (business_id, customer_id, service_id, resource_id, during, starts_at, ends_at, status)
              values (${DEMO_BUSINESS_ID}, ${who}, ${service!.id}, ${resource!.id}, tstzrange(${starts.toISOString()}::timestamptz, ${ends.toISOString()}::timestamptz), ${starts.toISOString()}::timestamptz, ${ends.toISOString()}::timestamptz, ${status})`,
        );
      }
      const [conversation] = await tx.select().from(s.conversations).where(eq(s.conversations.customerId, replier));
      await tx.insert(s.messages).values({ businessId: DEMO_BUSINESS_ID, conversationId: conversation!.id, customerId: replier, channelId: channel.sms, role: "customer", content: "Maybe next month" });
    });
    const detail = await getCampaign({ ctx, input: { id } });
    const byCustomer = new Map(detail.recipients.map((r) => [r.customerId, r]));
    expect(byCustomer.get(booker)!.status).toBe("converted");
    expect(byCustomer.get(replier)!.status).toBe("replied");
  });

  it("cancel stops what is queued; a cancelled campaign cannot be resumed", async () => {
    const third = (await saveCampaign({ ctx, input: { campaign: campaignInput({ name: "Later", scheduledAt: later(60 * 24 * 3).toISOString() }) } })).id;
    await startCampaign({ ctx, input: { id: third, now: NOW } });
    expect((await getCampaign({ ctx, input: { id: third } })).campaign.status).toBe("scheduled");
    await controlCampaign({ ctx, input: { id: third, action: "cancel" } });
    const list = await recipientsOf(third);
    expect(list.every((r) => r.status === "skipped")).toBe(true);
    await expect(controlCampaign({ ctx, input: { id: third, action: "resume" } })).rejects.toThrow("A cancelled campaign cannot be resumed.");
    await expect(controlCampaign({ ctx, input: { id: third, action: "explode" } })).rejects.toThrow("Choose pause, resume or cancel.");
  });
});
