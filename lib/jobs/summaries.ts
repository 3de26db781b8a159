// Summaries of closed conversations for staff (conversations.summary). With a real language model:
// one cheap plain-text call, reserved against the business's budget. In embedded mode — and whenever
// the model cannot be used (no budget, an error) — an extractive summary built from the messages.
// Closing a conversation queues one after the response; this job catches any that were missed.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import { businesses, conversations, messages } from "@/lib/db/schema";
import { getLanguageModel } from "@/lib/ai/get-model";
import { modelNames } from "@/lib/ai/router";
import { normalizeText, stem, STOP_WORDS } from "@/lib/ai/text";
import { spendingAllowed } from "@/lib/pipeline/spend";

export type SummaryLine = { role: "customer" | "assistant" | "agent"; content: string };

const MAX_TRANSCRIPT_CHARS = 12_000;
const SUMMARY_SYSTEM =
  "You summarise a customer-service conversation for the business's staff. In 2 to 4 plain sentences say what " +
  "the customer wanted, what they were told or what was done, and anything still open (a promised call-back, " +
  "a question nobody answered). No greeting, no markdown, no invented details.";

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

function terms(text: string): string[] {
  return normalizeText(text)
    .split(" ")
    .filter((w) => w.length > 2 && !STOP_WORDS.has(w))
    .map(stem);
}

/**
 * What the customer asked (their first message), the two sentences of theirs that carry most of
 * what they talked about (terms they repeat weigh more), the last reply and who gave it.
 */
export function extractiveSummary(lines: SummaryLine[]): string {
  const fromCustomer = lines.filter((l) => l.role === "customer" && l.content.trim());
  if (!fromCustomer.length) return "The customer sent no messages.";
  const ask = sentences(fromCustomer[0]!.content)[0] ?? fromCustomer[0]!.content;
  const out = [`Customer asked: ${clip(ask, 200)}`];

  const weight = new Map<string, number>();
  for (const l of fromCustomer) for (const t of new Set(terms(l.content))) weight.set(t, (weight.get(t) ?? 0) + 1);
  const askTerms = new Set(terms(ask));
  const candidates = fromCustomer
    .flatMap((l) => sentences(l.content))
    .map((s, i) => {
      const ts = [...new Set(terms(s))];
      const fresh = ts.filter((t) => !askTerms.has(t));
      return { s, i, score: fresh.reduce((n, t) => n + (weight.get(t) ?? 0), 0) + fresh.length * 0.1, fresh: fresh.length };
    })
    .filter((c) => c.s !== ask && c.fresh >= 2)
    .sort((a, b) => b.score - a.score || a.i - b.i);
  const points: typeof candidates = [];
  for (const c of candidates) {
    if (points.length >= 2) break;
    const cTerms = new Set(terms(c.s));
    // skip a sentence that says mostly what a chosen one already says
    if (points.some((p) => terms(p.s).filter((t) => cTerms.has(t)).length >= Math.min(cTerms.size, 3))) continue;
    points.push(c);
  }
  if (points.length) out.push(`Also mentioned: ${points.sort((a, b) => a.i - b.i).map((p) => clip(p.s, 160)).join(" / ")}`);

  const replies = lines.filter((l) => l.role !== "customer" && l.content.trim());
  const last = replies.at(-1);
  if (last) out.push(`Last reply (${last.role === "agent" ? "team" : "AI"}): ${clip(last.content, 200)}`);
  else out.push("Nobody replied.");

  const team = lines.some((l) => l.role === "agent");
  const ai = lines.some((l) => l.role === "assistant");
  const by = team && ai ? "the AI and the team" : team ? "the team" : ai ? "the AI" : "nobody";
  out.push(`Handled by ${by}; ${lines.length} message${lines.length === 1 ? "" : "s"}.`);
  return out.join("\n");
}

function transcript(lines: SummaryLine[]): string {
  const label = { customer: "Customer", assistant: "Assistant", agent: "Staff" } as const;
  const text = lines.map((l) => `${label[l.role]}: ${l.content.trim()}`).join("\n");
  // the end of a long conversation says more about how it ended than its beginning
  return text.length > MAX_TRANSCRIPT_CHARS ? `…${text.slice(-MAX_TRANSCRIPT_CHARS)}` : text;
}

/** Writes the conversation's summary (if it is still closed); returns it, or null when skipped. */
export async function summarizeConversation(businessId: string, conversationId: string): Promise<string | null> {
  const loaded = await withService(async (tx) => {
    const [row] = await tx
      .select({ conversation: conversations, business: businesses })
      .from(conversations)
      .innerJoin(businesses, eq(businesses.id, conversations.businessId))
      .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, businessId)));
    if (!row || row.conversation.status !== "closed") return null;
    const list = await tx
      .select({ id: messages.id, role: messages.role, content: messages.content })
      .from(messages)
      .where(and(eq(messages.businessId, businessId), eq(messages.conversationId, conversationId), inArray(messages.role, ["customer", "assistant", "agent"])))
      .orderBy(asc(messages.createdAt), asc(messages.id))
      .limit(400);
    return { ...row, messages: list as (SummaryLine & { id: string })[] };
  });
  if (!loaded) return null;
  const lines = loaded.messages;
  let summary = extractiveSummary(lines);

  const model = getLanguageModel();
  if (model.provider !== "offline" && lines.some((l) => l.role === "customer")) {
    const fast = modelNames().fast;
    const text = transcript(lines);
    const allowance = await spendingAllowed({ business: loaded.business, model: fast, prompt: SUMMARY_SYSTEM + text, maxOutputTokens: 300 });
    if (allowance.ok) {
      try {
        const result = await model.generate({
          system: SUMMARY_SYSTEM,
          messages: [{ role: "user", text }],
          model: fast,
          output: "text",
          temperature: 0.2,
          maxOutputTokens: 300,
          thinkingBudget: 0,
          timeoutMs: 20_000,
        });
        await allowance.settle({ model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, messageId: lines.at(-1)!.id, conversationId });
        if (result.text.trim()) summary = result.text.trim();
      } catch (err) {
        await allowance.release();
        console.warn("[prismai] summary by the model failed; kept the extractive one", err instanceof Error ? err.name : "");
      }
    }
  }

  await withService((tx) =>
    tx
      .update(conversations)
      .set({ summary })
      .where(and(eq(conversations.id, conversationId), eq(conversations.businessId, businessId), eq(conversations.status, "closed"))),
  );
  return summary;
}

/** The job: closed conversations (last 7 days) still without a summary. */
export async function summarizePending(opts: { graceSeconds?: number; limit?: number } = {}): Promise<{ summarized: number; failed: number }> {
  const pending = await withService((tx) =>
    rows<{ id: string; business_id: string }>(
      tx,
      sql`select id, business_id from conversations
          where status = 'closed' and summary is null
            and closed_at < now() - make_interval(secs => ${opts.graceSeconds ?? 30}) and closed_at > now() - interval '7 days'
          order by closed_at limit ${opts.limit ?? 20}`,
    ),
  );
  let summarized = 0;
  let failed = 0;
  for (const c of pending) {
    try {
      if (await summarizeConversation(c.business_id, c.id)) summarized++;
    } catch (err) {
      failed++;
      console.error("[prismai] could not summarise a conversation", err instanceof Error ? err.message : String(err));
    }
  }
  return { summarized, failed };
}
