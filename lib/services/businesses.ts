// Creating a business and editing its profile.
import { z } from "zod";
import { withService } from "@/lib/db/client";
import { findBusinessById, findBusinessBySlug, insertBusiness, insertChannel, insertMember, updateBusiness } from "@/lib/db/businesses";
import { AppError } from "@/lib/errors";
import type { SessionUser } from "@/lib/auth/types";
import { audit } from "./audit";
import { MANAGERS, requireStaffRole, type Ctx } from "./context";
import { inTenant } from "./tenant";
import { text } from "@/lib/validation/text";

/** Slugs that would collide with routes. */
const RESERVED = new Set(["api", "chat", "businesses", "sign-in", "sign-up", "auth", "dev", "invitations", "reset-password", "forgot-password", "embed", "new", "settings", "_next", "static"]);

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/g, "");
  return base.length >= 2 ? base : `business-${base || "new"}`;
}

export const CreateBusinessInput = z.object({
  name: text().trim().min(2, "The name needs at least 2 characters").max(80, "Keep the name under 80 characters"),
  timeZone: text().trim().optional(),
});
export type CreateBusinessInput = z.infer<typeof CreateBusinessInput>;

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export async function createBusiness({ user, input }: { user: SessionUser; input: unknown }) {
  const { name, timeZone } = CreateBusinessInput.parse(input);
  if (timeZone && !isTimeZone(timeZone)) throw new AppError("bad_request", `Unknown time zone: ${timeZone}`);
  const base = slugify(name);
  return withService(async (tx) => {
    let slug = base;
    for (let n = 2; RESERVED.has(slug) || (await findBusinessBySlug(tx, slug)); n++) slug = `${base}-${n}`;
    const business = await insertBusiness(tx, { name, slug, timeZone: timeZone || "UTC" });
    await insertMember(tx, { businessId: business.id, userId: user.id, role: "owner" });
    await insertChannel(tx, { businessId: business.id, kind: "web", name: "Web chat", address: business.slug });
    const ctx: Ctx = { businessId: business.id, actor: { type: "member", userId: user.id, role: "owner" } };
    await audit(tx, ctx, "business.created", { type: "business", id: business.id }, { name, slug });
    return business;
  });
}

export const BusinessProfileInput = z.object({
  name: text().trim().min(2, "The name needs at least 2 characters").max(80, "Keep the name under 80 characters"),
  timeZone: text().trim().refine(isTimeZone, "Choose a valid time zone, e.g. Europe/London"),
  brandColor: z.string().trim().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #0f766e"),
  logoUrl: text()
    .trim()
    .max(500)
    .refine((v) => v === "" || /^https?:\/\/\S+$/.test(v), "The logo must be an http(s) URL")
    .transform((v) => (v === "" ? null : v)),
});
export type BusinessProfileInput = z.input<typeof BusinessProfileInput>;

/** Settings → Business profile, as the form edits it. Owners and admins only. */
export async function getBusinessProfile({ ctx }: { ctx: Ctx }) {
  requireStaffRole(ctx, MANAGERS);
  const business = await inTenant(ctx, (tx) => findBusinessById(tx, ctx.businessId));
  if (!business) throw new AppError("not_found", "Business not found.");
  return { name: business.name, timeZone: business.timeZone, brandColor: business.brandColor, logoUrl: business.logoUrl ?? "" };
}

export async function updateBusinessProfile({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaffRole(ctx, MANAGERS);
  const values = BusinessProfileInput.parse(input);
  return inTenant(ctx, async (tx) => {
    const updated = await updateBusiness(tx, ctx.businessId, values);
    if (!updated) throw new AppError("not_found", "Business not found.");
    await audit(tx, ctx, "business.profile_updated", { type: "business", id: ctx.businessId }, values);
    return updated;
  });
}
