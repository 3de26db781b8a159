// The public API's response shapes, as zod schemas: the OpenAPI document is generated from them and
// the tests validate the handlers' real responses against that document.
import { z } from "zod";
import { LEAD_STAGES } from "@/lib/intel/leads";

const Timestamp = z.string().meta({ format: "date-time", description: "ISO 8601, UTC" });
const Uuid = z.string().meta({ format: "uuid" });

export const ApiError = z
  .object({ error: z.object({ code: z.string().meta({ example: "not_found" }), message: z.string().meta({ example: "Customer not found." }) }) })
  .meta({ description: "Every error, whatever the status" });

export const Identity = z.object({
  id: Uuid,
  kind: z.enum(["phone", "email", "web", "telegram", "instagram", "whatsapp"]),
  value: z.string().meta({ description: "The address; a web visitor's id is a secret, shown as `visitor #4821`" }),
  undeliverable: z.boolean(),
});

const LeadScore = z.int().min(0).max(100).meta({ description: "0–100, each point earned by a quote of the customer's own words (budget, timing, need, authority)" });
const LeadStage = z.enum(LEAD_STAGES).meta({ description: "new, qualified and hot follow the score; customer and lost are set by staff" });

export const CustomerListItem = z.object({
  id: Uuid,
  name: z.string().nullable(),
  displayName: z.string(),
  trustScore: z.int().min(0).max(100),
  verified: z.boolean(),
  blocked: z.boolean(),
  tags: z.array(z.string()),
  lastSeenAt: Timestamp.nullable(),
  createdAt: Timestamp,
  leadScore: LeadScore,
  leadStage: LeadStage,
  channels: z.array(z.string()),
  conversations: z.int().min(0),
  identities: z.array(Identity),
});

export const Page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  });

export const Customer = z.object({
  id: Uuid,
  name: z.string().nullable(),
  displayName: z.string(),
  notes: z.string().nullable(),
  tags: z.array(z.string()),
  trustScore: z.int().min(0).max(100),
  verified: z.boolean(),
  blocked: z.boolean(),
  blockedUntil: Timestamp.nullable(),
  lastSeenAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  leadScore: LeadScore,
  leadStage: LeadStage,
  identities: z.array(Identity),
});

export const CustomerConversation = z.object({
  id: Uuid,
  status: z.enum(["open", "waiting_human", "closed"]),
  channel: z.string(),
  subject: z.string().nullable(),
  messages: z.int().min(0),
  lastMessageAt: Timestamp,
  createdAt: Timestamp,
});

export const CustomerProfile = Customer.extend({ conversationList: z.array(CustomerConversation) });

export const MergeResult = z.object({ targetId: Uuid, moved: z.record(z.string(), z.int()).meta({ description: "Rows moved, per table" }) });
export const DeleteResult = z.object({ deleted: z.literal(true), removed: z.record(z.string(), z.int()).meta({ description: "Rows removed, per table" }) });
export const CustomerExport = z.record(z.string(), z.unknown()).meta({ description: "Everything stored about the customer, table by table, with identities decrypted" });

export const ConversationStatus = z.enum(["open", "waiting_human", "closed"]);

export const ConversationListItem = z.object({
  id: Uuid,
  status: ConversationStatus,
  channel: z.string(),
  customerId: Uuid,
  customerName: z.string(),
  assigneeId: Uuid.nullable(),
  assigneeName: z.string().nullable(),
  unread: z.boolean(),
  subject: z.string().nullable(),
  preview: z.string().nullable(),
  previewRole: z.string().nullable(),
  lastMessageAt: Timestamp,
  createdAt: Timestamp,
});

export const Conversation = z.object({
  id: Uuid,
  status: ConversationStatus,
  channel: z.string(),
  channelName: z.string(),
  customerId: Uuid,
  assigneeId: Uuid.nullable(),
  assigneeName: z.string().nullable(),
  unread: z.boolean(),
  subject: z.string().nullable(),
  summary: z.string().nullable(),
  lastMessageAt: Timestamp,
  closedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

export const Message = z.object({
  id: Uuid,
  conversationId: Uuid,
  channel: z.string(),
  role: z.enum(["customer", "assistant", "agent", "system", "note"]).meta({ description: "note: an internal note, never sent to the customer" }),
  source: z.string().nullable().meta({ description: "How an answer was made: model, cache, faq, human, offline, fallback" }),
  content: z.string(),
  author: z.string().nullable(),
  deliveryStatus: z.string().nullable(),
  costUsd: z.number(),
  createdAt: Timestamp,
});

export const ConversationCustomer = z.object({
  id: Uuid,
  name: z.string().nullable(),
  displayName: z.string(),
  trustScore: z.int().min(0).max(100),
  verified: z.boolean(),
  blocked: z.boolean(),
  blockedUntil: Timestamp.nullable(),
  tags: z.array(z.string()),
  lastSeenAt: Timestamp.nullable(),
  createdAt: Timestamp,
  identities: z.array(Identity),
  conversations: z.int().min(0),
});

export const ConversationWithCustomer = Conversation.extend({ customer: ConversationCustomer });

export const ActionResult = z.object({ conversation: Conversation, messageId: Uuid.nullable() });

export const BusinessProfile = z.object({
  name: z.string(),
  timeZone: z.string().meta({ description: "IANA time zone, e.g. Europe/London" }),
  brandColor: z.string().meta({ example: "#0f766e" }),
  logoUrl: z.string().meta({ description: "An http(s) URL, or empty for none" }),
});

export const ArticleListItem = z.object({
  id: Uuid,
  title: z.string(),
  sourceType: z.string().meta({ description: "article, or the kind of file uploaded (pdf, docx, …)" }),
  filename: z.string().nullable(),
  status: z.string().meta({ description: "ready, or failed (an upload that could not be read; `error` says why)" }),
  error: z.string().nullable(),
  chars: z.int().min(0),
  chunks: z.int().min(0),
  embedded: z.int().min(0),
  updatedAt: Timestamp,
});

export const Article = z.object({
  id: Uuid,
  title: z.string(),
  content: z.string(),
  sourceType: z.string(),
  filename: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  chunks: z.int().min(0),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const Faq = z.object({
  id: Uuid,
  question: z.string(),
  answer: z.string(),
  enabled: z.boolean(),
  hits: z.int().min(0).meta({ description: "Answers it has given" }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// ---------------------------------------------------------------- costs and analytics

const Micros = z.int().meta({ description: "Micro-dollars (1,000,000 = $1)" });
const Day = z.string().meta({ description: "A local day of the business, YYYY-MM-DD" });

export const ReportPeriod = z.object({
  period: z.enum(["7d", "30d", "90d", "this_month", "last_month", "custom"]),
  from: Day,
  to: Day,
  channel: z.string().optional(),
  timeZone: z.string(),
  startsAt: Timestamp,
  endsAt: Timestamp,
  days: z.array(Day),
});

const Series = z.object({
  keys: z.array(z.object({ key: z.string(), label: z.string(), micros: Micros, events: z.int().min(0) })),
  days: z.array(z.object({ day: Day, values: z.record(z.string(), Micros) })),
});

export const CostsReport = z.object({
  filters: ReportPeriod,
  totalMicros: Micros,
  events: z.int().min(0),
  series: z.object({ operation: Series, channel: Series, model: Series }),
  budget: z.object({
    periodStart: z.string(),
    limitMicros: Micros,
    monthToDateMicros: Micros,
    autoPause: z.boolean(),
    dailyPaceMicros: Micros,
    projectedMicros: Micros,
    runwayDays: z.number().nullable(),
    runsOutOn: Day.nullable(),
    steps: z.array(z.object({ share: z.number(), atMicros: Micros, what: z.string(), reached: z.boolean(), projectedOn: Day.nullable() })),
  }),
  savings: z.object({
    tiers: z.array(z.object({ tier: z.string(), label: z.string(), answers: z.int().min(0), share: z.number() })),
    answers: z.int().min(0),
    servedWithoutModel: z.int().min(0),
    modelAnswers: z.int().min(0),
    avgModelAnswerMicros: Micros.nullable(),
    savedMicros: Micros,
  }),
  perResolution: z.object({ conversations: z.int().min(0), micros: Micros, perConversationMicros: Micros.nullable(), perResolutionPriceMicros: Micros }),
});

const Count = z.int().min(0);
const Seconds = z.number().nullable().meta({ description: "Median, in seconds; null when there is nothing to measure" });
const Share = z.number().nullable().meta({ description: "0–1; null when there is nothing to divide by" });

export const AnalyticsReport = z.object({
  filters: ReportPeriod,
  summary: z.object({
    conversations: Count,
    ai_answered: Count,
    ai_resolved: Count,
    returned: Count,
    pending: Count,
    handed_off: Count,
    staff_replied: Count,
    staff_resolved: Count,
    ai_frt_median_s: Seconds,
    ai_frt_count: Count,
    staff_frt_median_s: Seconds,
    staff_frt_count: Count,
    resolution_median_s: Seconds,
    resolution_count: Count,
    csat_sent: Count,
    csat_answered: Count,
    csat_average: z.number().nullable(),
    csat_satisfied: Count,
    /** conversations a campaign's message went out in, counted apart from those customers began */
    campaign_conversations: Count,
    /** conversations that ended in a booking (confirmed, or a no-show): a conversion */
    booked: Count,
    aiResolutionRate: Share,
    aiInvolvement: Share,
    handoffRate: Share,
    csatAverage: z.number().nullable(),
    csatSatisfiedShare: Share,
    csatResponseRate: Share,
    /** booked ÷ conversations; null with no conversations */
    bookingRate: Share,
  }),
  byDay: z.array(z.object({ day: Day, values: z.record(z.string(), Count) })),
  channels: z.array(z.string()),
  reasons: z.array(z.object({ reason: z.string(), label: z.string(), conversations: Count })),
  returnWindowHours: z.int(),
});
