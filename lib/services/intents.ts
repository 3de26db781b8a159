import "server-only";
// The owner's intents (Settings → Intents): what customers come for, each with a one-line
// description. Owners and admins edit the list; any member corrects a message's intent in the inbox,
// and the correction becomes an example of that intent for later messages.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withTenant, type Tx } from "@/lib/db/client";
import { businesses, intentExamples, intents, messageInsights, messages } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { addDefaultIntents, ensureIntents } from "@/lib/intel/insights";
import { BUSINESS_KINDS, type BusinessKind } from "@/lib/intel/defaults";
import { sentimentOf } from "@/lib/intel/sentiment";
import { text } from "@/lib/validation/text";
import { audit } from "./audit";
import { MANAGERS, requireMember, requireRole, type Ctx } from "./context";
import { parseId } from "./knowledge";

export const IntentInput = z.object({
  name: text().trim().min(2, "Name the intent (at least 2 characters).").max(60, "Keep the name under 60 characters."),
  description: text().trim().max(200, "Keep the description to one line (under 200 characters).").default(""),
});
export type IntentInput = z.input<typeof IntentInput>;

export const IntentCorrection = z.object({
  messageId: z.guid("Choose a customer message."),
  /** null: the message is about something else ("other") */
  intentId: z.guid("Choose an intent.").nullable(),
});

export type IntentView = { id: string; name: string; description: string; examples: number; corrections: number; messages30d: number };

export async function listIntents({ ctx }: { ctx: Ctx }): Promise<{ kind: BusinessKind; intents: IntentView[] }> {
  requireMember(ctx);
  return withTenant(ctx.actor.userId, async (tx) => {
    await ensureIntents(tx, ctx.businessId);
    const [business] = await tx.select({ kind: businesses.kind }).from(businesses).where(eq(businesses.id, ctx.businessId));
    const list = await rows<{ id: string; name: string; description: string; examples: number; corrections: number; messages30d: number }>(
      tx,
      sql`select i.id, i.name, i.description,
                 (select count(*)::int from intent_examples e where e.business_id = i.business_id and e.intent_id = i.id) as examples,
                 (select count(*)::int from intent_examples e where e.business_id = i.business_id and e.intent_id = i.id and e.message_id is not null) as corrections,
                 (select count(*)::int from message_insights mi where mi.business_id = i.business_id and mi.intent_id = i.id
                    and mi.created_at > now() - interval '30 days') as "messages30d"
          from intents i where i.business_id = ${ctx.businessId} order by lower(i.name)`,
    );
    return { kind: (business?.kind ?? "general") as BusinessKind, intents: list };
  });
}

async function nameTaken(tx: Tx, businessId: string, name: string, except?: string): Promise<boolean> {
  const found = await rows(
    tx,
    sql`select 1 from intents where business_id = ${businessId} and lower(name) = lower(${name}) ${except ? sql`and id <> ${except}` : sql``} limit 1`,
  );
  return found.length > 0;
}

export async function createIntent({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ id: string }> {
  requireRole(ctx, MANAGERS);
  const intent = IntentInput.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    await ensureIntents(tx, ctx.businessId);
    if (await nameTaken(tx, ctx.businessId, intent.name)) throw new AppError("conflict", `There is already an intent called "${intent.name}".`, { field: "name" });
    const [row] = await tx.insert(intents).values({ businessId: ctx.businessId, ...intent }).returning({ id: intents.id });
    await audit(tx, ctx, "intent.created", { type: "intent", id: row!.id });
    return { id: row!.id };
  });
}

export async function updateIntent({ ctx, input }: { ctx: Ctx; input: { id: unknown } & Record<string, unknown> }): Promise<{ id: string }> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Intent");
  const intent = IntentInput.parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    if (await nameTaken(tx, ctx.businessId, intent.name, id)) throw new AppError("conflict", `There is already an intent called "${intent.name}".`, { field: "name" });
    const [row] = await tx
      .update(intents)
      .set({ ...intent, updatedAt: new Date() })
      .where(and(eq(intents.id, id), eq(intents.businessId, ctx.businessId)))
      .returning({ id: intents.id });
    if (!row) throw new AppError("not_found", "Intent not found.");
    await audit(tx, ctx, "intent.updated", { type: "intent", id });
    return { id };
  });
}

/** Deletes an intent and its examples; messages read as it become "other". */
export async function deleteIntent({ ctx, input }: { ctx: Ctx; input: { id: unknown } }): Promise<void> {
  requireRole(ctx, MANAGERS);
  const id = parseId(input.id, "Intent");
  await withTenant(ctx.actor.userId, async (tx) => {
    const [row] = await tx.delete(intents).where(and(eq(intents.id, id), eq(intents.businessId, ctx.businessId))).returning({ id: intents.id });
    if (!row) throw new AppError("not_found", "Intent not found.");
    await audit(tx, ctx, "intent.deleted", { type: "intent", id });
  });
}

/** Sets the kind of business and adds its default intents (names already on the list are kept as they are). */
export async function applyIntentTemplate({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ added: number }> {
  requireRole(ctx, MANAGERS);
  const { kind } = z.object({ kind: z.enum(BUSINESS_KINDS, { message: "Choose a kind of business." }) }).parse(input);
  return withTenant(ctx.actor.userId, async (tx) => {
    await tx.update(businesses).set({ kind, intentsSeededAt: new Date(), updatedAt: new Date() }).where(eq(businesses.id, ctx.businessId));
    const added = await addDefaultIntents(tx, ctx.businessId, kind);
    await audit(tx, ctx, "intent.template_applied", { type: "business", id: ctx.businessId }, { kind, added });
    return { added };
  });
}

/**
 * Staff's correction of one customer message (in a transaction the caller holds): the message's
 * insight says so from now on (and the job never rewrites it), and the message becomes an example of
 * the intent — of none, when it is "other".
 */
export async function correctIntent(tx: Tx, ctx: Ctx, input: unknown, conversationId: string): Promise<void> {
  requireMember(ctx);
  const { messageId, intentId } = IntentCorrection.parse(input);
  const [message] = await tx
    .select({ id: messages.id, content: messages.content })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.businessId, ctx.businessId), eq(messages.conversationId, conversationId), eq(messages.role, "customer")));
  if (!message) throw new AppError("not_found", "That customer message is not in this conversation.");
  if (intentId) {
    const [intent] = await tx.select({ id: intents.id }).from(intents).where(and(eq(intents.id, intentId), eq(intents.businessId, ctx.businessId)));
    if (!intent) throw new AppError("not_found", "That intent is not on this business's list.");
  }
  const values = { intentId, confidence: 1, corrected: true, engine: "staff" };
  await tx
    .insert(messageInsights)
    .values({ messageId, businessId: ctx.businessId, conversationId, sentiment: sentimentOf(message.content), ...values })
    .onConflictDoUpdate({ target: messageInsights.messageId, set: values });
  await tx.delete(intentExamples).where(and(eq(intentExamples.messageId, messageId), eq(intentExamples.businessId, ctx.businessId)));
  if (intentId) await tx.insert(intentExamples).values({ businessId: ctx.businessId, intentId, text: message.content.slice(0, 1000), messageId });
  await audit(tx, ctx, "message.intent_corrected", { type: "message", id: messageId }, { intentId });
}
