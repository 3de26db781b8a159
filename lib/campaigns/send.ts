import "server-only";
// Planning and sending a campaign. The plan picks each recipient's channel (the one they last wrote
// on, among those the campaign allows and they consented to), their A/B/holdout group, the first
// minute their quiet hours allow, and the price of their message. Starting writes one
// campaign_recipients row per customer (unique per campaign × customer), so a second start, or a
// job killed halfway and run again, neither adds nor loses anyone. Each send is one transaction:
// the message in the customer's conversation, its outbox row (lib/services/reply-queue) and the
// recipient marked sent — all or nothing, so nothing is sent twice and nothing is skipped.
import { createHash } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { rows, withService, type Executor } from "@/lib/db/client";
import { drainOutbox } from "@/lib/channels/delivery";
import { businesses, campaignRecipients, campaigns, channels, messages } from "@/lib/db/schema";
import { customerIdentityRows } from "@/lib/db/conversations";
import { decrypt } from "@/lib/security/crypto";
import { budgetState, charge } from "@/lib/billing/budgets";
import { recordCost } from "@/lib/billing/costs";
import { roundUsd } from "@/lib/billing/prices";
import { getLanguageModel } from "@/lib/ai/get-model";
import type { LanguageModel } from "@/lib/ai/model";
import { readSettings } from "@/lib/channels/twilio/channels";
import { serviceWindow } from "@/lib/channels/whatsapp/window";
import { resolveConversation, storeMessage } from "@/lib/pipeline/conversations";
import { enqueueReply } from "@/lib/services/reply-queue";
import { instagramWindow } from "@/lib/channels/instagram/window";
import { AudienceFilter, ADDRESS_OF, CAMPAIGN_CHANNELS, CUSTOMER_STARTED, audienceMembers, type CampaignChannel } from "./audience";
import { INSTAGRAM_WINDOW_CLOSED, TELEGRAM_BLOCKED, instagramOpenAt, lastInstagramMessages, telegramBlocked } from "./platform-rules";
import { consentStates, mayContact, unsubscribeToken, unsubscribeUrl, type ConsentState } from "./consent";
import { channelCost, personalise, personaliseEstimate, renderTemplate } from "./message";
import { nextAllowedTime, recipientLocale } from "./quiet-hours";
import { dueOccurrences, readTrigger, type Occurrence } from "./triggers";

export type Campaign = typeof campaigns.$inferSelect;
type Variant = "A" | "B" | "holdout";

/** WhatsApp's business-initiated limits per 24 hours by messaging tier (unique recipients). */
export const WHATSAPP_TIERS = { tier_250: 250, tier_1k: 1000, tier_10k: 10_000, tier_100k: 100_000 } as const;
export const DEFAULT_WHATSAPP_TIER = "tier_1k";
const CLAIM_LEASE_MS = 5 * 60_000;

/** A stable group per campaign × customer: a re-run plans everyone into the same group. */
export function variantOf(campaignId: string, customerId: string, holdoutPct: number, ab: boolean): Variant {
  const h = createHash("sha256").update(`${campaignId}:${customerId}`).digest();
  const bucket = h.readUInt32BE(0) % 10_000;
  if (bucket < holdoutPct * 100) return "holdout";
  if (!ab) return "A";
  return h.readUInt32BE(4) % 2 === 0 ? "A" : "B";
}

export type PlannedRecipient = {
  customerId: string;
  /** the trigger's occurrence that enrolled them ('' for a campaign sent once) */
  occurrence: string;
  name: string | null;
  variant: Variant;
  channel: CampaignChannel | null;
  channelId: string | null;
  status: "queued" | "skipped";
  reason: string | null;
  dueAt: Date;
  text: string;
  estimateUsd: number;
  goalMetBefore: boolean;
};

export type Estimate = {
  recipients: number;
  sending: number;
  skipped: Record<string, number>;
  byChannel: Record<string, { recipients: number; units: number; usd: number }>;
  aiUsd: number;
  totalUsd: number;
  budget: { limitUsd: number; spentUsd: number; reservedUsd: number; remainingUsd: number };
  fits: boolean;
  /** why the campaign cannot start, in words for the owner */
  refusal: string | null;
};

type BusinessInfo = { id: string; name: string; timeZone: string };

async function businessInfo(ex: Executor, businessId: string): Promise<BusinessInfo> {
  const [b] = await ex.select({ id: businesses.id, name: businesses.name, timeZone: businesses.timeZone }).from(businesses).where(eq(businesses.id, businessId));
  if (!b) throw new Error(`business ${businessId} not found`);
  return b;
}

/**
 * Every recipient of the campaign's audience with their channel, group, time and price; with
 * `occurrences`, only the audience's customers a trigger enrolled (fired by now: due at their next allowed time).
 */
export async function planRecipients(ex: Executor, campaign: Campaign, now: Date = new Date(), opts: { occurrences?: Occurrence[] } = {}): Promise<PlannedRecipient[]> {
  const business = await businessInfo(ex, campaign.businessId);
  const filter = AudienceFilter.parse({ ...campaign.audience, consent: false });
  const allowed = (campaign.channelKinds.length ? campaign.channelKinds : [...CAMPAIGN_CHANNELS]).filter((k): k is CampaignChannel => (CAMPAIGN_CHANNELS as readonly string[]).includes(k));
  const occurrenceOf = opts.occurrences ? new Map(opts.occurrences.map((o) => [o.customerId, o])) : null;
  const members = await audienceMembers(ex, campaign.businessId, { ...filter, channels: allowed }, occurrenceOf ? [...occurrenceOf.keys()] : undefined);
  const ids = members.map((m) => m.id);
  const channelRows = await ex
    .select({ id: channels.id, kind: channels.kind })
    .from(channels)
    .where(and(eq(channels.businessId, campaign.businessId), eq(channels.enabled, true)))
    .orderBy(channels.createdAt);
  const channelOf = new Map<string, string>();
  for (const c of channelRows) if (!channelOf.has(c.kind)) channelOf.set(c.kind, c.id);

  const identities = new Map<string, Map<string, string>>();
  const consent = new Map<string, ConsentState>();
  const lastKind = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    for (const [k, v] of await consentStates(ex, campaign.businessId, chunk)) consent.set(k, v);
    for (const row of await customerIdentityRows(ex, campaign.businessId, chunk)) {
      if (row.undeliverable) continue;
      const m = identities.get(row.customerId) ?? new Map<string, string>();
      if (!m.has(row.kind)) m.set(row.kind, row.valueEncrypted);
      identities.set(row.customerId, m);
    }
    // the channels each customer wrote on, most recent first: "the channel they actually answer on"
    const recent = await rows<{ customer_id: string; kinds: string[] }>(
      ex,
      sql`select x.customer_id, array_agg(x.kind order by x.last desc) as kinds from (
            select m.customer_id, ch.kind::text as kind, max(m.created_at) as last from messages m join channels ch on ch.id = m.channel_id
            where m.business_id = ${campaign.businessId} and m.role = 'customer' and m.customer_id = any(${`{${chunk.join(",")}}`}::uuid[])
            group by m.customer_id, ch.kind) x group by x.customer_id`,
    );
    for (const r of recent) lastKind.set(r.customer_id, r.kinds);
  }

  // the channels each customer has written to the business on, where a business cannot write first
  const started = new Set(
    ids.length
      ? (
          await rows<{ customer_id: string; kind: string }>(
            ex,
            sql`select distinct v.customer_id, w.kind::text as kind from conversations v join channels w on w.id = v.channel_id
                where v.business_id = ${campaign.businessId} and w.kind in ('whatsapp', 'telegram', 'instagram') and v.customer_id = any(${`{${ids.join(",")}}`}::uuid[])`,
          )
        ).map((r) => `${r.customer_id}:${r.kind}`)
      : [],
  );
  const telegramGone = allowed.includes("telegram") ? await telegramBlocked(ex, campaign.businessId, ids) : new Set<string>();
  const instagramLast = allowed.includes("instagram") ? await lastInstagramMessages(ex, campaign.businessId, ids) : new Map<string, Date>();
  const start = campaign.scheduledAt && campaign.scheduledAt > now ? campaign.scheduledAt : now;
  const ai = campaign.mode === "ai" && !!campaign.brief?.trim();
  return members.map((m): PlannedRecipient => {
    const variant = variantOf(campaign.id, m.id, campaign.holdoutPct, !!campaign.bodyB);
    const goalMetBefore = campaign.goal === "tag_added" && !!campaign.goalTag && m.tags.includes(campaign.goalTag);
    const base = { customerId: m.id, occurrence: occurrenceOf?.get(m.id)?.occurrence ?? "", name: m.name, variant, dueAt: start, text: "", estimateUsd: 0, goalMetBefore };
    const reachable = allowed.filter((k) => channelOf.has(k) && identities.get(m.id)?.has(ADDRESS_OF[k]) && (!CUSTOMER_STARTED.includes(k) || started.has(`${m.id}:${k}`)));
    const consented = reachable.filter((k) => mayContact(consent.get(`${m.id}:${k}`), m, k).ok);
    // what the platform allows when the message would go (Instagram's window, no quiet hours from a number)
    const platformRefusal = (k: CampaignChannel): string | null =>
      k === "telegram" && telegramGone.has(m.id)
        ? TELEGRAM_BLOCKED
        : k === "instagram" && !instagramOpenAt(instagramLast.get(m.id), nextAllowedTime(start, recipientLocale(null, business.timeZone)))
          ? INSTAGRAM_WINDOW_CLOSED
          : null;
    const open = consented.filter((k) => !platformRefusal(k));
    const order = [...(lastKind.get(m.id) ?? []).filter((k) => open.includes(k as CampaignChannel)), ...open];
    const channel = (order[0] as CampaignChannel | undefined) ?? null;
    if (!channel) {
      const refused = consented[0];
      if (refused) return { ...base, channel: refused, channelId: channelOf.get(refused)!, status: "skipped", reason: platformRefusal(refused) };
      const reasons = reachable.map((k) => (mayContact(consent.get(`${m.id}:${k}`), m, k) as { reason: string }).reason);
      const reason = reasons.includes("opted out") && !reasons.includes("no consent") ? "opted out" : "no consent";
      return { ...base, channel: reachable[0] ?? null, channelId: reachable[0] ? channelOf.get(reachable[0])! : null, status: "skipped", reason };
    }
    const channelId = channelOf.get(channel)!;
    if (variant === "holdout") return { ...base, channel, channelId, status: "skipped", reason: "holdout" };
    const template = variant === "B" && campaign.bodyB ? campaign.bodyB : campaign.body;
    const text = withFooter(channel, renderTemplate(template, { name: m.name, business: business.name, tags: m.tags }), campaign.businessId, m.id);
    let phone: string | null = null;
    if (channel === "sms" || channel === "whatsapp") {
      try {
        phone = decrypt(identities.get(m.id)!.get("phone")!);
      } catch {
        phone = null;
      }
    }
    const dueAt = nextAllowedTime(start, recipientLocale(phone, business.timeZone));
    const aiUsd = ai ? personaliseEstimate(campaign.brief!, text, business.name, channel).usd : 0;
    return { ...base, channel, channelId, status: "queued", reason: null, dueAt, text, estimateUsd: roundUsd(channelCost(channel, text).usd + aiUsd) };
  });
}

/** Email carries the unsubscribe link; SMS and WhatsApp say how to stop. */
function withFooter(channel: CampaignChannel, text: string, businessId: string, customerId: string): string {
  if (channel === "email") return `${text}\n\n—\nUnsubscribe: ${unsubscribeUrl(unsubscribeToken(businessId, customerId, "email"))}`;
  if (channel === "sms") return /\bstop\b/i.test(text) ? text : `${text} Reply STOP to opt out.`;
  return text;
}

/** The cost estimate of the plan against what is left of the month's budget. */
export async function estimateOf(campaign: Campaign, plan: PlannedRecipient[], now: Date = new Date(), ex?: Executor): Promise<Estimate> {
  const skipped: Record<string, number> = {};
  const byChannel: Estimate["byChannel"] = {};
  let aiUsd = 0;
  let totalUsd = 0;
  for (const r of plan) {
    if (r.status === "skipped") {
      skipped[r.reason!] = (skipped[r.reason!] ?? 0) + 1;
      continue;
    }
    const c = channelCost(r.channel!, r.text);
    const slot = (byChannel[r.channel!] ??= { recipients: 0, units: 0, usd: 0 });
    slot.recipients++;
    slot.units += c.units;
    slot.usd = roundUsd(slot.usd + c.usd);
    aiUsd = roundUsd(aiUsd + (r.estimateUsd - c.usd));
    totalUsd = roundUsd(totalUsd + r.estimateUsd);
  }
  const state = await budgetState(campaign.businessId, { now, ...(ex ? { ex } : {}) });
  const remainingUsd = roundUsd(Math.max(0, state.limitUsd - state.spentUsd - state.reservedUsd));
  const sending = plan.filter((r) => r.status === "queued").length;
  const fits = totalUsd <= remainingUsd;
  const refusal =
    // a triggered campaign may enrol nobody today and many later: each message is checked against the budget as it goes
    sending === 0 && !campaign.trigger
      ? "Nobody in this audience can be sent to (see the reasons skipped)."
      : fits
        ? null
        : `This campaign would cost about $${totalUsd.toFixed(2)} and only $${remainingUsd.toFixed(2)} of this month's $${state.limitUsd.toFixed(2)} budget is left. Narrow the audience or raise the budget in Settings → Limits & budget.`;
  return {
    recipients: plan.length,
    sending,
    skipped,
    byChannel,
    aiUsd,
    totalUsd,
    budget: { limitUsd: state.limitUsd, spentUsd: state.spentUsd, reservedUsd: state.reservedUsd, remainingUsd },
    fits,
    refusal,
  };
}

/**
 * A triggered campaign's new recipients: the occurrences fired by `now` that have no row yet, planned
 * like any recipient (consent, channel, quiet hours, price) and written once per occurrence key.
 */
export async function enrolTriggered(ex: Executor, campaign: Campaign, now: Date): Promise<number> {
  const trigger = readTrigger(campaign.trigger);
  if (!trigger) return 0;
  const business = await businessInfo(ex, campaign.businessId);
  const due = await dueOccurrences(ex, { businessId: campaign.businessId, trigger, startedAt: campaign.startedAt ?? now, timeZone: business.timeZone, now });
  if (!due.length) return 0;
  const known = new Set(
    (
      await rows<{ key: string }>(
        ex,
        sql`select customer_id::text || '|' || occurrence as key from campaign_recipients
            where campaign_id = ${campaign.id} and business_id = ${campaign.businessId} and customer_id = any(${`{${due.map((o) => o.customerId).join(",")}}`}::uuid[])`,
      )
    ).map((r) => r.key),
  );
  const fresh = due.filter((o) => !known.has(`${o.customerId}|${o.occurrence}`));
  if (!fresh.length) return 0;
  return writeRecipients(ex, campaign, await planRecipients(ex, campaign, now, { occurrences: fresh }));
}

/** Writes the plan's recipients; those already written (a second start, a retry) stay as they are. */
export async function writeRecipients(ex: Executor, campaign: Campaign, plan: PlannedRecipient[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < plan.length; i += 500) {
    const chunk = plan.slice(i, i + 500);
    const inserted = await ex
      .insert(campaignRecipients)
      .values(
        chunk.map((r) => ({
          businessId: campaign.businessId,
          campaignId: campaign.id,
          customerId: r.customerId,
          occurrence: r.occurrence,
          variant: r.variant,
          channelId: r.channelId,
          status: r.status,
          error: r.reason,
          dueAt: r.dueAt,
          estimateUsd: r.estimateUsd,
          goalMetBefore: r.goalMetBefore,
        })),
      )
      .onConflictDoNothing({ target: [campaignRecipients.campaignId, campaignRecipients.customerId, campaignRecipients.occurrence] })
      .returning({ id: campaignRecipients.id });
    written += inserted.length;
  }
  return written;
}

// ---------------------------------------------------------------- the sending job

export type RunResult = { campaigns: number; enrolled: number; sent: number; skipped: number; deferred: number; failed: number; paused: string[]; completed: string[] };

type Claimed = {
  id: string;
  customer_id: string;
  variant: Variant;
  channel_id: string | null;
  estimate_usd: string | number;
  due_at: string | Date;
  name: string | null;
  tags: string[];
  consent: Record<string, unknown>;
  channel_kind: CampaignChannel | null;
  channel_settings: Record<string, unknown> | null;
};

/** Claims up to `limit` due recipients (a lease: a crashed claim is taken again after five minutes). */
async function claimDue(campaign: Campaign, now: Date, limit: number): Promise<Claimed[]> {
  return withService((tx) =>
    rows<Claimed>(
      tx,
      sql`with due as (
            select r.id from campaign_recipients r
            where r.campaign_id = ${campaign.id} and r.business_id = ${campaign.businessId} and r.due_at <= ${now}
              and (r.status = 'queued' or (r.status = 'sending' and r.updated_at < ${new Date(now.getTime() - CLAIM_LEASE_MS)}))
            order by r.due_at, r.id limit ${limit} for update skip locked)
          update campaign_recipients r set status = 'sending', updated_at = ${now} from due, customers c, channels ch
          where r.id = due.id and c.id = r.customer_id and ch.id = r.channel_id
          returning r.id, r.customer_id, r.variant, r.channel_id, r.estimate_usd, r.due_at, c.name, c.tags, c.consent, ch.kind::text as channel_kind, ch.settings as channel_settings`,
    ),
  ).then((list) => list.sort((a, b) => new Date(a.due_at).getTime() - new Date(b.due_at).getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

async function setRecipient(id: string, businessId: string, values: Partial<typeof campaignRecipients.$inferInsert>, ex?: Executor) {
  const run = (e: Executor) =>
    e
      .update(campaignRecipients)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(campaignRecipients.id, id), eq(campaignRecipients.businessId, businessId)));
  return ex ? run(ex) : withService((tx) => run(tx));
}

/** WhatsApp campaign messages the business sent in the last 24 hours (the tier counts them). */
async function whatsappSentToday(businessId: string, now: Date): Promise<number> {
  const [r] = await withService((tx) =>
    rows<{ n: number }>(
      tx,
      sql`select count(distinct r.customer_id)::int as n from campaign_recipients r join channels ch on ch.id = r.channel_id
          where r.business_id = ${businessId} and ch.kind = 'whatsapp' and r.sent_at > ${new Date(now.getTime() - 86_400_000)}`,
    ),
  );
  return r?.n ?? 0;
}

export function whatsappTierLimit(settings: Record<string, unknown> | null): number {
  const tier = (settings?.messagingTier as keyof typeof WHATSAPP_TIERS | undefined) ?? DEFAULT_WHATSAPP_TIER;
  return WHATSAPP_TIERS[tier] ?? WHATSAPP_TIERS[DEFAULT_WHATSAPP_TIER];
}

export type SendOptions = { now?: Date; batchSize?: number; model?: LanguageModel; businessId?: string; campaignId?: string; maxBatches?: number; afterSend?: (recipientId: string) => void };

async function finishIfDone(campaign: Campaign, now: Date): Promise<boolean> {
  // a triggered campaign runs until the owner pauses or cancels it
  if (campaign.trigger) return false;
  return withService(async (tx) => {
    const [left] = await rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from campaign_recipients where campaign_id = ${campaign.id} and business_id = ${campaign.businessId} and status in ('queued', 'sending')`,
    );
    if ((left?.n ?? 0) > 0) return false;
    await tx
      .update(campaigns)
      .set({ status: "completed", finishedAt: now, updatedAt: now })
      .where(and(eq(campaigns.id, campaign.id), eq(campaigns.businessId, campaign.businessId), eq(campaigns.status, "sending")));
    return true;
  });
}

async function pause(campaign: Campaign, reason: string, now: Date) {
  await withService((tx) =>
    tx
      .update(campaigns)
      .set({ status: "paused", pausedReason: reason, updatedAt: now })
      .where(and(eq(campaigns.id, campaign.id), eq(campaigns.businessId, campaign.businessId), eq(campaigns.status, "sending"))),
  );
}

/** Sends what is due of every running campaign, in batches; the job's body. */
export async function runCampaigns(opts: SendOptions = {}): Promise<RunResult> {
  const now = opts.now ?? new Date();
  const result: RunResult = { campaigns: 0, enrolled: 0, sent: 0, skipped: 0, deferred: 0, failed: 0, paused: [], completed: [] };
  await withService((tx) =>
    tx
      .update(campaigns)
      .set({ status: "sending", updatedAt: now })
      .where(and(eq(campaigns.status, "scheduled"), sql`${campaigns.scheduledAt} <= ${now}`, ...(opts.businessId ? [eq(campaigns.businessId, opts.businessId)] : []))),
  );
  const running = await withService((tx) =>
    tx
      .select()
      .from(campaigns)
      .where(
        and(
          eq(campaigns.status, "sending"),
          ...(opts.businessId ? [eq(campaigns.businessId, opts.businessId)] : []),
          ...(opts.campaignId ? [eq(campaigns.id, opts.campaignId)] : []),
        ),
      ),
  );
  for (const campaign of running) {
    result.campaigns++;
    if (campaign.trigger) result.enrolled += await withService((tx) => enrolTriggered(tx, campaign, now));
    await sendCampaign(campaign, now, opts, result);
    if (await finishIfDone(campaign, now)) result.completed.push(campaign.id);
  }
  return result;
}

async function sendCampaign(campaign: Campaign, now: Date, opts: SendOptions, result: RunResult) {
  const business = await withService((tx) => businessInfo(tx, campaign.businessId));
  const model = opts.model ?? getLanguageModel();
  const batchSize = opts.batchSize ?? 100;
  for (let batch = 0; batch < (opts.maxBatches ?? Infinity); batch++) {
    const claimed = await claimDue(campaign, now, batchSize);
    if (!claimed.length) return;
    // the campaign may have been paused or cancelled from the page since the last batch
    const [current] = await withService((tx) => tx.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaign.id)));
    if (current?.status !== "sending") {
      await withService((tx) => tx.update(campaignRecipients).set({ status: "queued" }).where(inArray(campaignRecipients.id, claimed.map((c) => c.id))));
      return;
    }
    let waToday: number | null = null;
    // queued in this batch, not yet delivered and so not yet charged
    let inFlightUsd = 0;
    const budget = await budgetState(campaign.businessId, { now });
    for (let i = 0; i < claimed.length; i++) {
      const r = claimed[i]!;
      const estimate = Number(r.estimate_usd);
      if (budget.spentUsd + budget.reservedUsd + inFlightUsd + estimate > budget.limitUsd) {
        // the month's limit reached mid-way: stop here, the rest waits for the owner
        await pause(campaign, `The month's budget ($${budget.limitUsd.toFixed(2)}) was reached after $${budget.spentUsd.toFixed(2)}; raise it or wait for next month, then resume.`, now);
        await withService((tx) => tx.update(campaignRecipients).set({ status: "queued" }).where(inArray(campaignRecipients.id, claimed.slice(i).map((c) => c.id))));
        result.paused.push(campaign.id);
        await drainAll(campaign.businessId, i);
        return;
      }
      const kind = r.channel_kind!;
      if (kind === "whatsapp") {
        waToday ??= await whatsappSentToday(campaign.businessId, now);
        if (waToday >= whatsappTierLimit(r.channel_settings)) {
          await setRecipient(r.id, campaign.businessId, { status: "queued", dueAt: new Date(now.getTime() + 3600_000) });
          result.deferred++;
          continue;
        }
      }
      let outcome: "sent" | "skipped" | "failed";
      try {
        outcome = await sendOne(campaign, business, r, model, now);
        if (outcome === "sent") {
          result.sent++;
          inFlightUsd += estimate;
          if (kind === "whatsapp" && waToday !== null) waToday++;
        } else if (outcome === "skipped") result.skipped++;
        else result.failed++;
      } catch (err) {
        console.error("[prismai] campaign send failed", { campaignId: campaign.id, recipientId: r.id, error: err instanceof Error ? err.message : String(err) });
        await setRecipient(r.id, campaign.businessId, { status: "failed", error: "Sending failed; see the server log." });
        result.failed++;
        continue;
      }
      // the benchmark's and the crash test's probe; a throw here is a process dying mid-batch
      if (outcome === "sent") opts.afterSend?.(r.id);
    }
    // delivered through the one outbox path, and charged, before the next batch checks the budget
    await drainAll(campaign.businessId, claimed.length);
  }
}

/** The outbox drains take 20 rows per sender a call: enough calls for a batch. */
async function drainAll(businessId: string, rowsQueued: number) {
  for (let i = 0; i < Math.ceil(rowsQueued / 20) + 1; i++) {
    const r = await drainOutbox({ businessId });
    if (Object.values(r).every((d) => d.sent + d.failed + d.retrying === 0)) return;
  }
}

/** One recipient: the message written, queued and the recipient marked sent in one transaction. */
async function sendOne(campaign: Campaign, business: BusinessInfo, r: Claimed, model: LanguageModel, now: Date): Promise<"sent" | "skipped" | "failed"> {
  const kind = r.channel_kind!;
  const template = r.variant === "B" && campaign.bodyB ? campaign.bodyB : campaign.body;
  const rendered = withFooter(kind, renderTemplate(template, { name: r.name, business: business.name, tags: r.tags }), campaign.businessId, r.customer_id);
  let text = rendered;
  let ai: Awaited<ReturnType<typeof personalise>> | null = null;
  if (campaign.mode === "ai" && campaign.brief?.trim()) {
    const budget = await budgetState(campaign.businessId, { now });
    ai = await personalise(model, { brief: campaign.brief, template: rendered, business: business.name, channel: kind, allowed: budget.modelAllowed });
    text = ai.text;
  }
  return withService(async (tx) => {
    // still ours? (a page's cancel, or another run that took an expired lease)
    const [mine] = await rows<{ status: string }>(tx, sql`select status from campaign_recipients where id = ${r.id} for update`);
    if (mine?.status !== "sending") return "skipped";
    const { conversation } = await resolveConversation(tx, { businessId: campaign.businessId, customerId: r.customer_id, channelId: r.channel_id!, now });
    // the platform may have closed since the plan: Instagram's window, a Telegram block
    const refusal =
      kind === "instagram" && (await instagramWindow(tx, campaign.businessId, conversation.id, now)).stage !== "open"
        ? INSTAGRAM_WINDOW_CLOSED
        : kind === "telegram" && (await telegramBlocked(tx, campaign.businessId, [r.customer_id])).has(r.customer_id)
          ? TELEGRAM_BLOCKED
          : null;
    if (refusal) {
      await setRecipient(r.id, campaign.businessId, { status: "skipped", error: refusal, conversationId: conversation.id }, tx);
      return "skipped";
    }
    let waTemplate: { contentSid: string } | undefined;
    if (kind === "whatsapp" && !(await serviceWindow(tx, campaign.businessId, conversation.id, now)).open) {
      const approved = readSettings("whatsapp", r.channel_settings).templates.find((t) => t.contentSid === campaign.waContentSid);
      if (!approved) {
        await setRecipient(r.id, campaign.businessId, { status: "skipped", error: "outside the WhatsApp 24-hour window and no approved template" }, tx);
        return "skipped";
      }
      waTemplate = { contentSid: approved.contentSid };
      text = approved.body;
    }
    const { message } = await storeMessage(tx, {
      businessId: campaign.businessId,
      conversationId: conversation.id,
      customerId: r.customer_id,
      channelId: r.channel_id!,
      role: "system",
      content: text,
      deliveryStatus: "queued",
      metadata: { campaignId: campaign.id, campaignRecipientId: r.id, variant: r.variant, ...(ai ? { personalised: ai.personalised, ...(ai.reason ? { personaliseFallback: ai.reason } : {}) } : {}) },
    });
    const c = { id: conversation.id, channel_id: r.channel_id!, channel_kind: kind, customer_id: r.customer_id };
    const queued = await enqueueReply(tx, c, campaign.businessId, message.id, text, waTemplate, { kind: "campaign", campaignId: campaign.id, recipientId: r.id });
    if (ai?.model && (ai.tokensIn || ai.tokensOut)) {
      const { costUsd } = await recordCost(tx, { businessId: campaign.businessId, kind: "model", model: ai.model, tokensIn: ai.tokensIn, tokensOut: ai.tokensOut, messageId: message.id, conversationId: conversation.id });
      if (costUsd > 0) await charge(campaign.businessId, costUsd, { ex: tx });
    }
    if (queued === "failed") {
      await tx.update(messages).set({ deliveryStatus: "failed" }).where(and(eq(messages.id, message.id), eq(messages.businessId, campaign.businessId)));
      await setRecipient(r.id, campaign.businessId, { status: "failed", error: `no ${kind} address on file`, messageId: message.id, conversationId: conversation.id }, tx);
      return "failed";
    }
    await setRecipient(r.id, campaign.businessId, { status: "sent", sentAt: now, messageId: message.id, conversationId: conversation.id, error: null }, tx);
    return "sent";
  });
}

