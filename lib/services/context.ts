// Who is acting, for which business. Domain verbs take { ctx, input }.
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/db/businesses";

export type Actor =
  | { type: "member"; userId: string; role: Role }
  | { type: "webhook"; provider: string }
  | { type: "job"; name: string }
  | { type: "customer"; customerId: string | null };

export type Ctx = { businessId: string; actor: Actor };
export type MemberCtx = Ctx & { actor: Extract<Actor, { type: "member" }> };

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

export function actorId(ctx: Ctx): string | null {
  return ctx.actor.type === "member" ? ctx.actor.userId : null;
}
