// Settings → AI: validated, audited, and each change bumps the knowledge version so cached answers
// built under the old settings stop serving.
import { eq, sql } from "drizzle-orm";
import { businesses } from "@/lib/db/schema";
import { findBusinessById } from "@/lib/db/businesses";
import { AiSettings, readAiSettings } from "@/lib/ai/prompts";
import { AppError } from "@/lib/errors";
import { audit } from "./audit";
import { MANAGERS, requireStaffRole, type Ctx } from "./context";
import { inTenant } from "./tenant";

/** Settings → AI: the instructions, hours and model choices. Owners and admins only. */
export async function getAiSettings({ ctx }: { ctx: Ctx }) {
  requireStaffRole(ctx, MANAGERS);
  const business = await inTenant(ctx, (tx) => findBusinessById(tx, ctx.businessId));
  if (!business) throw new AppError("not_found", "Business not found.");
  return { settings: readAiSettings(business.aiSettings), timeZone: business.timeZone };
}

export async function updateAiSettings({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requireStaffRole(ctx, MANAGERS);
  const settings = AiSettings.parse(input);
  return inTenant(ctx, async (tx) => {
    const [updated] = await tx
      .update(businesses)
      .set({ aiSettings: settings, knowledgeVersion: sql`${businesses.knowledgeVersion} + 1`, updatedAt: new Date() })
      .where(eq(businesses.id, ctx.businessId))
      .returning({ knowledgeVersion: businesses.knowledgeVersion });
    if (!updated) throw new AppError("not_found", "Business not found.");
    await audit(tx, ctx, "ai_settings.updated", { type: "business", id: ctx.businessId }, { knowledgeVersion: updated.knowledgeVersion });
    return { settings, knowledgeVersion: updated.knowledgeVersion };
  });
}
