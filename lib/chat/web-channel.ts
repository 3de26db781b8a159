import "server-only";
// A business's web chat channel: found by the chat slug, its settings (allowed origins), and the
// dashboard's Channels → Web chat form (greeting, PrismAI mark, allowed origins).
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { withTenant, type Executor } from "@/lib/db/client";
import { businesses, channels } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { resolveLimits, type ResolvedLimits } from "@/lib/ratelimit";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/services/audit";
import { MANAGERS, requireRole, type Ctx } from "@/lib/services/context";
import { normaliseOrigin, parseOriginList } from "./origins";
import { text } from "@/lib/validation/text";

export type WebChatSettings = { allowedOrigins: string[] };

/** channels.settings for a web channel, read leniently: an unreadable origin is dropped, not fatal. */
export function readWebSettings(raw: unknown): WebChatSettings {
  const list = (raw as { allowedOrigins?: unknown } | null)?.allowedOrigins;
  const allowedOrigins = Array.isArray(list)
    ? list.flatMap((o) => {
        const n = typeof o === "string" ? normaliseOrigin(o) : null;
        return n ? [n] : [];
      })
    : [];
  return { allowedOrigins };
}

export type WebChat = {
  business: typeof businesses.$inferSelect;
  channel: typeof channels.$inferSelect;
  settings: WebChatSettings;
  /** the business's rate limits, read in the same statement (every chat call needs them) */
  limits: ResolvedLimits;
};

const SLUG = /^[a-z0-9-]{2,60}$/;

/** The business and enabled web channel behind /chat/[slug], with its limits; null for anything else. */
export async function findWebChat(ex: Executor, slug: string): Promise<WebChat | null> {
  if (!SLUG.test(slug)) return null;
  const [row] = await ex
    .select({
      business: businesses,
      channel: channels,
      rules: sql<unknown>`coalesce((select json_agg(json_build_object('scope', r.scope, 'limit', r."limit", 'windowSeconds', r.window_seconds))
                                    from rate_limit_rules r where r.business_id = ${businesses.id}), '[]'::json)`,
    })
    .from(channels)
    .innerJoin(businesses, eq(businesses.id, channels.businessId))
    .where(and(eq(channels.kind, "web"), eq(channels.address, slug), eq(channels.enabled, true), eq(businesses.slug, slug)))
    .limit(1);
  if (!row) return null;
  const rules = (typeof row.rules === "string" ? JSON.parse(row.rules) : row.rules) as { scope: string; limit: number; windowSeconds: number }[];
  return {
    business: row.business,
    channel: row.channel,
    settings: readWebSettings(row.channel.settings),
    limits: { timeZone: row.business.timeZone, rules: resolveLimits(row.business.limits, rules ?? []) },
  };
}

/** Origins that are the app itself: its configured URL and the URL the request arrived on. */
export function ownOrigins(req?: Request): string[] {
  const list = [new URL(env().appUrl).origin];
  if (req) list.push(new URL(req.url).origin);
  return list;
}

// ---------------------------------------------------------------- the dashboard form

export const WebChatInput = z.object({
  greeting: text().trim().min(1, "Write a greeting").max(500, "Keep the greeting under 500 characters"),
  showPrismBranding: z.boolean(),
  allowedOrigins: text().max(5000, "That list is too long"),
});

export async function updateWebChat({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireRole(ctx, MANAGERS);
  const v = WebChatInput.parse(input);
  const { origins, invalid } = parseOriginList(v.allowedOrigins);
  if (invalid.length) throw new AppError("bad_request", `Not a website address: ${invalid.slice(0, 3).join(", ")}. Use e.g. https://www.example.com`);
  if (origins.length > 50) throw new AppError("bad_request", "Allow at most 50 websites.");
  return withTenant(ctx.actor.userId, async (tx) => {
    const updated = await tx
      .update(channels)
      .set({ settings: sql`${channels.settings} || ${JSON.stringify({ allowedOrigins: origins })}::jsonb`, updatedAt: new Date() })
      .where(and(eq(channels.businessId, ctx.businessId), eq(channels.kind, "web")))
      .returning({ id: channels.id });
    if (!updated.length) throw new AppError("not_found", "This business has no web chat channel.");
    await tx
      .update(businesses)
      .set({ greeting: v.greeting, showPrismBranding: v.showPrismBranding, updatedAt: new Date() })
      .where(eq(businesses.id, ctx.businessId));
    await audit(tx, ctx, "web_chat.updated", { type: "channel", id: updated[0]!.id }, { greeting: v.greeting, showPrismBranding: v.showPrismBranding, allowedOrigins: origins });
    return { allowedOrigins: origins };
  });
}
