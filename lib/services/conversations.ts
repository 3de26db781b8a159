import "server-only";
// The inbox: conversations from every channel, one customer's whole timeline, and what staff do —
// take over (the AI stops), reply as a person, internal notes, assign, hand back to the AI, close
// (a summary is queued). Any member may do these; assigning a conversation to someone else is for
// owners and admins. Every change is audited with ids only, never a customer's words.
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { rows, withService, type Tx } from "@/lib/db/client";
import {
  customerConversationCount,
  customerIdentityRows,
  customerTimeline,
  findConversation,
  findCustomerRow,
  isMember,
  listInbox,
  listWaiting,
  type ConversationRow,
  type InboxQuery,
  type InboxRow,
  type InboxStatus,
  type TimelineRow,
} from "@/lib/db/conversations";
import { channels, conversations, customers, messages } from "@/lib/db/schema";
import { insertSurvey } from "@/lib/db/csat";
import { canMessage } from "@/lib/channels/sms/consent";
import { findBusinessById } from "@/lib/db/businesses";
import { REPORT_SETS } from "@/lib/db/reports";
import { readSettings } from "@/lib/channels/twilio/channels";
import { OUTSIDE_WINDOW } from "@/lib/channels/twilio/outbound";
import { serviceWindow } from "@/lib/channels/whatsapp/window";
import { INSTAGRAM_HUMAN_AGENT_NOTICE, INSTAGRAM_WINDOW_CLOSED, instagramWindow } from "@/lib/channels/instagram/window";
import { drainOutbox } from "@/lib/channels/delivery";
import { AppError } from "@/lib/errors";
import { CHANNEL_KINDS } from "@/lib/ai/prompts";
import { CURSOR_OVERLAP_MS } from "@/lib/chat/protocol";
import { summarizeConversation } from "@/lib/jobs/summaries";
import { storeMessage } from "@/lib/pipeline/conversations";
import { deferAfterResponse, type Defer } from "@/lib/pipeline/defer";
import { embedMessagesIntoMemories } from "@/lib/pipeline/memories";
import { parseQueryDate } from "@/lib/validation/dates";
import { text } from "@/lib/validation/text";
import type { IdentityKind } from "@/lib/pipeline/identities";
import { audit } from "./audit";
import { correctIntent } from "./intents";
import { stageOf, type LeadStage } from "@/lib/intel/leads";
import { enqueueReply } from "./reply-queue";
import { isCsatChannel, newSurveyToken, surveyText } from "./csat";
import { MANAGERS, requireStaff, requireStaffRole, staffUserId, type Ctx } from "./context";
import { inTenant } from "./tenant";
import { CursorPage, customerDisplayName as displayName, decodeCursor, encodeCursor, identityValue, searchTerms } from "./customers";
import { parseId } from "./knowledge";
import { resolveFilters } from "./report-filters";
import { noJit } from "./reports";

const iso = (d: string | Date | null): string | null => (d === null ? null : new Date(d).toISOString());

// ---------------------------------------------------------------- the list

const STATUSES = ["active", "open", "waiting_human", "closed", "all"] as const satisfies readonly InboxStatus[];

/** The inbox's filters as they arrive in a URL: anything unreadable falls back to "no filter". */
export const InboxFilters = z.object({
  status: z.enum(STATUSES).catch("active").default("active"),
  channel: z.enum(CHANNEL_KINDS).optional().catch(undefined),
  assignee: z.union([z.literal("me"), z.literal("unassigned"), z.guid()]).optional().catch(undefined),
  unread: z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v) => v === true || v === "1" || v === "true")
    .catch(false),
  q: text().trim().max(200).optional().catch(undefined),
  // an intent's id, or "other": conversations with a customer message read as it
  intent: z.union([z.literal("other"), z.guid()]).optional().catch(undefined),
  // Analytics links here with the set of conversations behind a number, started between two local days.
  set: z.enum(REPORT_SETS).optional().catch(undefined),
  reason: z.string().regex(/^[a-z_]{1,40}$/).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
});
export type InboxFilters = z.infer<typeof InboxFilters>;

/** The Analytics set to show, when the link's dates can be read (else no such filter, like any bad filter). */
async function reportFilter(tx: Tx, businessId: string, filters: InboxFilters): Promise<InboxQuery["report"]> {
  if (!filters.set || !filters.from || !filters.to) return undefined;
  const business = await findBusinessById(tx, businessId);
  if (!business) return undefined;
  try {
    const range = resolveFilters({ period: "custom", from: filters.from, to: filters.to }, business.timeZone);
    return { scope: { startsAt: range.startsAt, endsAt: range.endsAt, now: new Date() }, set: filters.set, reason: filters.reason };
  } catch (err) {
    if (err instanceof AppError) return undefined;
    throw err;
  }
}

export type IdentityView = { id: string; kind: IdentityKind; value: string; undeliverable: boolean };

export type InboxItem = {
  id: string;
  status: ConversationRow["status"];
  assigneeId: string | null;
  assigneeName: string | null;
  unread: boolean;
  lastMessageAt: string;
  channel: string;
  customerId: string;
  customerName: string;
  preview: string | null;
  previewRole: string | null;
  /** the newest customer message's intent ("other" when it matched none; null until one is read) */
  intent: string | null;
  /** the sentiment of the first and the newest customer message read, -2 (very negative) … 2 */
  sentiment: { start: number; now: number } | null;
  /** the customer's lead stage (lib/intel/leads.ts) */
  leadStage: LeadStage;
};

type ListedConversation = Omit<InboxItem, "intent" | "sentiment" | "leadStage">;

/** What the inbox and the public API both show of a conversation in a list. */
function listedConversation(r: InboxRow, identities: Awaited<ReturnType<typeof identitiesByCustomer>>): ListedConversation {
  return {
    id: r.id,
    status: r.status,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    unread: r.unread,
    lastMessageAt: iso(r.last_message_at)!,
    channel: r.channel_kind,
    customerId: r.customer_id,
    customerName: displayName(r.customer_name, identities.get(r.customer_id) ?? [], r.channel_kind),
    preview: r.last_text ? r.last_text.slice(0, 140) : null,
    previewRole: r.last_role,
  };
}

export type WaitingItem = { id: string; customerName: string; channel: string; since: string };

/** A web visitor's id is a bearer secret: staff see "visitor #4821", never the id (see visitorLabel). */
function openIdentityView(row: { id: string; kind: IdentityKind; valueEncrypted: string; valueHash: string; undeliverable: boolean }): IdentityView {
  return { id: row.id, kind: row.kind, value: identityValue(row), undeliverable: row.undeliverable };
}

async function identitiesByCustomer(tx: Tx, businessId: string, customerIds: string[]) {
  const map = new Map<string, IdentityView[]>();
  for (const row of await customerIdentityRows(tx, businessId, [...new Set(customerIds)])) {
    const list = map.get(row.customerId) ?? [];
    list.push(openIdentityView(row));
    map.set(row.customerId, list);
  }
  return map;
}

export async function listConversations({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ filters: InboxFilters; items: InboxItem[]; waiting: WaitingItem[] }> {
  requireStaff(ctx);
  const filters = InboxFilters.parse(input ?? {});
  const userId = staffUserId(ctx);
  const query = {
    status: filters.status,
    channel: filters.channel,
    assignee: filters.assignee,
    unread: filters.unread,
    intent: filters.intent,
    text: filters.q || undefined,
    identityHashes: filters.q ? searchTerms(filters.q).identityHashes : undefined,
    userId,
  };
  const report = filters.set ? await inTenant(ctx, (tx) => reportFilter(tx, ctx.businessId, filters)) : undefined;
  // The set behind an Analytics number is worked out over every message of its period: on the service
  // path, filtered by business_id like every query here, once the tenant transaction above has shown
  // the member the business (RLS's per-row function made it take seconds; see lib/services/reports.ts).
  const reported = report
    ? await withService(async (tx) => {
        await noJit(tx);
        return listInbox(tx, ctx.businessId, { ...query, report });
      })
    : undefined;
  return inTenant(ctx, async (tx) => {
    const list = reported ?? (await listInbox(tx, ctx.businessId, query));
    const waitingRows = await listWaiting(tx, ctx.businessId);
    const identities = await identitiesByCustomer(tx, ctx.businessId, [...list.map((r) => r.customer_id), ...waitingRows.map((w) => w.customer_id)]);
    return {
      filters,
      items: list.map((r) => ({
        ...listedConversation(r, identities),
        intent: r.intent_read ? (r.intent_name ?? "other") : null,
        leadStage: stageOf(Number(r.lead_score), r.lead_stage),
        sentiment: r.sentiment_start === null || r.sentiment_now === null ? null : { start: Number(r.sentiment_start), now: Number(r.sentiment_now) },
      })),
      waiting: waitingRows.map((w) => ({ id: w.id, customerName: displayName(w.customer_name, identities.get(w.customer_id) ?? [], w.channel_kind), channel: w.channel_kind, since: iso(w.last_message_at)! })),
    };
  });
}

/** A query-string value: "" and missing mean "no filter". */
const opt = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

/** The public API's filters: the inbox's, but a value that cannot be read is a 400, not ignored. */
export const ConversationCursorFilters = z
  .object({
    status: opt(z.enum(STATUSES, { message: "status must be one of active, open, waiting_human, closed, all" })),
    channel: opt(z.enum(CHANNEL_KINDS, { message: "Unknown channel" })),
    assignee: opt(z.union([z.literal("unassigned"), z.guid()], { message: "assignee must be unassigned or a user id" })),
    customerId: opt(z.guid("customerId must be a customer id")),
    q: opt(text().trim().max(200, "Keep the search under 200 characters")),
  })
  .extend(CursorPage.shape);

export type ConversationListItem = ListedConversation & { subject: string | null; createdAt: string };

/** Conversations by creation, newest first, one keyset page at a time (the public API). */
export async function listConversationsByCursor({ ctx, input }: { ctx: Ctx; input: unknown }): Promise<{ data: ConversationListItem[]; nextCursor: string | null }> {
  requireStaff(ctx);
  const f = ConversationCursorFilters.parse(input ?? {});
  const limit = f.limit ?? 25;
  const query: InboxQuery = {
    status: f.status ?? "all",
    channel: f.channel,
    assignee: f.assignee,
    customerId: f.customerId,
    text: f.q || undefined,
    identityHashes: f.q ? searchTerms(f.q).identityHashes : undefined,
    userId: staffUserId(ctx),
    after: f.cursor ? decodeCursor(f.cursor) : undefined,
  };
  return inTenant(ctx, async (tx) => {
    const list = await listInbox(tx, ctx.businessId, query, limit + 1, "created");
    const page = list.slice(0, limit);
    const identities = await identitiesByCustomer(tx, ctx.businessId, page.map((r) => r.customer_id));
    const last = page.at(-1);
    return {
      data: page.map((r) => ({
        ...listedConversation(r, identities),
        subject: r.subject,
        createdAt: iso(r.created_at)!,
      })),
      nextCursor: list.length > limit && last ? encodeCursor(last.cursor_at, last.id) : null,
    };
  });
}

// ---------------------------------------------------------------- one conversation

export type TimelineItem = {
  id: string;
  conversationId: string;
  channel: string;
  role: TimelineRow["role"];
  source: string | null;
  content: string;
  author: string | null;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number | null;
  deliveryStatus: string | null;
  createdAt: string;
  /** a customer message's intent (null id: "other") and sentiment, once read */
  insight: { intentId: string | null; intent: string; confidence: number; corrected: boolean; sentiment: number } | null;
};

export type CustomerPanel = {
  id: string;
  name: string | null;
  displayName: string;
  trustScore: number;
  verified: boolean;
  blocked: boolean;
  blockedUntil: string | null;
  tags: string[];
  lastSeenAt: string | null;
  createdAt: string;
  identities: IdentityView[];
  conversations: number;
};

export type ConversationDetail = {
  id: string;
  status: ConversationRow["status"];
  assigneeId: string | null;
  assigneeName: string | null;
  unread: boolean;
  subject: string | null;
  summary: string | null;
  channel: string;
  channelName: string;
  customerId: string;
  lastMessageAt: string;
  closedAt: string | null;
  createdAt: string;
};

/** What the reply box may send on this conversation's channel. */
export type ReplyRules = {
  /** WhatsApp's 24-hour window: outside it only an approved template goes out */
  window?: { open: boolean; closesAt: string | null };
  templates?: { name: string; body: string; contentSid: string }[];
  /** why a typed reply cannot be sent here at all */
  unavailable?: string;
  /** something staff should know before replying (Instagram's human-agent window) */
  notice?: string;
};

export type ConversationView = { conversation: ConversationDetail; customer: CustomerPanel; timeline: TimelineItem[]; cursor: string | null; reply: ReplyRules };

export const CALL_ENDED =
  "This conversation was a phone call, and a typed reply cannot reach a call. Reply by SMS in the customer's SMS conversation, or call them back.";

async function whatsappChannel(tx: Tx, businessId: string, channelId: string) {
  const [channel] = await tx
    .select({ settings: channels.settings })
    .from(channels)
    .where(and(eq(channels.id, channelId), eq(channels.businessId, businessId)));
  return {
    cloudApi: (channel?.settings as { provider?: string } | undefined)?.provider === "meta",
    templates: readSettings("whatsapp", channel?.settings).templates.map(({ name, body, contentSid }) => ({ name, body, contentSid })),
  };
}

const whatsappTemplates = async (tx: Tx, businessId: string, channelId: string) => (await whatsappChannel(tx, businessId, channelId)).templates;

export const CLOUD_API_OUTSIDE_WINDOW =
  "More than 24 hours have passed since this customer last wrote on WhatsApp. WhatsApp then allows only approved templates, and this Cloud API number does not send templates (a Twilio WhatsApp sender does). The customer can be reached again once they write.";

async function replyRules(tx: Tx, businessId: string, c: ConversationRow): Promise<ReplyRules> {
  if (c.channel_kind === "voice") return { unavailable: CALL_ENDED };
  if (c.channel_kind === "instagram") {
    // Inside 24 hours nothing special; then a person may reply for 7 days (HUMAN_AGENT); then nobody.
    const { stage } = await instagramWindow(tx, businessId, c.id);
    if (stage === "human_agent") return { notice: INSTAGRAM_HUMAN_AGENT_NOTICE };
    if (stage === "closed") return { unavailable: INSTAGRAM_WINDOW_CLOSED };
    return {};
  }
  if (c.channel_kind !== "whatsapp") return {};
  const window = await serviceWindow(tx, businessId, c.id);
  const { cloudApi, templates } = await whatsappChannel(tx, businessId, c.channel_id);
  const shown = { open: window.open, closesAt: iso(window.closesAt) };
  if (cloudApi) return window.open ? { window: shown } : { window: shown, unavailable: CLOUD_API_OUTSIDE_WINDOW };
  return { window: shown, templates };
}

function toDetail(c: ConversationRow): ConversationDetail {
  return {
    id: c.id,
    status: c.status,
    assigneeId: c.assignee_id,
    assigneeName: c.assignee_name,
    unread: c.unread,
    subject: c.subject,
    summary: c.summary,
    channel: c.channel_kind,
    channelName: c.channel_name,
    customerId: c.customer_id,
    lastMessageAt: iso(c.last_message_at)!,
    closedAt: iso(c.closed_at),
    createdAt: iso(c.created_at)!,
  };
}

function toTimeline(m: TimelineRow): TimelineItem {
  return {
    id: m.id,
    conversationId: m.conversation_id,
    channel: m.channel_kind,
    role: m.role,
    source: m.source,
    content: m.content,
    author: m.author_name,
    model: m.model,
    tokensIn: Number(m.tokens_in),
    tokensOut: Number(m.tokens_out),
    costUsd: Number(m.cost_usd),
    latencyMs: m.latency_ms === null ? null : Number(m.latency_ms),
    deliveryStatus: m.delivery_status,
    createdAt: iso(m.created_at)!,
    insight:
      m.insight_sentiment === null
        ? null
        : {
            intentId: m.insight_intent_id,
            intent: m.insight_intent_name ?? "other",
            confidence: Number(m.insight_confidence),
            corrected: Boolean(m.insight_corrected),
            sentiment: Number(m.insight_sentiment),
          },
  };
}

/**
 * A conversation with its customer's whole timeline (every channel) and the customer panel; with
 * `after`, only the messages since that cursor. Opening it marks it read.
 */
export async function getConversation({ ctx, input }: { ctx: Ctx; input: { id: unknown; after?: string | null; markRead?: boolean } }): Promise<ConversationView> {
  requireStaff(ctx);
  const id = parseId(input.id, "Conversation");
  const since = input.after ? parseQueryDate(input.after, "after") : null;
  return inTenant(ctx, async (tx) => {
    const row = await findConversation(tx, ctx.businessId, id);
    if (!row) throw new AppError("not_found", "Conversation not found.");
    if (input.markRead && row.unread) {
      await tx.update(conversations).set({ unread: false }).where(and(eq(conversations.id, id), eq(conversations.businessId, ctx.businessId)));
      row.unread = false;
    }
    const customer = await findCustomerRow(tx, ctx.businessId, row.customer_id);
    if (!customer) throw new AppError("not_found", "Conversation not found.");
    const identities = (await identitiesByCustomer(tx, ctx.businessId, [customer.id])).get(customer.id) ?? [];
    const timeline = await customerTimeline(tx, ctx.businessId, customer.id, { since: since ? new Date(since.getTime() - CURSOR_OVERLAP_MS) : null });
    const newest = timeline.at(-1)?.created_at;
    const cursor = newest && (!since || new Date(newest) > since) ? iso(newest) : (since?.toISOString() ?? null);
    return {
      conversation: toDetail(row),
      customer: {
        id: customer.id,
        name: customer.name,
        displayName: displayName(customer.name, identities, row.channel_kind),
        trustScore: customer.trustScore,
        verified: customer.verified,
        blocked: customer.blocked,
        blockedUntil: iso(customer.blockedUntil),
        tags: customer.tags,
        lastSeenAt: iso(customer.lastSeenAt),
        createdAt: iso(customer.createdAt)!,
        identities,
        conversations: await customerConversationCount(tx, ctx.businessId, customer.id),
      },
      timeline: timeline.map(toTimeline),
      cursor,
      reply: await replyRules(tx, ctx.businessId, row),
    };
  });
}

// ---------------------------------------------------------------- what staff do

const message = (empty: string) => text({ message: empty }).trim().min(1, empty).max(4000, "Keep it under 4,000 characters.");

export const ConversationAction = z.discriminatedUnion(
  "action",
  [
    z.object({ action: z.literal("take_over") }),
    z.object({ action: z.literal("reply"), text: message("Write a reply first.") }),
    z.object({ action: z.literal("note"), text: message("Write a note first.") }),
    z.object({ action: z.literal("template"), contentSid: z.string({ message: "Choose a template." }).trim().min(1, "Choose a template.") }),
    z.object({ action: z.literal("assign"), assigneeId: z.guid("Choose a member of the team.").nullable() }),
    z.object({ action: z.literal("hand_back") }),
    z.object({ action: z.literal("close") }),
    // staff's correction of a customer message's intent (null: "other"); it teaches later predictions
    z.object({ action: z.literal("set_intent"), messageId: z.guid("Choose a customer message."), intentId: z.guid("Choose an intent.").nullable() }),
  ],
  { message: "Unknown action: use take_over, reply, template, note, assign, hand_back, close or set_intent." },
);
export type ConversationAction = z.infer<typeof ConversationAction>;

/**
 * The satisfaction survey of a conversation being closed: at most one per conversation, none to a
 * customer who opted out of the channel, and on SMS and WhatsApp only inside the 24-hour window.
 * Web chat shows it as rating buttons; the other channels get it through the outbox like a reply.
 */
async function queueSurvey(tx: Tx, businessId: string, c: ConversationRow): Promise<boolean> {
  const kind = c.channel_kind;
  if (!isCsatChannel(kind)) return false;
  const [customer] = await tx
    .select({ consent: customers.consent })
    .from(customers)
    .where(and(eq(customers.id, c.customer_id), eq(customers.businessId, businessId)));
  if (!customer || !canMessage(customer, kind)) return false;
  if ((kind === "sms" || kind === "whatsapp") && !(await serviceWindow(tx, businessId, c.id)).open) return false;
  const survey = await insertSurvey(tx, { businessId, conversationId: c.id, customerId: c.customer_id, channelKind: kind, token: newSurveyToken() });
  if (!survey || kind === "web") return false;
  const content = surveyText(kind, survey.token);
  const { message } = await storeMessage(tx, {
    businessId,
    conversationId: c.id,
    customerId: c.customer_id,
    channelId: c.channel_id,
    role: "system",
    content,
    deliveryStatus: "queued",
    metadata: { csatSurveyId: survey.id },
  });
  const status = await enqueueReply(tx, c, businessId, message.id, content);
  if (status === "failed") {
    await tx.update(messages).set({ deliveryStatus: "failed" }).where(and(eq(messages.id, message.id), eq(messages.businessId, businessId)));
    return false;
  }
  return true;
}

export async function actOnConversation(
  { ctx, input }: { ctx: Ctx; input: { id: unknown; action: unknown } },
  deps: { defer?: Defer } = {},
): Promise<{ conversation: ConversationDetail; messageId?: string }> {
  requireStaff(ctx);
  const id = parseId(input.id, "Conversation");
  const action = ConversationAction.parse(input.action);
  // An API key is nobody in particular: its replies have no author and take-overs no assignee.
  const me = staffUserId(ctx);
  const defer = deps.defer ?? deferAfterResponse;
  let queued = false;
  const result = await inTenant(ctx, async (tx) => {
    const c = await findConversation(tx, ctx.businessId, id);
    if (!c) throw new AppError("not_found", "Conversation not found.");
    const target = { type: "conversation", id };
    const set = (values: Partial<typeof conversations.$inferInsert>) =>
      tx
        .update(conversations)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(conversations.id, id), eq(conversations.businessId, ctx.businessId)));
    let messageId: string | undefined;

    switch (action.action) {
      case "take_over":
        await set({ status: "waiting_human", assigneeId: me, unread: false, closedAt: null });
        await audit(tx, ctx, "conversation.taken_over", target);
        break;
      case "reply":
      case "template": {
        const web = c.channel_kind === "web";
        if (c.channel_kind === "voice") throw new AppError("unprocessable", CALL_ENDED);
        let content: string;
        let template: { contentSid: string } | undefined;
        if (action.action === "template") {
          if (c.channel_kind !== "whatsapp") throw new AppError("bad_request", "Templates are for WhatsApp conversations; write a reply instead.");
          const chosen = (await whatsappTemplates(tx, ctx.businessId, c.channel_id)).find((t) => t.contentSid === action.contentSid);
          if (!chosen) throw new AppError("bad_request", "That template is not one of this WhatsApp channel's approved templates.");
          content = chosen.body;
          template = { contentSid: chosen.contentSid };
        } else {
          if (c.channel_kind === "whatsapp" && !(await serviceWindow(tx, ctx.businessId, c.id)).open) throw new AppError("unprocessable", OUTSIDE_WINDOW);
          if (c.channel_kind === "instagram" && (await instagramWindow(tx, ctx.businessId, c.id)).stage === "closed") throw new AppError("unprocessable", INSTAGRAM_WINDOW_CLOSED);
          content = action.text;
        }
        const { message } = await storeMessage(tx, {
          businessId: ctx.businessId,
          conversationId: id,
          customerId: c.customer_id,
          channelId: c.channel_id,
          role: "agent",
          source: "human",
          content,
          authorId: me,
          deliveryStatus: web ? "delivered" : "queued",
        });
        messageId = message.id;
        if (!web) {
          const status = await enqueueReply(tx, c, ctx.businessId, message.id, content, template);
          if (status === "failed") await tx.update(messages).set({ deliveryStatus: "failed" }).where(and(eq(messages.id, message.id), eq(messages.businessId, ctx.businessId)));
          else queued = true;
        }
        // A person answering means the AI stays out of this conversation until it is handed back.
        await set({ status: "waiting_human", assigneeId: c.assignee_id ?? me, unread: false, closedAt: null });
        await audit(tx, ctx, "conversation.replied", target, { messageId: message.id, channel: c.channel_kind });
        break;
      }
      case "note": {
        const [note] = await tx
          .insert(messages)
          .values({ businessId: ctx.businessId, conversationId: id, customerId: c.customer_id, channelId: c.channel_id, role: "note", content: action.text, authorId: me })
          .returning({ id: messages.id });
        messageId = note!.id;
        await set({});
        await audit(tx, ctx, "conversation.note_added", target, { messageId });
        break;
      }
      case "assign": {
        const to = action.assigneeId;
        if (to && to !== me) requireStaffRole(ctx, MANAGERS);
        if (to && !(await isMember(tx, ctx.businessId, to))) throw new AppError("bad_request", "That person is not a member of this business.");
        await set({ assigneeId: to });
        await audit(tx, ctx, "conversation.assigned", target, { assigneeId: to });
        break;
      }
      case "hand_back":
        await set({ status: "open", assigneeId: null, closedAt: null });
        await audit(tx, ctx, "conversation.handed_back", target);
        break;
      case "close":
        await set({ status: "closed", closedAt: new Date(), unread: false });
        await audit(tx, ctx, "conversation.closed", target);
        if (await queueSurvey(tx, ctx.businessId, c)) queued = true;
        break;
      case "set_intent":
        await correctIntent(tx, ctx, { messageId: action.messageId, intentId: action.intentId }, id);
        break;
    }
    const updated = await findConversation(tx, ctx.businessId, id);
    return { conversation: toDetail(updated!), messageId };
  });
  if (action.action === "close") {
    defer(() => summarizeConversation(ctx.businessId, id));
    // the survey, when one was queued
    if (queued) defer(() => drainOutbox({ businessId: ctx.businessId }));
  }
  if ((action.action === "reply" || action.action === "template") && result.messageId) {
    const replyId = result.messageId;
    defer(() => embedMessagesIntoMemories([replyId]));
    // Sent straight after the response; the outbox job retries whatever this misses.
    if (queued) defer(() => drainOutbox({ businessId: ctx.businessId }));
  }
  return result;
}

/** Members who can be assigned a conversation. */
export async function listAssignees({ ctx }: { ctx: Ctx }): Promise<{ userId: string; name: string; role: string }[]> {
  requireStaff(ctx);
  return inTenant(ctx, async (tx) => {
    const list = await rows<{ user_id: string; name: string; role: string }>(
      tx,
      sql`select m.user_id, coalesce(u.name, u.email) as name, m.role from members m join users u on u.id = m.user_id
          where m.business_id = ${ctx.businessId} order by m.created_at`,
    );
    return list.map((r) => ({ userId: r.user_id, name: r.name, role: r.role }));
  });
}
