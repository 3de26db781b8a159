import "server-only";
// The owner answers from their own phone: a text to the business's SMS or WhatsApp number from a
// member's verified number is not a customer's message. "#A7 Yes, 4pm is fine" sends that text to
// the customer of hand-off A7 on their own channel, as a staff reply through the inbox's reply verb
// (so it is stored, delivered by the outbox, audited, and drafts a suggested FAQ like any staff
// answer); "1" or "#A7 1" sends the AI's suggestion; "done" or "#A7 done" hands the conversation
// back to the AI. Without a code there must be exactly one open hand-off: with several, the owner
// gets the list of codes back and nothing is sent (never a guess).
import { sql } from "drizzle-orm";
import { ZodError } from "zod";
import { withService } from "@/lib/db/client";
import type { Defer } from "@/lib/pipeline/defer";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import type { Role } from "@/lib/db/businesses";
import { AppError } from "@/lib/errors";
import type { Embedder } from "@/lib/ai/embeddings";
import { consentKeyword } from "@/lib/campaigns/consent";
import { CHANNEL_NAME, listOpenHandoffs, suggestionFor, type OpenHandoff } from "./handoffs";
import { memberByPhone } from "./phone";

export type RelayOutcome = "sent" | "suggestion_sent" | "handed_back" | "ask_code" | "unknown_code" | "none_open" | "no_suggestion" | "empty" | "refused";

export type Relayed = {
  /** what the owner's phone gets back */
  text: string;
  outcome: RelayOutcome;
  conversationId: string | null;
  messageId: string | null;
  code: string | null;
};

// "#A7 text", "A7: text", "#a7" — the code first; a bare "A7" counts only when it is an open code.
const CODED = /^\s*(#)?([A-Za-z][0-9])(?=$|[\s:,.-])[\s:,.-]*([\s\S]*)$/;

export function parseOwnerText(text: string): { code: string | null; hashed: boolean; body: string } {
  const m = CODED.exec(text);
  if (!m) return { code: null, hashed: false, body: text.trim() };
  return { code: m[2]!.toUpperCase(), hashed: Boolean(m[1]), body: m[3]!.trim() };
}

const who = (h: OpenHandoff) => `${h.customerName?.trim() || "a customer"} on ${CHANNEL_NAME[h.channelKind] ?? h.channelKind}`;
const listOf = (open: OpenHandoff[]) => open.map((h) => `#${h.code} ${who(h)}`).join("\n");

/**
 * The relay for one inbound text to a business's SMS or WhatsApp number: null when the sender is not
 * a member's verified number (or writes STOP, which stays the keywords' business).
 */
export async function relayFromMember(
  input: { businessId: string; from: string; text: string; defer?: Defer; embedder?: Embedder },
): Promise<Relayed | null> {
  // STOP stays the carriers' word: it is recorded as consent like anyone's, and nothing is relayed
  if (consentKeyword(input.text) === "opt_out") return null;
  const member = await withService((tx) => memberByPhone(tx, input.businessId, input.from));
  if (!member) return null;
  const ctx: MemberCtx = { businessId: input.businessId, actor: { type: "member", userId: member.userId, role: member.role as Role } };
  const open = await withService((tx) => listOpenHandoffs(tx, input.businessId));
  const parsed = parseOwnerText(input.text);
  let code = parsed.code;
  let body = parsed.body;
  // a bare "A7" that is no open code is just the start of a sentence
  if (code && !parsed.hashed && !open.some((h) => h.code === code)) {
    code = null;
    body = input.text.trim();
  }
  const reply = (outcome: RelayOutcome, text: string, h?: OpenHandoff, messageId: string | null = null): Relayed => ({
    text,
    outcome,
    conversationId: h?.conversationId ?? null,
    messageId,
    code: h?.code ?? null,
  });

  if (!open.length) return reply("none_open", "No conversation is waiting for a person right now, so nothing was sent.");
  let target: OpenHandoff | undefined;
  if (code) {
    target = open.find((h) => h.code === code);
    if (!target) return reply("unknown_code", `#${code} is not an open hand-off; nothing was sent. Open now:\n${listOf(open)}`);
  } else if (open.length === 1) {
    target = open[0]!;
  } else {
    return reply("ask_code", `${open.length} conversations are waiting; nothing was sent. Start your reply with the code:\n${listOf(open)}\ne.g. "#${open[0]!.code} your answer".`);
  }
  if (!body) return reply("empty", `Write your answer after the code, e.g. "#${target.code} We can see you at 4pm", or "#${target.code} done".`, target);

  try {
    if (/^done$/i.test(body)) {
      await actOnConversation({ ctx, input: { id: target.conversationId, action: { action: "hand_back" } } }, { defer: input.defer });
      await closeHandoff(input.businessId, target.id);
      return reply("handed_back", `#${target.code}: handed back to the AI. ${who(target)} will get its answers again.`, target);
    }
    let text = body;
    let outcome: RelayOutcome = "sent";
    if (body === "1") {
      const suggestion = await withService((tx) => suggestionFor(tx, target, input.businessId, input.embedder));
      if (!suggestion) return reply("no_suggestion", `#${target.code} has no suggested reply; nothing was sent. Write your answer after the code.`, target);
      text = suggestion;
      outcome = "suggestion_sent";
    }
    const done = await actOnConversation({ ctx, input: { id: target.conversationId, action: { action: "reply", text } } }, { defer: input.defer });
    return reply(outcome, `#${target.code}: sent to ${who(target)}. Reply "#${target.code} done" to hand it back to the AI.`, target, done.messageId ?? null);
  } catch (err) {
    // a reason a person can act on (the WhatsApp window closed, the role cannot reply); anything else is the webhook's failure
    if (err instanceof AppError) return reply("refused", `#${target.code}: not sent. ${err.message}`, target);
    if (err instanceof ZodError) return reply("refused", `#${target.code}: not sent. ${err.issues[0]?.message ?? "The answer cannot be sent as written."}`, target);
    throw err;
  }
}

async function closeHandoff(businessId: string, id: string) {
  await withService((tx) => tx.execute(sql`update relay_handoffs set closed_at = now() where id = ${id} and business_id = ${businessId} and closed_at is null`));
}
