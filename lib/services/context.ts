// Who is acting, for which business. Domain verbs take { ctx, input }.
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/db/businesses";

export type Actor =
  | { type: "member"; userId: string; role: Role }
  | { type: "webhook"; provider: string }
  | { type: "job"; name: string }
  | { type: "customer"; customerId: string | null }
  /** a request to /api/v1 made with one of the business's API keys (its scopes are checked by the API) */
  | { type: "api_key"; keyId: string };

export type Ctx = { businessId: string; actor: Actor };
export type MemberCtx = Ctx & { actor: Extract<Actor, { type: "member" }> };
/** Staff of the business: a member signed in to the dashboard, or the business's own API key. */
export type StaffCtx = Ctx & { actor: Extract<Actor, { type: "member" } | { type: "api_key" }> };

export const MANAGERS: Role[] = ["owner", "admin"];

/** For pages deciding what to render; loaders still call requireRole themselves. */
export function isManager(ctx: Ctx): ctx is MemberCtx {
  return ctx.actor.type === "member" && MANAGERS.includes(ctx.actor.role);
}

export function requireRole(ctx: Ctx, roles: Role[]): asserts ctx is MemberCtx {
  if (ctx.actor.type !== "member" || !roles.includes(ctx.actor.role)) {
    throw new AppError("forbidden", `Only ${roles.join(" or ")}s can do this.`);
  }
}

/** Any member of the business, whatever the role; the one check for verbs every member may use. */
export function requireMember(ctx: Ctx): asserts ctx is MemberCtx {
  if (ctx.actor.type !== "member") throw new AppError("forbidden", "Only members of this business can do this.");
}

/**
 * The verbs the dashboard and the public API share: any member, or an API key (whose scopes the API
 * has already checked). Keys are made by owners and admins, so they act with a manager's reach.
 */
export function requireStaff(ctx: Ctx): asserts ctx is StaffCtx {
  if (ctx.actor.type !== "member" && ctx.actor.type !== "api_key") throw new AppError("forbidden", "Only members of this business can do this.");
}

/** requireRole for the shared verbs: an API key passes where owners and admins do. */
export function requireStaffRole(ctx: Ctx, roles: Role[]): asserts ctx is StaffCtx {
  if (ctx.actor.type === "api_key" && roles.includes("admin")) return;
  requireRole(ctx, roles);
}

/** The person acting, when a person is: an API key is the business's, nobody's in particular. */
export function staffUserId(ctx: StaffCtx): string | null {
  return ctx.actor.type === "member" ? ctx.actor.userId : null;
}

export function actorId(ctx: Ctx): string | null {
  return ctx.actor.type === "member" ? ctx.actor.userId : null;
}
