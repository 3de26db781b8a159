import "server-only";
// Every endpoint of /api/v1. Each calls the same lib/services verb the dashboard calls, so no rule
// has a second copy here: this file only reads requests and shapes responses. The route files under
// app/api/v1 export these; the OpenAPI document and the reference page are generated from this list.
import { z } from "zod";
import {
  CustomerCursorFilters,
  CustomerDetails,
  NewCustomer,
  Tag,
  bulkUpdateCustomers,
  createCustomer,
  deleteCustomer,
  exportCustomer,
  getCustomerProfile,
  listCustomersByCursor,
  mergeCustomers,
  setCustomerBlocked,
  setCustomerVerified,
  updateCustomerDetails,
} from "@/lib/services/customers";
import { ConversationCursorFilters, actOnConversation, getConversation, listConversationsByCursor, type ConversationAction } from "@/lib/services/conversations";
import type { ApiKeyCtx } from "@/lib/services/api-keys";
import { BusinessProfileInput, getBusinessProfile, updateBusinessProfile } from "@/lib/services/businesses";
import { getAiSettings, updateAiSettings } from "@/lib/services/ai-settings";
import { ArticleInput, createArticle, deleteDocument, getDocumentWithChunks, listKnowledge, updateDocument } from "@/lib/services/knowledge";
import { FaqInput, createFaq, deleteFaq, listBusinessFaqs, updateFaq } from "@/lib/services/faqs";
import { AiSettings } from "@/lib/ai/prompts";
import { getCostsReport } from "@/lib/services/costs";
import { getAnalyticsReport } from "@/lib/services/analytics";
import { ReportFilters } from "@/lib/services/report-filters";
import { AppError } from "@/lib/errors";
import { text } from "@/lib/validation/text";
import { endpoint, type Endpoint } from "./endpoint";
import * as S from "./schemas";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const CUSTOMER = { customer: { kind: "id" as const, description: "The customer's id" } };
const CONVERSATION = { conversation: { kind: "id" as const, description: "The conversation's id" } };

async function customerOut(ctx: ApiKeyCtx, id: string, withConversations = false) {
  const p = await getCustomerProfile({ ctx, input: { id } });
  const c = p.customer;
  const customer: z.infer<typeof S.Customer> = {
    id: c.id,
    name: c.name,
    displayName: p.displayName,
    notes: c.notes,
    tags: c.tags,
    trustScore: c.trustScore,
    verified: c.verified,
    blocked: c.blocked,
    blockedUntil: iso(c.blockedUntil),
    lastSeenAt: iso(c.lastSeenAt),
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
    leadScore: p.lead.score,
    leadStage: p.lead.stage,
    identities: p.identities.map((i) => ({ ...i, kind: i.kind as z.infer<typeof S.Identity>["kind"] })),
  };
  if (!withConversations) return customer;
  return {
    ...customer,
    conversationList: p.conversations.map((v) => ({
      id: v.id,
      status: v.status,
      channel: v.channelKind,
      subject: v.subject,
      messages: Number(v.messages),
      lastMessageAt: iso(v.lastMessageAt)!,
      createdAt: iso(v.createdAt)!,
    })),
  };
}

const CustomerPatch = CustomerDetails.extend({
  verified: z.boolean({ message: "verified must be true or false" }).optional(),
  blocked: z.boolean({ message: "blocked must be true or false" }).optional(),
});

const customers: Endpoint[] = [
  endpoint({
    operationId: "listCustomers",
    method: "GET",
    path: "/customers",
    resource: "customers",
    scope: "customers:read",
    summary: "List customers",
    description: "Newest first, `limit` at a time (25 unless said, at most 100); the dashboard's filters.",
    query: CustomerCursorFilters,
    response: S.Page(S.CustomerListItem),
    handler: ({ ctx, query }) => listCustomersByCursor({ ctx, input: query }),
  }),
  endpoint({
    operationId: "createCustomer",
    method: "POST",
    path: "/customers",
    resource: "customers",
    scope: "customers:write",
    summary: "Create a customer",
    description: "An email or phone that already belongs to a customer is a 409 naming that customer.",
    body: NewCustomer,
    example: { name: "Ada Lovelace", email: "ada@example.com", phone: "+447700900123", tags: ["vip"] },
    response: S.Customer,
    status: 201,
    handler: async ({ ctx, body }) => customerOut(ctx, (await createCustomer({ ctx, input: body })).id),
  }),
  endpoint({
    operationId: "getCustomer",
    method: "GET",
    path: "/customers/{customer}",
    resource: "customers",
    scope: "customers:read",
    summary: "Get a customer",
    pathParams: CUSTOMER,
    response: S.CustomerProfile,
    handler: ({ ctx, params }) => customerOut(ctx, params.customer!, true),
  }),
  endpoint({
    operationId: "updateCustomer",
    method: "PATCH",
    path: "/customers/{customer}",
    resource: "customers",
    scope: "customers:write",
    summary: "Update a customer",
    description: "Name, notes, tags (the whole list), verified, blocked: only the fields sent change.",
    pathParams: CUSTOMER,
    body: CustomerPatch,
    example: { name: "Ada King", tags: ["vip", "returning"], verified: true },
    response: S.Customer,
    handler: async ({ ctx, params, body }) => {
      const id = params.customer!;
      const b = body as z.infer<typeof CustomerPatch>;
      if (b.name !== undefined || b.notes !== undefined || b.tags !== undefined) await updateCustomerDetails({ ctx, input: { id, name: b.name, notes: b.notes, tags: b.tags } });
      if (b.verified !== undefined) await setCustomerVerified({ ctx, input: { id, verified: b.verified } });
      if (b.blocked !== undefined) await setCustomerBlocked({ ctx, input: { id, blocked: b.blocked } });
      return customerOut(ctx, id);
    },
  }),
  endpoint({
    operationId: "deleteCustomer",
    method: "DELETE",
    path: "/customers/{customer}",
    resource: "customers",
    scope: "customers:write",
    summary: "Delete a customer and everything about them (GDPR erasure)",
    pathParams: CUSTOMER,
    response: S.DeleteResult,
    handler: async ({ ctx, params }) => ({ deleted: true as const, ...(await deleteCustomer({ ctx, input: { id: params.customer } })) }),
  }),
  endpoint({
    operationId: "exportCustomer",
    method: "GET",
    path: "/customers/{customer}/export",
    resource: "customers",
    scope: "customers:read",
    summary: "Export everything stored about a customer (GDPR access request)",
    pathParams: CUSTOMER,
    response: S.CustomerExport,
    handler: ({ ctx, params }) => exportCustomer({ ctx, input: { id: params.customer } }),
  }),
  endpoint({
    operationId: "addCustomerTag",
    method: "POST",
    path: "/customers/{customer}/tags",
    resource: "customers",
    scope: "customers:write",
    summary: "Tag a customer",
    pathParams: CUSTOMER,
    body: z.object({ tag: Tag }),
    example: { tag: "vip" },
    response: S.Customer,
    handler: async ({ ctx, params, body }) => {
      await bulkUpdateCustomers({ ctx, input: { action: "tag", ids: [params.customer], tag: (body as { tag: string }).tag } });
      return customerOut(ctx, params.customer!);
    },
  }),
  endpoint({
    operationId: "removeCustomerTag",
    method: "DELETE",
    path: "/customers/{customer}/tags/{tag}",
    resource: "customers",
    scope: "customers:write",
    summary: "Remove a tag from a customer",
    pathParams: { ...CUSTOMER, tag: { kind: "text", description: "The tag" } },
    response: S.Customer,
    handler: async ({ ctx, params }) => {
      await bulkUpdateCustomers({ ctx, input: { action: "untag", ids: [params.customer], tag: params.tag } });
      return customerOut(ctx, params.customer!);
    },
  }),
  endpoint({
    operationId: "blockCustomer",
    method: "POST",
    path: "/customers/{customer}/block",
    resource: "customers",
    scope: "customers:write",
    summary: "Block a customer (the AI stops answering them)",
    pathParams: CUSTOMER,
    response: S.Customer,
    handler: async ({ ctx, params }) => {
      await setCustomerBlocked({ ctx, input: { id: params.customer, blocked: true } });
      return customerOut(ctx, params.customer!);
    },
  }),
  endpoint({
    operationId: "unblockCustomer",
    method: "POST",
    path: "/customers/{customer}/unblock",
    resource: "customers",
    scope: "customers:write",
    summary: "Unblock a customer",
    pathParams: CUSTOMER,
    response: S.Customer,
    handler: async ({ ctx, params }) => {
      await setCustomerBlocked({ ctx, input: { id: params.customer, blocked: false } });
      return customerOut(ctx, params.customer!);
    },
  }),
  endpoint({
    operationId: "mergeCustomer",
    method: "POST",
    path: "/customers/{customer}/merge",
    resource: "customers",
    scope: "customers:write",
    summary: "Merge another customer into this one",
    description: "Identities, conversations, messages and every other row of `sourceId` move to this customer; `sourceId` is deleted.",
    pathParams: CUSTOMER,
    body: z.object({ sourceId: z.string().meta({ format: "uuid" }) }),
    example: { sourceId: "0b7e7c4e-4a53-4c1e-9a53-3f0c7a1f2b11" },
    response: S.MergeResult,
    handler: ({ ctx, params, body }) => mergeCustomers({ ctx, input: { sourceId: (body as { sourceId: string }).sourceId, targetId: params.customer } }),
  }),
];

// ---------------------------------------------------------------- conversations

async function conversationOut(ctx: ApiKeyCtx, id: string) {
  const v = await getConversation({ ctx, input: { id, markRead: false } });
  const { channelName, ...rest } = v.conversation;
  return { ...rest, channelName, customer: v.customer };
}

async function act(ctx: ApiKeyCtx, id: string, action: ConversationAction) {
  const r = await actOnConversation({ ctx, input: { id, action } });
  return { conversation: r.conversation, messageId: r.messageId ?? null };
}

const SendMessage = z.object({
  text: text().meta({ description: "The reply, up to 4,000 characters" }),
  internal: z.boolean({ message: "internal must be true or false" }).optional().meta({ description: "true: an internal note staff see, never sent to the customer" }),
});

const conversations: Endpoint[] = [
  endpoint({
    operationId: "listConversations",
    method: "GET",
    path: "/conversations",
    resource: "conversations",
    scope: "conversations:read",
    summary: "List conversations",
    description: "Newest first by creation, `limit` at a time (25 unless said, at most 100). `status` is all unless said.",
    query: ConversationCursorFilters,
    response: S.Page(S.ConversationListItem),
    handler: ({ ctx, query }) => listConversationsByCursor({ ctx, input: query }),
  }),
  endpoint({
    operationId: "getConversation",
    method: "GET",
    path: "/conversations/{conversation}",
    resource: "conversations",
    scope: "conversations:read",
    summary: "Get a conversation and its customer",
    description: "Reading through the API does not mark the conversation read for staff.",
    pathParams: CONVERSATION,
    response: S.ConversationWithCustomer,
    handler: ({ ctx, params }) => conversationOut(ctx, params.conversation!),
  }),
  endpoint({
    operationId: "listConversationMessages",
    method: "GET",
    path: "/conversations/{conversation}/messages",
    resource: "conversations",
    scope: "conversations:read",
    summary: "The conversation's messages, oldest first",
    description: "The customer's latest 300 messages on every channel, kept to this conversation; internal notes have role `note`.",
    pathParams: CONVERSATION,
    response: z.object({ data: z.array(S.Message) }),
    handler: async ({ ctx, params }) => {
      const v = await getConversation({ ctx, input: { id: params.conversation, markRead: false } });
      return {
        data: v.timeline
          .filter((m) => m.conversationId === v.conversation.id)
          .map((m) => ({
            id: m.id,
            conversationId: m.conversationId,
            channel: m.channel,
            role: m.role,
            source: m.source,
            content: m.content,
            author: m.author,
            deliveryStatus: m.deliveryStatus,
            costUsd: m.costUsd,
            createdAt: m.createdAt,
          })),
      };
    },
  }),
  endpoint({
    operationId: "sendConversationMessage",
    method: "POST",
    path: "/conversations/{conversation}/messages",
    resource: "conversations",
    scope: "conversations:write",
    summary: "Send a staff reply (or add an internal note)",
    description:
      "The reply goes out on the conversation's channel and the AI stays out of the conversation until it is handed back. The channel's rules apply: WhatsApp's 24-hour window, Instagram's human-agent window, no typed reply to a phone call (422).",
    pathParams: CONVERSATION,
    body: SendMessage,
    example: { text: "Thanks for waiting: we have a slot at 10:30 tomorrow." },
    response: S.ActionResult,
    status: 201,
    handler: ({ ctx, params, body }) => {
      const b = body as z.infer<typeof SendMessage>;
      return act(ctx, params.conversation!, b.internal ? { action: "note", text: b.text } : { action: "reply", text: b.text });
    },
  }),
  endpoint({
    operationId: "handOffConversation",
    method: "POST",
    path: "/conversations/{conversation}/handoff",
    resource: "conversations",
    scope: "conversations:write",
    summary: "Hand the conversation to a person",
    description: "The AI stops answering; the conversation waits for staff in the inbox.",
    pathParams: CONVERSATION,
    response: S.ActionResult,
    handler: ({ ctx, params }) => act(ctx, params.conversation!, { action: "take_over" }),
  }),
  endpoint({
    operationId: "handBackConversation",
    method: "POST",
    path: "/conversations/{conversation}/handback",
    resource: "conversations",
    scope: "conversations:write",
    summary: "Hand the conversation back to the AI",
    pathParams: CONVERSATION,
    response: S.ActionResult,
    handler: ({ ctx, params }) => act(ctx, params.conversation!, { action: "hand_back" }),
  }),
  endpoint({
    operationId: "closeConversation",
    method: "POST",
    path: "/conversations/{conversation}/close",
    resource: "conversations",
    scope: "conversations:write",
    summary: "Close the conversation",
    description: "A summary is written, and the customer is asked once how it went where the channel allows.",
    pathParams: CONVERSATION,
    response: S.ActionResult,
    handler: ({ ctx, params }) => act(ctx, params.conversation!, { action: "close" }),
  }),
  endpoint({
    operationId: "assignConversation",
    method: "POST",
    path: "/conversations/{conversation}/assign",
    resource: "conversations",
    scope: "conversations:write",
    summary: "Assign the conversation to a member of the team (or to nobody)",
    pathParams: CONVERSATION,
    body: z.object({ assigneeId: z.string().meta({ format: "uuid" }).nullable() }),
    example: { assigneeId: null },
    response: S.ActionResult,
    handler: ({ ctx, params, body }) => act(ctx, params.conversation!, { action: "assign", assigneeId: (body as { assigneeId: string | null }).assigneeId }),
  }),
];

// ---------------------------------------------------------------- business

/** The fields of a PATCH body that were sent (a schema's defaults must not overwrite what is stored). */
function sent<T extends Record<string, unknown>>(parsed: T, raw: unknown): Partial<T> {
  const keys = raw && typeof raw === "object" && !Array.isArray(raw) ? Object.keys(raw) : [];
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => keys.includes(k))) as Partial<T>;
}

const business: Endpoint[] = [
  endpoint({
    operationId: "getBusiness",
    method: "GET",
    path: "/business",
    resource: "business",
    scope: "business:read",
    summary: "The business profile",
    response: S.BusinessProfile,
    handler: ({ ctx }) => getBusinessProfile({ ctx }),
  }),
  endpoint({
    operationId: "updateBusiness",
    method: "PATCH",
    path: "/business",
    resource: "business",
    scope: "business:write",
    summary: "Update the business profile",
    description: "Only the fields sent change.",
    body: BusinessProfileInput.partial(),
    example: { name: "Bright Smile Dental", timeZone: "Europe/London" },
    response: S.BusinessProfile,
    handler: async ({ ctx, body, raw }) => {
      const current = await getBusinessProfile({ ctx });
      await updateBusinessProfile({ ctx, input: { ...current, ...sent(body as Record<string, unknown>, raw) } });
      return getBusinessProfile({ ctx });
    },
  }),
  endpoint({
    operationId: "getAiSettings",
    method: "GET",
    path: "/business/ai-settings",
    resource: "business",
    scope: "business:read",
    summary: "The AI settings (persona, tone, instructions, hours, rules, models)",
    response: AiSettings,
    handler: async ({ ctx }) => (await getAiSettings({ ctx })).settings,
  }),
  endpoint({
    operationId: "updateAiSettings",
    method: "PATCH",
    path: "/business/ai-settings",
    resource: "business",
    scope: "business:write",
    summary: "Update the AI settings",
    description: "Only the fields sent change. Cached answers made under the old settings stop serving.",
    body: AiSettings.partial(),
    example: { tone: "friendly and brief", prohibitedTopics: ["medical diagnoses"] },
    response: AiSettings,
    handler: async ({ ctx, body, raw }) => {
      const current = (await getAiSettings({ ctx })).settings;
      return (await updateAiSettings({ ctx, input: { ...current, ...sent(body as Record<string, unknown>, raw) } })).settings;
    },
  }),
];

// ---------------------------------------------------------------- knowledge

const ARTICLE = { article: { kind: "id" as const, description: "The article's (document's) id" } };
const FAQ = { faq: { kind: "id" as const, description: "The FAQ's id" } };

async function articleOut(ctx: ApiKeyCtx, id: string) {
  const { document: d, chunks } = await getDocumentWithChunks({ ctx, input: { id } });
  return {
    id: d.id,
    title: d.title,
    content: d.content,
    sourceType: d.sourceType,
    filename: d.filename,
    status: d.status,
    error: d.error,
    chunks: chunks.length,
    createdAt: iso(d.createdAt)!,
    updatedAt: iso(d.updatedAt)!,
  };
}

async function faqOut(ctx: ApiKeyCtx, id: string) {
  const f = (await listBusinessFaqs({ ctx })).find((x) => x.id === id);
  if (!f) throw new AppError("not_found", "FAQ not found.");
  return { id: f.id, question: f.question, answer: f.answer, enabled: f.enabled, hits: f.hits, createdAt: iso(f.createdAt)!, updatedAt: iso(f.updatedAt)! };
}

const knowledge: Endpoint[] = [
  endpoint({
    operationId: "listArticles",
    method: "GET",
    path: "/knowledge/articles",
    resource: "knowledge",
    scope: "knowledge:read",
    summary: "List knowledge articles and uploaded documents",
    description: "Most recently changed first.",
    response: z.object({ data: z.array(S.ArticleListItem) }),
    handler: async ({ ctx }) => ({
      data: (await listKnowledge({ ctx })).map((d) => ({ ...d, chars: Number(d.chars), chunks: Number(d.chunks), embedded: Number(d.embedded), updatedAt: iso(d.updatedAt)! })),
    }),
  }),
  endpoint({
    operationId: "createArticle",
    method: "POST",
    path: "/knowledge/articles",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Write a knowledge article",
    description: "It is split into passages and indexed before this answers; the AI answers from it at once. The same text twice is a 409.",
    body: ArticleInput,
    example: { title: "Parking", content: "Free parking behind the clinic, entrance on Mill Lane." },
    response: S.Article,
    status: 201,
    handler: async ({ ctx, body }) => articleOut(ctx, (await createArticle({ ctx, input: body })).document.id),
  }),
  endpoint({
    operationId: "getArticle",
    method: "GET",
    path: "/knowledge/articles/{article}",
    resource: "knowledge",
    scope: "knowledge:read",
    summary: "Get an article with its text",
    pathParams: ARTICLE,
    response: S.Article,
    handler: ({ ctx, params }) => articleOut(ctx, params.article!),
  }),
  endpoint({
    operationId: "updateArticle",
    method: "PATCH",
    path: "/knowledge/articles/{article}",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Edit an article (title and/or text)",
    pathParams: ARTICLE,
    body: ArticleInput.partial(),
    example: { content: "Free parking behind the clinic; the entrance is on Mill Lane." },
    response: S.Article,
    handler: async ({ ctx, params, body, raw }) => {
      const current = await articleOut(ctx, params.article!);
      await updateDocument({ ctx, input: { id: params.article, title: current.title, content: current.content, ...sent(body as Record<string, unknown>, raw) } });
      return articleOut(ctx, params.article!);
    },
  }),
  endpoint({
    operationId: "deleteArticle",
    method: "DELETE",
    path: "/knowledge/articles/{article}",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Delete an article or document",
    pathParams: ARTICLE,
    response: z.object({ deleted: z.literal(true) }),
    handler: async ({ ctx, params }) => {
      await deleteDocument({ ctx, input: { id: params.article } });
      return { deleted: true as const };
    },
  }),
  endpoint({
    operationId: "listFaqs",
    method: "GET",
    path: "/knowledge/faqs",
    resource: "knowledge",
    scope: "knowledge:read",
    summary: "List FAQs",
    response: z.object({ data: z.array(S.Faq) }),
    handler: async ({ ctx }) => ({
      data: (await listBusinessFaqs({ ctx })).map((f) => ({ id: f.id, question: f.question, answer: f.answer, enabled: f.enabled, hits: f.hits, createdAt: iso(f.createdAt)!, updatedAt: iso(f.updatedAt)! })),
    }),
  }),
  endpoint({
    operationId: "createFaq",
    method: "POST",
    path: "/knowledge/faqs",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Add an FAQ",
    description: "Answered at no model cost whenever a customer asks the question (or one close to it).",
    body: FaqInput,
    example: { question: "Do you open on Saturdays?", answer: "Yes, 9am to 1pm." },
    response: S.Faq,
    status: 201,
    handler: async ({ ctx, body }) => faqOut(ctx, (await createFaq({ ctx, input: body })).id),
  }),
  endpoint({
    operationId: "updateFaq",
    method: "PATCH",
    path: "/knowledge/faqs/{faq}",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Edit, enable or disable an FAQ",
    pathParams: FAQ,
    body: FaqInput.partial(),
    example: { enabled: false },
    response: S.Faq,
    handler: async ({ ctx, params, body, raw }) => {
      const current = await faqOut(ctx, params.faq!);
      await updateFaq({ ctx, input: { id: params.faq, question: current.question, answer: current.answer, enabled: current.enabled, ...sent(body as Record<string, unknown>, raw) } });
      return faqOut(ctx, params.faq!);
    },
  }),
  endpoint({
    operationId: "deleteFaq",
    method: "DELETE",
    path: "/knowledge/faqs/{faq}",
    resource: "knowledge",
    scope: "knowledge:write",
    summary: "Delete an FAQ",
    pathParams: FAQ,
    response: z.object({ deleted: z.literal(true) }),
    handler: async ({ ctx, params }) => {
      await deleteFaq({ ctx, input: { id: params.faq } });
      return { deleted: true as const };
    },
  }),
];

// ---------------------------------------------------------------- costs and analytics

const REPORT_PERIOD =
  "`period`: 7d, 30d (unless said), 90d, this_month, last_month, or custom with `from` and `to` (YYYY-MM-DD, at most 366 days); days are the business's local days. `channel` narrows to one channel.";

const analytics: Endpoint[] = [
  endpoint({
    operationId: "getCosts",
    method: "GET",
    path: "/analytics/costs",
    resource: "analytics",
    scope: "analytics:read",
    summary: "Costs: spend by day, operation, channel and model; the budget; savings",
    description: `The Costs page's figures, in micro-dollars. ${REPORT_PERIOD}`,
    query: ReportFilters,
    response: S.CostsReport,
    handler: ({ ctx, query }) => getCostsReport({ ctx, input: query }),
  }),
  endpoint({
    operationId: "getAnalytics",
    method: "GET",
    path: "/analytics/conversations",
    resource: "analytics",
    scope: "analytics:read",
    summary: "Analytics: conversations, AI resolution, hand-offs, response times, satisfaction",
    description: `The Analytics page's figures. ${REPORT_PERIOD}`,
    query: ReportFilters,
    response: S.AnalyticsReport,
    handler: ({ ctx, query }) => getAnalyticsReport({ ctx, input: query }),
  }),
];

export const ENDPOINTS: Endpoint[] = [...business, ...customers, ...conversations, ...knowledge, ...analytics];

/** The endpoint a route file serves. */
export function endpointFor(method: Endpoint["method"], path: string): Endpoint {
  const e = ENDPOINTS.find((x) => x.method === method && x.path === path);
  if (!e) throw new Error(`No /api/v1 endpoint ${method} ${path}`);
  return e;
}
