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

export const ENDPOINTS: Endpoint[] = [...customers, ...conversations];

/** The endpoint a route file serves. */
export function endpointFor(method: Endpoint["method"], path: string): Endpoint {
  const e = ENDPOINTS.find((x) => x.method === method && x.path === path);
  if (!e) throw new Error(`No /api/v1 endpoint ${method} ${path}`);
  return e;
}
