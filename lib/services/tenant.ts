import "server-only";
// The transaction a shared verb runs in: a member's runs as `authenticated` with their claims (RLS
// on top of the business_id filters); an API key's runs on the service path like webhooks and jobs,
// where every query already filters by business_id (the key was matched to its business first).
import { withService, withTenant, type Tx } from "@/lib/db/client";
import type { StaffCtx } from "./context";

export function inTenant<T>(ctx: StaffCtx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.actor.type === "member" ? withTenant(ctx.actor.userId, fn) : withService(fn);
}
