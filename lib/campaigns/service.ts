import "server-only";
// The Campaigns page's verbs (owners and admins): write a campaign, count its audience live, save
// segments, preview messages for a sample, start it after the estimate (refused when the month's
// budget cannot pay), pause, resume and cancel it, and read each recipient's status and the A/B result.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withTenant, type Tx } from "@/lib/db/client";
import { businesses, campaignRecipients, campaigns, channels, segments } from "@/lib/db/schema";
import { readSettings } from "@/lib/channels/twilio/channels";
import { AppError } from "@/lib/errors";
import { text } from "@/lib/validation/text";
import { getLanguageModel } from "@/lib/ai/get-model";
import type { LanguageModel } from "@/lib/ai/model";
import { budgetState, charge } from "@/lib/billing/budgets";
import { recordCost } from "@/lib/billing/costs";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx, type MemberCtx } from "@/lib/services/context";
import { AudienceFilter, CAMPAIGN_CHANNELS, audienceCount } from "./audience";
import { customVariables, personalise } from "./message";
import { campaignRecipientViews, summarise, type CampaignSummary, type RecipientView } from "./results";
import { estimateOf, planRecipients, writeRecipients, type Campaign, type Estimate } from "./send";
import { CampaignTrigger, describeTrigger, dueOccurrences, readTrigger } from "./triggers";

function triggerText(value: unknown): string | null {
  // postgres.js returns jsonb parsed, PGlite as text in a raw select
  const t = readTrigger(typeof value === "string" ? JSON.parse(value) : value);
  return t ? describeTrigger(t) : null;
}

const MAX_BODY = 1600;

const Body = text({ message: "Write the message." })
  .trim()
  .min(1, "Write the message.")
  .max(MAX_BODY, `Keep the message under ${MAX_BODY} characters.`);

export const CampaignInput = z
  .object({
    name: text({ message: "Give the campaign a name." }).trim().min(1, "Give the campaign a name.").max(120, "Keep the name under 120 characters."),
    audience: AudienceFilter,
    segmentId: z.guid("Choose a saved segment from the list.").nullish(),
    channelKinds: z.array(z.enum(CAMPAIGN_CHANNELS, { message: "Choose channels from the list." })).min(1, "Choose at least one channel.").max(CAMPAIGN_CHANNELS.length),
    mode: z.enum(["template", "ai"], { message: "Choose the plain template or AI personalisation." }).default("template"),
    brief: text().trim().max(2000, "Keep the brief under 2,000 characters.").nullish().transform((v) => v || null),
    body: Body,
    bodyB: text().trim().max(MAX_BODY, `Keep message B under ${MAX_BODY} characters.`).nullish().transform((v) => v || null),
    holdoutPct: z.coerce.number({ message: "The holdout is a percentage." }).int().min(0).max(50, "Hold out at most half the audience.").default(0),
    goal: z.enum(["replied", "tag_added", "booked"], { message: "Choose what counts as converted." }).default("replied"),
    goalTag: text().trim().max(60).nullish().transform((v) => v || null),
    goalWindowDays: z.coerce.number().int().min(1, "The window is at least a day.").max(90, "The window is at most 90 days.").default(7),
    waContentSid: text().trim().max(64).nullish().transform((v) => v || null),
    scheduledAt: z.coerce.date({ message: "Pick a valid date and time." }).nullish(),
    /** sent when an event happens to each customer instead of once (lib/campaigns/triggers) */
    trigger: CampaignTrigger.nullish(),
  })
  .refine((c) => c.mode !== "ai" || !!c.brief, { message: "AI personalisation needs a brief: the offer, dates and terms.", path: ["brief"] })
  .refine((c) => c.goal !== "tag_added" || !!c.goalTag, { message: "Name the tag that counts as converted.", path: ["goalTag"] });
export type CampaignInput = z.input<typeof CampaignInput>;
export const CAMPAIGN_FIELDS = ["name", "audience", "channelKinds", "mode", "brief", "body", "bodyB", "holdoutPct", "goal", "goalTag", "goalWindowDays", "waContentSid", "scheduledAt", "trigger"];

const Id = (what: string) => z.guid({ message: `${what} not found.` });

function manager(ctx: Ctx): asserts ctx is MemberCtx {
  requireRole(ctx, MANAGERS);
}

async function loadCampaign(tx: Tx, businessId: string, id: unknown): Promise<Campaign> {
  const parsed = Id("Campaign").safeParse(id);
  if (!parsed.success) throw new AppError("not_found", "Campaign not found.");
  const [c] = await tx.select().from(campaigns).where(and(eq(campaigns.id, parsed.data), eq(campaigns.businessId, businessId)));
  if (!c) throw new AppError("not_found", "Campaign not found.");
  return c;
}

export type CampaignListItem = {
  id: string;
  name: string;
  status: string;
  channelKinds: string[];
  createdAt: string;
  scheduledAt: string | null;
  recipients: number;
  sent: number;
  pausedReason: string | null;
  /** the trigger in words, for a triggered campaign */
  trigger: string | null;
};

export async function listCampaigns({ ctx }: { ctx: Ctx }): Promise<CampaignListItem[]> {
  manager(ctx);
  return withTenant(ctx.actor.userId, async (tx) => {
    const list = await rows<{
      id: string;
      name: string;
      status: string;
      channel_kinds: string[];
      created_at: string | Date;
      scheduled_at: string | Date | null;
      paused_reason: string | null;
      trigger: unknown;
      recipients: number;
      sent: number;
    }>(
      tx,
      sql`select c.id, c.name, c.status, c.channel_kinds, c.created_at, c.scheduled_at, c.paused_reason, c.trigger,
            (select count(*)::int from campaign_recipients r where r.campaign_id = c.id and r.business_id = c.business_id) as recipients,
            (select count(*)::int from campaign_recipients r where r.campaign_id = c.id and r.business_id = c.business_id and r.sent_at is not null) as sent
          from campaigns c where c.business_id = ${ctx.businessId} order by c.created_at desc limit 200`,
    );
    return list.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      channelKinds: c.channel_kinds,
      createdAt: new Date(c.created_at).toISOString(),
      scheduledAt: c.scheduled_at ? new Date(c.scheduled_at).toISOString() : null,
      recipients: c.recipients,
      sent: c.sent,
      pausedReason: c.paused_reason,
      trigger: triggerText(c.trigger),
    }));
  });
}

export type CampaignDetail = { campaign: Campaign; summary: CampaignSummary; recipients: RecipientView[]; estimate: Estimate | null };

export async function getCampaign({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<CampaignDetail> {
  manager(ctx);
  return withTenant(ctx.actor.userId, async (tx) => {
    const campaign = await loadCampaign(tx, ctx.businessId, input.id);
    const recipients = await campaignRecipientViews(tx, campaign);
    return { campaign, summary: summarise(campaign, recipients), recipients, estimate: (campaign.estimate as Estimate | null) ?? null };
  });
}

/** A new draft, or changes to a draft (a started campaign's message and audience are what was approved). */
export async function saveCampaign({ ctx, input }: { ctx: Ctx; input: { id?: unknown; campaign: unknown } }): Promise<{ id: string }> {
  manager(ctx);
  const c = CampaignInput.parse(input.campaign);
  return withTenant(ctx.actor.userId, async (tx) => {
    if (c.segmentId) {
      const [s] = await tx.select({ id: segments.id }).from(segments).where(and(eq(segments.id, c.segmentId), eq(segments.businessId, ctx.businessId)));
      if (!s) throw new AppError("bad_request", "That segment is not one of this business's.", { field: "segmentId" });
    }
    const values = {
      name: c.name,
      audience: c.audience as unknown as Record<string, unknown>,
      segmentId: c.segmentId ?? null,
      channelKinds: c.channelKinds,
      mode: c.mode,
      brief: c.brief,
      body: c.body,
      bodyB: c.bodyB,
      holdoutPct: c.holdoutPct,
      goal: c.goal,
      goalTag: c.goalTag,
      goalWindowDays: c.goalWindowDays,
      waContentSid: c.waContentSid,
      // a triggered campaign starts when approved and enrols customers as their event happens
      scheduledAt: c.trigger ? null : (c.scheduledAt ?? null),
      trigger: (c.trigger ?? null) as Record<string, unknown> | null,
      approvedAt: null,
      estimate: null,
      updatedAt: new Date(),
    };
    if (input.id !== undefined && input.id !== null && input.id !== "") {
      const existing = await loadCampaign(tx, ctx.businessId, input.id);
      if (existing.status !== "draft") throw new AppError("conflict", "Only a draft can be changed; this campaign has started.");
      await tx.update(campaigns).set(values).where(and(eq(campaigns.id, existing.id), eq(campaigns.businessId, ctx.businessId)));
      await audit(tx, ctx, "campaign.updated", { type: "campaign", id: existing.id });
      return { id: existing.id };
    }
    const [row] = await tx
      .insert(campaigns)
      .values({ ...values, businessId: ctx.businessId, createdBy: ctx.actor.userId })
      .returning({ id: campaigns.id });
    await audit(tx, ctx, "campaign.created", { type: "campaign", id: row!.id });
    return { id: row!.id };
  });
}

/** The live count beside the audience filter. */
export async function countAudience({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ count: number; sample: string[] }> {
  manager(ctx);
  const filter = AudienceFilter.parse(input);
  return withTenant(ctx.actor.userId, (tx) => audienceCount(tx, ctx.businessId, filter));
}

export const SegmentInput = z.object({
  name: text({ message: "Name the segment." }).trim().min(1, "Name the segment.").max(80, "Keep the name under 80 characters."),
  filter: AudienceFilter,
});

export async function listSegments({ ctx }: { ctx: Ctx }) {
  manager(ctx);
  return withTenant(ctx.actor.userId, (tx) =>
    tx.select({ id: segments.id, name: segments.name, filter: segments.filter }).from(segments).where(eq(segments.businessId, ctx.businessId)).orderBy(segments.name),
  );
}

/** Saves the filter under a name (the same name replaces the earlier filter). */
export async function saveSegment({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ id: string }> {
  manager(ctx);
  const s = SegmentInput.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx
      .insert(segments)
      .values({ businessId: ctx.businessId, name: s.name, filter: s.filter as unknown as Record<string, unknown>, createdBy: ctx.actor.userId })
      .onConflictDoUpdate({ target: [segments.businessId, segments.name], set: { filter: s.filter as unknown as Record<string, unknown>, updatedAt: new Date() } })
      .returning({ id: segments.id });
    await audit(tx, ctx, "segment.saved", { type: "segment", id: row!.id });
    return { id: row!.id };
  });
}

export async function deleteSegment({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<void> {
  manager(ctx);
  const id = Id("Segment").safeParse(input.id);
  if (!id.success) throw new AppError("not_found", "Segment not found.");
  await withTenant(ctx.actor.userId, async (tx) => {
    const gone = await tx.delete(segments).where(and(eq(segments.id, id.data), eq(segments.businessId, ctx.businessId))).returning({ id: segments.id });
    if (!gone.length) throw new AppError("not_found", "Segment not found.");
    await audit(tx, ctx, "segment.deleted", { type: "segment", id: id.data });
  });
}

export type Preview = { customerName: string; channel: string | null; variant: string; text: string; personalised: boolean; note: string | null };

const PREVIEW_SAMPLE = 5;

/**
 * The messages a sample of recipients would get, written exactly as they would be sent (personalised
 * by the model when the campaign asks for it), with the cost estimate for the whole audience.
 */
export async function previewCampaign(
  { ctx, input }: { ctx: Ctx; input: { id: unknown; now?: Date } },
  deps: { model?: LanguageModel } = {},
): Promise<{ previews: Preview[]; estimate: Estimate; unknownVariables: string[] }> {
  manager(ctx);
  const now = input.now ?? new Date();
  const { campaign, plan, business, estimate } = await withTenant(ctx.actor.userId, async (tx) => {
    const campaign = await loadCampaign(tx, ctx.businessId, input.id);
    const [business] = await tx.select({ name: businesses.name, timeZone: businesses.timeZone }).from(businesses).where(eq(businesses.id, ctx.businessId));
    // a triggered campaign previews its audience's messages and prices whom the trigger enrols today
    const plan = await planRecipients(tx, campaign, now);
    const enrolled = await triggeredPlan(tx, campaign, business!.timeZone, now);
    return { campaign, plan, business: business!.name, estimate: await estimateOf(campaign, enrolled ?? plan, now, tx) };
  });
  // the first recipient of each group, then the next ones: an A/B test previews both messages
  const queued = plan.filter((r) => r.status === "queued");
  const firsts = ["A", "B"].flatMap((v) => queued.filter((r) => r.variant === v).slice(0, 1));
  const sample = [...firsts, ...queued.filter((r) => !firsts.includes(r))].slice(0, PREVIEW_SAMPLE);
  const model = deps.model ?? getLanguageModel();
  const previews: Preview[] = [];
  for (const r of sample) {
    if (campaign.mode === "ai" && campaign.brief) {
      const allowed = (await budgetState(ctx.businessId, { now })).modelAllowed;
      const p = await personalise(model, { brief: campaign.brief, template: r.text, business, channel: r.channel!, allowed });
      if (p.model && (p.tokensIn || p.tokensOut)) {
        await withTenant(ctx.actor.userId, async (tx) => {
          const { costUsd } = await recordCost(tx, { businessId: ctx.businessId, kind: "model", model: p.model!, tokensIn: p.tokensIn, tokensOut: p.tokensOut });
          if (costUsd > 0) await charge(ctx.businessId, costUsd, { ex: tx });
        });
      }
      previews.push({ customerName: r.name ?? "Unnamed customer", channel: r.channel, variant: r.variant, text: p.text, personalised: p.personalised, note: p.personalised ? null : fallbackNote(p.reason) });
    } else {
      previews.push({ customerName: r.name ?? "Unnamed customer", channel: r.channel, variant: r.variant, text: r.text, personalised: false, note: null });
    }
  }
  return { previews, estimate, unknownVariables: [...new Set([...customVariables(campaign.body), ...customVariables(campaign.bodyB ?? "")])] };
}

/** Whom a triggered campaign would enrol if it started now (null for a campaign sent once). */
async function triggeredPlan(tx: Tx, campaign: Campaign, timeZone: string, now: Date) {
  const trigger = readTrigger(campaign.trigger);
  if (!trigger) return null;
  const occurrences = await dueOccurrences(tx, { businessId: campaign.businessId, trigger, startedAt: now, timeZone, now });
  return planRecipients(tx, campaign, now, { occurrences });
}

function fallbackNote(reason: string | undefined): string {
  switch (reason) {
    case "no language model":
      return "No language model is connected: the plain template is sent.";
    case "budget":
      return "The budget does not allow the model now: the plain template is sent.";
    case "dearer to send":
      return "The model's version would cost more to send: the plain template is sent.";
    default:
      return "The model did not write a usable version: the plain template is sent.";
  }
}

/**
 * Approves the previews and starts: the estimate against the month's budget (refused with the reason
 * when it does not fit), one row per recipient, then the job sends (at the scheduled time, if any).
 */
export async function startCampaign({ ctx, input }: { ctx: Ctx; input: { id: unknown; now?: Date } }): Promise<{ estimate: Estimate; recipients: number }> {
  manager(ctx);
  const now = input.now ?? new Date();
  return withTenant(ctx.actor.userId, async (tx) => {
    const campaign = await loadCampaign(tx, ctx.businessId, input.id);
    if (campaign.status !== "draft") throw new AppError("conflict", `This campaign is ${campaign.status}; only a draft can be started.`);
    const [business] = await tx.select({ timeZone: businesses.timeZone }).from(businesses).where(eq(businesses.id, ctx.businessId));
    const plan = (await triggeredPlan(tx, campaign, business!.timeZone, now)) ?? (await planRecipients(tx, campaign, now));
    const estimate = await estimateOf(campaign, plan, now, tx);
    if (estimate.refusal) throw new AppError("unprocessable", estimate.refusal);
    const written = await writeRecipients(tx, campaign, plan);
    const scheduled = campaign.scheduledAt && campaign.scheduledAt > now;
    await tx
      .update(campaigns)
      .set({ status: scheduled ? "scheduled" : "sending", estimate: estimate as unknown as Record<string, unknown>, approvedAt: now, startedAt: scheduled ? campaign.scheduledAt : now, updatedAt: now })
      .where(and(eq(campaigns.id, campaign.id), eq(campaigns.businessId, ctx.businessId), eq(campaigns.status, "draft")));
    await audit(tx, ctx, "campaign.started", { type: "campaign", id: campaign.id }, { recipients: written, estimateUsd: estimate.totalUsd });
    return { estimate, recipients: written };
  });
}

const TRANSITIONS = {
  pause: { from: ["sending", "scheduled"], to: "paused" },
  resume: { from: ["paused"], to: "sending" },
  cancel: { from: ["draft", "scheduled", "sending", "paused"], to: "cancelled" },
} as const;

export async function controlCampaign({ ctx, input }: { ctx: Ctx; input: { id: unknown; action: unknown } }): Promise<{ status: string }> {
  manager(ctx);
  const action = z.enum(["pause", "resume", "cancel"], { message: "Choose pause, resume or cancel." }).parse(input.action);
  const t = TRANSITIONS[action];
  return withTenant(ctx.actor.userId, async (tx) => {
    const campaign = await loadCampaign(tx, ctx.businessId, input.id);
    if (!(t.from as readonly string[]).includes(campaign.status)) throw new AppError("conflict", `A ${campaign.status} campaign cannot be ${action === "pause" ? "paused" : action === "resume" ? "resumed" : "cancelled"}.`);
    if (action === "resume") {
      const budget = await budgetState(ctx.businessId, { ex: tx });
      const [next] = await rows<{ usd: number | null }>(
        tx,
        sql`select estimate_usd::float as usd from campaign_recipients where campaign_id = ${campaign.id} and business_id = ${ctx.businessId} and status = 'queued' order by due_at, id limit 1`,
      );
      const left = budget.limitUsd - budget.spentUsd - budget.reservedUsd;
      if (left <= 0 || (next?.usd != null && next.usd > left)) {
        throw new AppError("unprocessable", `This month's budget has $${Math.max(0, left).toFixed(2)} left, not enough for the next message; raise it in Settings → Limits & budget before resuming.`);
      }
    }
    await tx
      .update(campaigns)
      .set({ status: t.to, pausedReason: null, updatedAt: new Date(), ...(action === "cancel" ? { finishedAt: new Date() } : {}) })
      .where(and(eq(campaigns.id, campaign.id), eq(campaigns.businessId, ctx.businessId)));
    if (action === "cancel") {
      await tx
        .update(campaignRecipients)
        .set({ status: "skipped", error: "cancelled", updatedAt: new Date() })
        .where(and(eq(campaignRecipients.campaignId, campaign.id), eq(campaignRecipients.businessId, ctx.businessId), eq(campaignRecipients.status, "queued")));
    }
    await audit(tx, ctx, `campaign.${action === "pause" ? "paused" : action === "resume" ? "resumed" : "cancelled"}`, { type: "campaign", id: campaign.id });
    return { status: t.to };
  });
}

/** The approved WhatsApp templates of the business's WhatsApp numbers, for the editor's choice. */
export async function whatsappTemplateChoices({ ctx }: { ctx: Ctx }): Promise<{ name: string; contentSid: string }[]> {
  manager(ctx);
  return withTenant(ctx.actor.userId, async (tx) => {
    const list = await tx
      .select({ settings: channels.settings })
      .from(channels)
      .where(and(eq(channels.businessId, ctx.businessId), eq(channels.kind, "whatsapp"), eq(channels.enabled, true)));
    return list.flatMap((c) => readSettings("whatsapp", c.settings).templates.map((t) => ({ name: t.name, contentSid: t.contentSid })));
  });
}
