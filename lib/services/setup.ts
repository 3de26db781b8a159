import "server-only";
// The setup checklist a new business sees in its inbox until it is done (or dismissed): each step
// ticks itself from what is in the database, never from a box someone clicked.
import { sql } from "drizzle-orm";
import { rows, withTenant } from "@/lib/db/client";
import { audit } from "./audit";
import { requireMember, type Ctx } from "./context";

export type SetupStepId = "knowledge" | "ai" | "channel" | "widget" | "test";

export type SetupStep = { id: SetupStepId; label: string; hint: string; href: string; done: boolean };

export type SetupChecklist = { steps: SetupStep[]; done: number; complete: boolean };

/** The cookie that hides a business's checklist in one browser (Dismiss). */
export const setupHiddenCookie = (businessId: string) => `prismai_setup_hidden_${businessId.replace(/-/g, "")}`;

/** The audit action the web chat page records when the snippet is copied. */
export const SNIPPET_COPIED = "web_chat.snippet_copied";

type Facts = { knowledge: boolean; ai: boolean; channel: boolean; widget: boolean; test: boolean };

export async function getSetupChecklist({ ctx, input }: { ctx: Ctx; input: { slug: string } }): Promise<SetupChecklist> {
  requireMember(ctx);
  const b = ctx.businessId;
  const [facts] = await withTenant(ctx.actor.userId, (tx) =>
    rows<Facts>(
      tx,
      sql`select
            exists (select 1 from knowledge_documents where business_id = ${b})
              or exists (select 1 from faqs where business_id = ${b}) as knowledge,
            exists (select 1 from audit_log where business_id = ${b} and action = 'ai_settings.updated') as ai,
            -- a channel of the business's own: web chat comes with every business, a sample reaches nobody
            exists (select 1 from channels where business_id = ${b} and kind <> 'web' and enabled
                    and coalesce(settings->>'sample', 'false') <> 'true') as channel,
            exists (select 1 from audit_log where business_id = ${b} and action = ${SNIPPET_COPIED})
              or exists (select 1 from messages m join channels c on c.id = m.channel_id and c.business_id = m.business_id
                         where m.business_id = ${b} and c.kind = 'web' and m.role = 'customer' and m.metadata->>'origin' is not null) as widget,
            -- Settings → Test your agent, or a customer played in a channel simulator on a sample channel
            exists (select 1 from messages where business_id = ${b} and role = 'customer' and metadata->>'test' = 'true')
              or exists (select 1 from messages m join channels c on c.id = m.channel_id and c.business_id = m.business_id
                         where m.business_id = ${b} and m.role = 'customer' and c.settings->>'sample' = 'true') as test`,
    ),
  );
  const base = `/${input.slug}`;
  const f = facts ?? { knowledge: false, ai: false, channel: false, widget: false, test: false };
  const steps: SetupStep[] = [
    {
      id: "knowledge",
      label: "Teach the assistant about your business",
      hint: "Add an article, upload a document or write a few FAQs: it answers from these.",
      href: `${base}/knowledge`,
      done: f.knowledge,
    },
    { id: "ai", label: "Review the AI settings", hint: "Its tone, what it must not talk about, and when it hands over to a person. Save them once.", href: `${base}/settings/ai`, done: f.ai },
    {
      id: "channel",
      label: "Connect a channel",
      hint: "Your number for SMS or calls, your support email, a Telegram bot… A sample lets you try one first; your own completes this step.",
      href: `${base}/channels`,
      done: f.channel,
    },
    { id: "widget", label: "Put the chat on your website", hint: "Copy the one-line snippet from Channels → Web chat into your site.", href: `${base}/channels/web`, done: f.widget },
    {
      id: "test",
      label: "Hold a test conversation",
      hint: "Chat with the assistant in Settings → Test your agent, or play a customer in a channel's simulator.",
      href: `${base}/settings/test-agent`,
      done: f.test,
    },
  ];
  const done = steps.filter((s) => s.done).length;
  return { steps, done, complete: done === steps.length };
}

/** The web chat page: the embed snippet was copied (the checklist's "put the chat on your website"). */
export async function recordSnippetCopied({ ctx }: { ctx: Ctx }): Promise<void> {
  requireMember(ctx);
  await withTenant(ctx.actor.userId, async (tx) => {
    // Once is enough to know; copying again is not news.
    const [seen] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from audit_log where business_id = ${ctx.businessId} and action = ${SNIPPET_COPIED}`);
    if (!seen?.n) await audit(tx, ctx, SNIPPET_COPIED, { type: "channel" });
  });
}
