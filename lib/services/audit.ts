// Who changed what in the dashboard.
import type { Executor } from "@/lib/db/client";
import { insertAudit } from "@/lib/db/businesses";
import { actorId, type Ctx } from "./context";

export async function audit(
  ex: Executor,
  ctx: Ctx,
  action: string,
  target: { type?: string; id?: string | null } = {},
  details: Record<string, unknown> = {},
) {
  await insertAudit(ex, {
    businessId: ctx.businessId,
    actorId: actorId(ctx),
    action,
    targetType: target.type ?? null,
    targetId: target.id ?? null,
    // A change made through the API names the key that made it.
    details: ctx.actor.type === "api_key" ? { ...details, apiKeyId: ctx.actor.keyId } : details,
  });
}
