import "server-only";
// Settings → Webhooks: a business's endpoints (owners and admins only), their signing secrets
// (sealed at rest, shown only to a manager who asks, never logged or audited in clear), rotation with
// a day's overlap, and the delivery log with one-click replay. Delivery itself is lib/webhooks/deliver.ts.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withTenant } from "@/lib/db/client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints, webhookMessages } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt } from "@/lib/security/crypto";
import { text } from "@/lib/validation/text";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";
import { endpointUrl } from "@/lib/webhooks/ssrf";
import { newWebhookSecret, webhookMessageId } from "@/lib/webhooks/signing";
import { PREVIOUS_SECRET_TTL_MS, replayDelivery, type ReplayResult } from "@/lib/webhooks/deliver";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";
import { parseId } from "./knowledge";

export const MAX_ENDPOINTS = 10;
export const LOG_PAGE_SIZE = 50;

const Events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { message: "Choose events from the list." }), { message: "Choose at least one event." })
  .min(1, "Choose at least one event.")
  .transform((list) => [...new Set(list)]);

export const EndpointInput = z.object({
  url: text({ message: "Enter the URL that should receive the events." }).transform((v, ctx) => {
    const r = endpointUrl(v);
    if ("url" in r) return r.url;
    ctx.addIssue({ code: "custom", message: r.problem });
    return z.NEVER;
  }),
  description: text()
    .trim()
    .max(200, "Keep the description under 200 characters.")
    .optional()
    .transform((v) => v || null),
  events: Events,
});
export const ENDPOINT_FIELDS = ["url", "description", "events"];

export type EndpointView = {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  rotatedUntil: string | null;
  pending: number;
  lastAttempt: { at: string; ok: boolean; statusCode: number | null } | null;
};

export async function listWebhookEndpoints({ ctx }: { ctx: Ctx }): Promise<EndpointView[]> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const list = await rows<{
      id: string;
      url: string;
      description: string | null;
      events: string[];
      enabled: boolean;
      disabled_reason: string | null;
      disabled_at: string | Date | null;
      previous_secret_expires_at: string | Date | null;
      pending: number;
      last_at: string | Date | null;
      last_ok: boolean | null;
      last_status: number | null;
    }>(
      tx,
      sql`select e.id, e.url, e.description, e.events, e.enabled, e.disabled_reason, e.disabled_at, e.previous_secret_expires_at,
            (select count(*)::int from webhook_deliveries d where d.endpoint_id = e.id and d.business_id = e.business_id and d.status in ('pending', 'sending')) as pending,
            a.created_at as last_at, a.ok as last_ok, a.status_code as last_status
          from webhook_endpoints e
          left join lateral (select created_at, ok, status_code from webhook_attempts x where x.endpoint_id = e.id and x.business_id = e.business_id order by created_at desc limit 1) a on true
          where e.business_id = ${ctx.businessId}
          order by e.created_at, e.id`,
    );
    const now = Date.now();
    return list.map((e) => ({
      id: e.id,
      url: e.url,
      description: e.description,
      events: e.events,
      enabled: e.enabled,
      disabledReason: e.disabled_reason,
      disabledAt: e.disabled_at ? new Date(e.disabled_at).toISOString() : null,
      rotatedUntil: e.previous_secret_expires_at && new Date(e.previous_secret_expires_at).getTime() > now ? new Date(e.previous_secret_expires_at).toISOString() : null,
      pending: e.pending,
      lastAttempt: e.last_at ? { at: new Date(e.last_at).toISOString(), ok: !!e.last_ok, statusCode: e.last_status } : null,
    }));
  });
}

async function endpointOf(tx: Parameters<Parameters<typeof withTenant>[1]>[0], businessId: string, id: string) {
  const [row] = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.businessId, businessId)));
  if (!row) throw new AppError("not_found", "Webhook endpoint not found.");
  return row;
}

/** Registers an endpoint; returns it with its new signing secret (shown once here, and on request later). */
export async function createWebhookEndpoint({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ id: string; secret: string }> {
  requireRole(ctx, MANAGERS);
  const v = EndpointInput.parse(input);
  const secret = newWebhookSecret();
  return withTenant(ctx.actor.userId, async (tx) => {
    const [{ n }] = (await rows<{ n: number }>(tx, sql`select count(*)::int as n from webhook_endpoints where business_id = ${ctx.businessId}`)) as [{ n: number }];
    if (n >= MAX_ENDPOINTS) throw new AppError("conflict", `A business can have at most ${MAX_ENDPOINTS} webhook endpoints; delete one first.`);
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ businessId: ctx.businessId, url: v.url, description: v.description, events: v.events, secretEncrypted: encrypt(secret) })
      .returning({ id: webhookEndpoints.id });
    await audit(tx, ctx, "webhook_endpoint.created", { type: "webhook_endpoint", id: row!.id }, { url: v.url, events: v.events });
    return { id: row!.id, secret };
  });
}

export const EndpointUpdate = EndpointInput.partial().extend({ enabled: z.boolean({ message: "Choose whether the endpoint is on." }).optional() });

/** Changes the URL, description, events, or turns the endpoint off or back on (on again: its failure count starts over). */
export async function updateWebhookEndpoint({ ctx, input }: { ctx: Ctx; input: { id: unknown; changes: unknown } }): Promise<void> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Webhook endpoint");
  const v = EndpointUpdate.parse(input.changes);
  await withTenant(ctx.actor.userId, async (tx) => {
    const current = await endpointOf(tx, ctx.businessId, id);
    const turningOn = v.enabled === true && !current.enabled;
    await tx
      .update(webhookEndpoints)
      .set({
        ...(v.url !== undefined ? { url: v.url } : {}),
        ...(v.description !== undefined ? { description: v.description } : {}),
        ...(v.events !== undefined ? { events: v.events } : {}),
        ...(v.enabled === false && current.enabled ? { enabled: false, disabledAt: new Date(), disabledReason: "Turned off by hand." } : {}),
        ...(turningOn ? { enabled: true, disabledAt: null, disabledReason: null, exhaustedStreak: 0 } : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.businessId, ctx.businessId)));
    await audit(tx, ctx, "webhook_endpoint.updated", { type: "webhook_endpoint", id }, { ...v });
  });
}

export async function deleteWebhookEndpoint({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<void> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Webhook endpoint");
  await withTenant(ctx.actor.userId, async (tx) => {
    const current = await endpointOf(tx, ctx.businessId, id);
    await tx.delete(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.businessId, ctx.businessId)));
    await audit(tx, ctx, "webhook_endpoint.deleted", { type: "webhook_endpoint", id }, { url: current.url });
  });
}

export async function revealWebhookSecret({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<{ secret: string }> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Webhook endpoint");
  return withTenant(ctx.actor.userId, async (tx) => {
    const row = await endpointOf(tx, ctx.businessId, id);
    await audit(tx, ctx, "webhook_endpoint.secret_viewed", { type: "webhook_endpoint", id });
    return { secret: decrypt(row.secretEncrypted) };
  });
}

/**
 * A new secret signs from now on; the old one keeps signing beside it for 24 hours (two signatures in
 * webhook-signature, as Svix does), so a receiver can switch without missing an event.
 */
export async function rotateWebhookSecret({ ctx, input }: { ctx: Ctx; input: { id: unknown } }, opts: { now?: Date } = {}): Promise<{ secret: string; previousValidUntil: string }> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Webhook endpoint");
  const now = opts.now ?? new Date();
  const secret = newWebhookSecret();
  const until = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const row = await endpointOf(tx, ctx.businessId, id);
    await tx
      .update(webhookEndpoints)
      .set({ secretEncrypted: encrypt(secret), previousSecretEncrypted: row.secretEncrypted, previousSecretExpiresAt: until, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.businessId, ctx.businessId)));
    await audit(tx, ctx, "webhook_endpoint.secret_rotated", { type: "webhook_endpoint", id }, { previousValidUntil: until.toISOString() });
    return { secret, previousValidUntil: until.toISOString() };
  });
}

export type DeliveryLogEntry = {
  id: string;
  webhookId: string;
  eventType: string;
  createdAt: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  log: { at: string; trigger: string; ok: boolean; statusCode: number | null; durationMs: number; responseBody: string | null; error: string | null }[];
};

/** The endpoint's latest deliveries, newest first, each with every attempt made. */
export async function getDeliveryLog({ ctx, input }: { ctx: Ctx; input: { endpointId: unknown; page?: unknown } }): Promise<{ endpoint: { id: string; url: string; enabled: boolean }; entries: DeliveryLogEntry[]; page: number; more: boolean }> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.endpointId, "Webhook endpoint");
  const page = Math.max(1, Math.min(1000, Number.parseInt(String(input.page ?? "1"), 10) || 1));
  return withTenant(ctx.actor.userId, async (tx) => {
    const endpoint = await endpointOf(tx, ctx.businessId, id);
    const deliveries = await tx
      .select({ d: webhookDeliveries, eventType: webhookMessages.eventType })
      .from(webhookDeliveries)
      .innerJoin(webhookMessages, and(eq(webhookMessages.id, webhookDeliveries.messageId), eq(webhookMessages.businessId, webhookDeliveries.businessId)))
      .where(and(eq(webhookDeliveries.businessId, ctx.businessId), eq(webhookDeliveries.endpointId, id)))
      .orderBy(desc(webhookDeliveries.seq))
      .limit(LOG_PAGE_SIZE + 1)
      .offset((page - 1) * LOG_PAGE_SIZE);
    const shown = deliveries.slice(0, LOG_PAGE_SIZE);
    const attempts = shown.length
      ? await tx
          .select()
          .from(webhookAttempts)
          .where(and(eq(webhookAttempts.businessId, ctx.businessId), inArray(webhookAttempts.deliveryId, shown.map((x) => x.d.id))))
          .orderBy(webhookAttempts.createdAt)
      : [];
    return {
      endpoint: { id: endpoint.id, url: endpoint.url, enabled: endpoint.enabled },
      page,
      more: deliveries.length > LOG_PAGE_SIZE,
      entries: shown.map(({ d, eventType }) => ({
        id: d.id,
        webhookId: webhookMessageId(d.messageId),
        eventType,
        createdAt: d.createdAt.toISOString(),
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
        log: attempts
          .filter((a) => a.deliveryId === d.id)
          .map((a) => ({ at: a.createdAt.toISOString(), trigger: a.trigger, ok: a.ok, statusCode: a.statusCode, durationMs: a.durationMs, responseBody: a.responseBody, error: a.error })),
      })),
    };
  });
}

/** Sends one delivery again now (the log's Replay button). */
export async function replayWebhookDelivery({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<ReplayResult> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Delivery");
  await withTenant(ctx.actor.userId, async (tx) => {
    const [d] = await tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.businessId, ctx.businessId)));
    if (!d) throw new AppError("not_found", "Delivery not found.");
    await audit(tx, ctx, "webhook_delivery.replayed", { type: "webhook_delivery", id });
  });
  return replayDelivery(ctx.businessId, id);
}
