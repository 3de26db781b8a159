import "server-only";
// Settings → Integrations → HubSpot: a private-app token per business (owners and admins), checked
// against HubSpot before it is kept, sealed at rest, shown back only as its last 4 characters.
// Connecting queues every existing customer for upsert; disconnecting drops what still waits.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withTenant } from "@/lib/db/client";
import { hubspotConnections, hubspotSync } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt } from "@/lib/security/crypto";
import { text } from "@/lib/validation/text";
import { checkToken, HubspotError } from "@/lib/hubspot/client";
import { audit } from "./audit";
import { MANAGERS, requireRole, type Ctx } from "./context";

const TOKEN_MESSAGE = "Paste the private app's access token from HubSpot (Settings → Integrations → Private apps); it starts with pat-.";
export const HubspotTokenInput = z.object({
  token: text({ message: TOKEN_MESSAGE })
    .trim()
    .regex(/^pat-[A-Za-z0-9-]{8,200}$/, TOKEN_MESSAGE),
});
export const HUBSPOT_FIELDS = ["token"];

export type HubspotSettings = {
  connected: boolean;
  tokenEnd: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
  counts: { pending: number; done: number; skipped: number; failed: number };
};

export async function getHubspotSettings({ ctx }: { ctx: Ctx }): Promise<HubspotSettings> {
  requireRole(ctx, MANAGERS);
  return withTenant(ctx.actor.userId, async (tx) => {
    const [conn] = await tx.select().from(hubspotConnections).where(eq(hubspotConnections.businessId, ctx.businessId));
    const [counts] = await rows<HubspotSettings["counts"]>(
      tx,
      sql`select count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'done')::int as done,
                 count(*) filter (where status = 'skipped')::int as skipped, count(*) filter (where status = 'failed')::int as failed
          from hubspot_sync where business_id = ${ctx.businessId}`,
    );
    return {
      connected: !!conn,
      tokenEnd: conn ? decrypt(conn.tokenEncrypted).slice(-4) : null,
      lastSyncedAt: conn?.lastSyncedAt?.toISOString() ?? null,
      lastError: conn?.lastError ?? null,
      counts: counts!,
    };
  });
}

export async function connectHubspot({ ctx, input }: { ctx: Ctx; input: unknown }, deps: { sleep?: (ms: number) => Promise<void> } = {}): Promise<{ queued: number }> {
  requireRole(ctx, MANAGERS);
  const { token } = HubspotTokenInput.parse(input);
  try {
    await checkToken({ token, sleep: deps.sleep });
  } catch (err) {
    if (err instanceof HubspotError && (err.status === 401 || err.status === 403)) throw new AppError("bad_request", "HubSpot refused this token. Check that it is the private app's access token and that the app has the contacts scopes.", { field: "token" });
    throw new AppError("unavailable", err instanceof Error ? err.message : "HubSpot could not be reached; try again.");
  }
  return withTenant(ctx.actor.userId, async (tx) => {
    await tx
      .insert(hubspotConnections)
      .values({ businessId: ctx.businessId, tokenEncrypted: encrypt(token) })
      .onConflictDoUpdate({ target: hubspotConnections.businessId, set: { tokenEncrypted: encrypt(token), lastError: null, updatedAt: new Date() } });
    const queued = await rows<{ id: string }>(
      tx,
      sql`insert into hubspot_sync (business_id, kind, customer_id)
          select ${ctx.businessId}, 'contact', c.id from customers c
          where c.business_id = ${ctx.businessId} and exists (select 1 from customer_identities i where i.customer_id = c.id and i.business_id = c.business_id and i.kind in ('email', 'phone'))
          on conflict do nothing returning id`,
    );
    await audit(tx, ctx, "hubspot.connected", { type: "integration", id: "hubspot" }, { tokenEnd: token.slice(-4), queued: queued.length });
    return { queued: queued.length };
  });
}

export async function disconnectHubspot({ ctx }: { ctx: Ctx }): Promise<void> {
  requireRole(ctx, MANAGERS);
  await withTenant(ctx.actor.userId, async (tx) => {
    const gone = await tx.delete(hubspotConnections).where(eq(hubspotConnections.businessId, ctx.businessId)).returning();
    if (!gone.length) throw new AppError("not_found", "HubSpot is not connected.");
    await tx.delete(hubspotSync).where(and(eq(hubspotSync.businessId, ctx.businessId), eq(hubspotSync.status, "pending")));
    await audit(tx, ctx, "hubspot.disconnected", { type: "integration", id: "hubspot" });
  });
}
