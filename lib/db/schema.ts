// The domain model of ARCHITECTURE.md. drizzle-kit turns this into supabase/migrations;
// RLS policies, roles and helper functions live in hand-written migrations beside the generated ones.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  vector,
} from "drizzle-orm/pg-core";

export const EMBEDDING_DIMENSIONS = 768;

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

const id = () => uuid("id").primaryKey().defaultRandom();
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const businessId = () =>
  uuid("business_id")
    .notNull()
    .references(() => businesses.id, { onDelete: "cascade" });
const money = (name: string) => numeric(name, { precision: 14, scale: 6, mode: "number" });
const embedding = () => vector("embedding", { dimensions: EMBEDDING_DIMENSIONS });

export const businessStatus = pgEnum("business_status", ["active", "paused"]);
export const memberRole = pgEnum("member_role", ["owner", "admin", "agent"]);
export const channelKind = pgEnum("channel_kind", [
  "web",
  "sms",
  "whatsapp",
  "voice",
  "email",
  "telegram",
  "instagram",
]);
export const identityKind = pgEnum("identity_kind", ["phone", "email", "web", "telegram", "instagram", "whatsapp"]);
export const conversationStatus = pgEnum("conversation_status", ["open", "waiting_human", "closed"]);
export const messageRole = pgEnum("message_role", ["customer", "assistant", "agent", "system", "note"]);
export const answerSource = pgEnum("answer_source", ["model", "cache", "faq", "human", "offline", "fallback"]);
export const memoryKind = pgEnum("memory_kind", ["message", "summary", "fact"]);

// ---------------------------------------------------------------- people and tenants

/** Accounts of owners and staff. With Supabase Auth the id is auth.users.id and password_hash stays null. */
export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash"),
  createdAt: createdAt(),
});

/** Built-in auth sessions: the cookie carries a signed session id; sign-out revokes the row. */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: id(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId)],
);

/** Failed sign-ins by email and by IP, for throttling (10 in 15 minutes). */
export const authFailures = pgTable(
  "auth_failures",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    key: text("key").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("auth_failures_key_idx").on(t.key, t.createdAt)],
);

export const passwordResets = pgTable("password_resets", {
  id: id(),
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  createdAt: createdAt(),
});

export const businesses = pgTable("businesses", {
  id: id(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  status: businessStatus("status").notNull().default("active"),
  timeZone: text("time_zone").notNull().default("UTC"),
  brandColor: text("brand_color").notNull().default("#0f766e"),
  logoUrl: text("logo_url"),
  greeting: text("greeting").notNull().default("Hi! How can we help you today?"),
  showPrismBranding: boolean("show_prism_branding").notNull().default(true),
  /** persona, tone, instructions, hours, prohibited topics, escalation, model preference, cache threshold */
  aiSettings: jsonb("ai_settings").$type<Record<string, unknown>>().notNull().default({}),
  /** per-customer, per-business and per-IP limits */
  limits: jsonb("limits").$type<Record<string, unknown>>().notNull().default({}),
  /** bumped by every change to FAQs, knowledge or AI settings: older cache entries stop serving */
  knowledgeVersion: integer("knowledge_version").notNull().default(1),
  /** the kind of business (clinic, estate_agent, restaurant, law_firm, general): its default intents */
  kind: text("kind").notNull().default("general"),
  /** when its default intents were added (once; the owner's edits and deletions then stand) */
  intentsSeededAt: timestamp("intents_seeded_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const members = pgTable(
  "members",
  {
    id: id(),
    businessId: businessId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole("role").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("members_business_user_key").on(t.businessId, t.userId), index("members_user_idx").on(t.userId)],
);

export const invitations = pgTable(
  "invitations",
  {
    id: id(),
    businessId: businessId(),
    email: text("email").notNull(),
    role: memberRole("role").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("invitations_business_idx").on(t.businessId),
    index("invitations_email_idx").on(t.email),
    // One pending invitation per business and address: inviting again re-sends it (upsert on this key).
    uniqueIndex("invitations_pending_email_key").on(t.businessId, t.email).where(sql`${t.acceptedAt} is null`),
  ],
);

// ---------------------------------------------------------------- channels and customers

export const channels = pgTable(
  "channels",
  {
    id: id(),
    businessId: businessId(),
    kind: channelKind("kind").notNull(),
    name: text("name").notNull(),
    /** what customers reach: a phone number, an email address, a bot username, a page id, or the chat slug */
    address: text("address").notNull(),
    credentialsEncrypted: text("credentials_encrypted"),
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("channels_kind_address_key").on(t.kind, t.address), index("channels_business_idx").on(t.businessId)],
);

export const customers = pgTable(
  "customers",
  {
    id: id(),
    businessId: businessId(),
    name: text("name"),
    trustScore: integer("trust_score").notNull().default(50),
    verified: boolean("verified").notNull().default(false),
    blocked: boolean("blocked").notNull().default(false),
    blockedUntil: timestamp("blocked_until", { withTimezone: true }),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    notes: text("notes"),
    /** consent and opt-outs per channel: { sms: { optedOut: true, at: "…" } } */
    consent: jsonb("consent").$type<Record<string, unknown>>().notNull().default({}),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    /** 0–100: the best quote of each kind in lead_evidence, summed (kept with the evidence) */
    leadScore: integer("lead_score").notNull().default(0),
    /** "customer" or "lost" when staff said so; otherwise null and the stage follows the score */
    leadStage: text("lead_stage"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("customers_business_idx").on(t.businessId, t.lastSeenAt), index("customers_business_lead_idx").on(t.businessId, t.leadScore)],
);

export const customerIdentities = pgTable(
  "customer_identities",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    kind: identityKind("kind").notNull(),
    /** keyed hash (HMAC-SHA256) of the normalised value, for lookup */
    valueHash: text("value_hash").notNull(),
    /** AES-256-GCM of the value */
    valueEncrypted: text("value_encrypted").notNull(),
    undeliverable: boolean("undeliverable").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("customer_identities_business_kind_hash_key").on(t.businessId, t.kind, t.valueHash),
    index("customer_identities_customer_idx").on(t.customerId),
  ],
);

export const conversations = pgTable(
  "conversations",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    status: conversationStatus("status").notNull().default("open"),
    assigneeId: uuid("assignee_id").references(() => users.id, { onDelete: "set null" }),
    subject: text("subject"),
    emailThreadKey: text("email_thread_key"),
    summary: text("summary"),
    unread: boolean("unread").notNull().default(true),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("conversations_business_activity_idx").on(t.businessId, t.lastMessageAt),
    index("conversations_customer_idx").on(t.customerId, t.channelId),
    index("conversations_thread_idx").on(t.businessId, t.emailThreadKey),
  ],
);

/**
 * One row per conversation with everything Analytics asks of it, kept by triggers on conversations,
 * messages, cost_events, audit_log and csat_surveys (supabase/migrations/*_report_rollups.sql) in the
 * transaction of every write, so a period's metrics read one row per conversation instead of every
 * message. Never written by the app. `test`: staff's own test from Settings → Test your agent.
 */
export const conversationFacts = pgTable(
  "conversation_facts",
  {
    conversationId: uuid("conversation_id")
      .primaryKey()
      .references(() => conversations.id, { onDelete: "cascade" }),
    businessId: businessId(),
    customerId: uuid("customer_id").notNull(),
    /** the conversation's channel kind */
    channel: text("channel").notNull(),
    status: conversationStatus("status").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    firstCustomerAt: timestamp("first_customer_at", { withTimezone: true }),
    /** the first assistant message of any source (a hand-off notice included) */
    firstAiAt: timestamp("first_ai_at", { withTimezone: true }),
    /** the last answer from the AI itself (model, cache, FAQ, offline) */
    lastAiAt: timestamp("last_ai_at", { withTimezone: true }),
    aiAnswers: integer("ai_answers").notNull().default(0),
    firstHumanAt: timestamp("first_human_at", { withTimezone: true }),
    handoffAt: timestamp("handoff_at", { withTimezone: true }),
    /** the category of the first hand-off */
    handoffCategory: text("handoff_category"),
    /** the first time staff took it over (audit_log conversation.taken_over) */
    takenOverAt: timestamp("taken_over_at", { withTimezone: true }),
    csatSentAt: timestamp("csat_sent_at", { withTimezone: true }),
    csatRating: integer("csat_rating"),
    test: boolean("test").notNull().default(false),
    /** every cost event of the conversation, whatever its kind, in micro-dollars */
    costMicros: bigint("cost_micros", { mode: "number" }).notNull().default(0),
  },
  (t) => [index("conversation_facts_business_created_idx").on(t.businessId, t.createdAt)],
);

export const messages = pgTable(
  "messages",
  {
    id: id(),
    businessId: businessId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    role: messageRole("role").notNull(),
    source: answerSource("source"),
    content: text("content").notNull(),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    /** the provider's id, unique per channel: a retried webhook never makes a second message */
    providerMessageId: text("provider_message_id"),
    /** the customer message this answers */
    replyToId: uuid("reply_to_id"),
    deliveryStatus: text("delivery_status"),
    attachments: jsonb("attachments").$type<unknown[]>().notNull().default([]),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    model: text("model"),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    costUsd: money("cost_usd").notNull().default(0),
    latencyMs: integer("latency_ms"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("messages_channel_provider_id_key").on(t.channelId, t.providerMessageId),
    index("messages_conversation_idx").on(t.conversationId, t.createdAt),
    index("messages_customer_idx").on(t.businessId, t.customerId, t.createdAt),
    // Analytics: did the customer write again within 72 hours, on any channel? (a survey's rating is not writing again)
    index("messages_customer_returns_idx")
      .on(t.businessId, t.createdAt, t.customerId)
      .where(sql`role = 'customer' and not (metadata ? 'csatRating')`),
    // "has this message been answered?" — asked on every claim, reply lookup and sweep
    index("messages_reply_to_idx").on(t.replyToId),
  ],
);

/** The owner's list of what customers come for, each with a one-line description (issue #17). */
export const intents = pgTable(
  "intents",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("intents_business_name_key").on(t.businessId, sql`lower(${t.name})`)],
);

/** Example messages of an intent: the owner's corrections in the inbox (one per message) and the ones they type. */
export const intentExamples = pgTable(
  "intent_examples",
  {
    id: id(),
    businessId: businessId(),
    intentId: uuid("intent_id")
      .notNull()
      .references(() => intents.id, { onDelete: "cascade" }),
    text: text("text").notNull(),
    /** the corrected customer message, when the example is a correction */
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    embedding: embedding(),
    /** the embedder that made `embedding` (another one's vectors are not comparable: re-embedded) */
    embeddingModel: text("embedding_model"),
    createdAt: createdAt(),
  },
  (t) => [index("intent_examples_business_idx").on(t.businessId, t.intentId), uniqueIndex("intent_examples_message_key").on(t.messageId)],
);

/**
 * Why a customer scores as a lead: each row quotes the customer's own words (an exact sentence of one
 * of their messages) as evidence of budget, timing, need or authority. No quote, no point.
 */
export const leadEvidence = pgTable(
  "lead_evidence",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    messageId: uuid("message_id")
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    quote: text("quote").notNull(),
    points: integer("points").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("lead_evidence_message_kind_key").on(t.messageId, t.kind), index("lead_evidence_customer_idx").on(t.businessId, t.customerId)],
);

/**
 * What a customer message was read as, in the background after the answer: its intent (null: "other")
 * with a confidence, and its sentiment from -2 (very negative) to 2 (very positive). `corrected`: staff
 * set the intent by hand, and the job never overwrites it.
 */
export const messageInsights = pgTable(
  "message_insights",
  {
    messageId: uuid("message_id")
      .primaryKey()
      .references(() => messages.id, { onDelete: "cascade" }),
    businessId: businessId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    intentId: uuid("intent_id").references(() => intents.id, { onDelete: "set null" }),
    confidence: real("confidence").notNull(),
    sentiment: integer("sentiment").notNull(),
    corrected: boolean("corrected").notNull().default(false),
    /** offline (embeddings and rules) or the model that read it */
    engine: text("engine").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("message_insights_conversation_idx").on(t.conversationId, t.createdAt),
    index("message_insights_business_intent_idx").on(t.businessId, t.intentId, t.createdAt),
  ],
);

/** One-question satisfaction survey, sent once per conversation when it is closed. */
export const csatSurveys = pgTable(
  "csat_surveys",
  {
    id: id(),
    businessId: businessId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    channelKind: channelKind("channel_kind").notNull(),
    /** random, for the email link (/csat/[token]) */
    token: text("token").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
    rating: integer("rating"),
    answeredAt: timestamp("answered_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("csat_surveys_conversation_key").on(t.conversationId),
    uniqueIndex("csat_surveys_token_key").on(t.token),
    index("csat_surveys_business_idx").on(t.businessId, t.sentAt),
    index("csat_surveys_customer_idx").on(t.customerId, t.sentAt),
  ],
);

/**
 * The phone the owners' digest is also texted to (Settings → Limits & budget): sealed like every
 * personal datum, and used only once a 6-digit code sent to it was typed back (verified_at).
 */
export const digestPhones = pgTable("digest_phones", {
  businessId: businessId().primaryKey(),
  /** sms or whatsapp: which of the business's own channels sends it */
  channelKind: channelKind("channel_kind").notNull(),
  phoneEncrypted: text("phone_encrypted").notNull(),
  /** keyed hash of the pending code; null once verified */
  codeHash: text("code_hash"),
  codeSentAt: timestamp("code_sent_at", { withTimezone: true }),
  codeExpiresAt: timestamp("code_expires_at", { withTimezone: true }),
  codeAttempts: integer("code_attempts").notNull().default(0),
  verifiedAt: timestamp("verified_at", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const memories = pgTable(
  "memories",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    kind: memoryKind("kind").notNull(),
    content: text("content").notNull(),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "cascade" }),
    embedding: embedding(),
    createdAt: createdAt(),
  },
  (t) => [
    index("memories_customer_idx").on(t.businessId, t.customerId),
    uniqueIndex("memories_message_key").on(t.messageId),
    // No vector index: memories are only ever searched within one customer's rows (recallMemories),
    // which memories_customer_idx finds and an exact sort ranks; an HNSW index was never used by that
    // plan and cost two graph inserts per answered message (migration memories_exact_recall).
  ],
);

// ---------------------------------------------------------------- knowledge

export const knowledgeDocuments = pgTable(
  "knowledge_documents",
  {
    id: id(),
    businessId: businessId(),
    title: text("title").notNull(),
    sourceType: text("source_type").notNull().default("article"),
    filename: text("filename"),
    content: text("content").notNull(),
    /** ready, or failed (an upload that could not be read: `error` says why, no content, no chunks) */
    status: text("status").notNull().default("ready"),
    error: text("error"),
    /** sha256 of `content` for ready documents: one business holds a text once (the same file uploaded twice is one document) */
    contentHash: text("content_hash"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("knowledge_documents_business_idx").on(t.businessId), uniqueIndex("knowledge_documents_content_key").on(t.businessId, t.contentHash)],
);

export const knowledgeChunks = pgTable(
  "knowledge_chunks",
  {
    id: id(),
    businessId: businessId(),
    documentId: uuid("document_id")
      .notNull()
      .references(() => knowledgeDocuments.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    heading: text("heading"),
    content: text("content").notNull(),
    tokenCount: integer("token_count").notNull().default(0),
    embedding: embedding(),
    tsv: tsvector("tsv").generatedAlwaysAs(
      sql`to_tsvector('simple', coalesce(heading, '') || ' ' || content)`,
    ),
    createdAt: createdAt(),
  },
  (t) => [
    index("knowledge_chunks_document_idx").on(t.businessId, t.documentId),
    index("knowledge_chunks_embedding_idx").using("hnsw", t.embedding.op("vector_cosine_ops")),
    index("knowledge_chunks_tsv_idx").using("gin", t.tsv),
  ],
);

export const faqs = pgTable(
  "faqs",
  {
    id: id(),
    businessId: businessId(),
    question: text("question").notNull(),
    answer: text("answer").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    embedding: embedding(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("faqs_business_idx").on(t.businessId),
    index("faqs_embedding_idx").using("hnsw", t.embedding.op("vector_cosine_ops")),
  ],
);

/** Answers given per FAQ, apart from faqs so counting never rewrites a vector-indexed row. */
export const faqHits = pgTable(
  "faq_hits",
  {
    faqId: uuid("faq_id")
      .primaryKey()
      .references(() => faqs.id, { onDelete: "cascade" }),
    businessId: businessId(),
    hits: integer("hits").notNull().default(0),
    lastHitAt: timestamp("last_hit_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("faq_hits_business_idx").on(t.businessId)],
);

export const responseCache = pgTable(
  "response_cache",
  {
    id: id(),
    businessId: businessId(),
    question: text("question").notNull(),
    answer: text("answer").notNull(),
    knowledgeVersion: integer("knowledge_version").notNull(),
    channelStyle: text("channel_style").notNull().default("chat"),
    language: text("language"),
    /**
     * The answer group: entries with one key give the same answer (the digest of the normalised
     * answer, or the group the model confirmed; a row written without one is a group of its own).
     * Paraphrases that agree on a group are the evidence the cache serves on (lib/cache/decision.ts).
     */
    answerKey: text("answer_key")
      .notNull()
      .default(sql`'u:' || gen_random_uuid()::text`),
    /** the question's content-word stems, for the decision's check that nothing new is asked */
    terms: text("terms").array().notNull().default(sql`'{}'::text[]`),
    /** model: stored after a customer's answer; warmed: pre-computed by the warm-cache job */
    origin: text("origin").notNull().default("model"),
    /** the customer messages the entry was built from, so deleting a customer removes their entries */
    sourceMessageIds: uuid("source_message_ids").array().notNull().default(sql`'{}'::uuid[]`),
    embedding: embedding().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("response_cache_business_idx").on(t.businessId, t.knowledgeVersion),
    index("response_cache_embedding_idx").using("hnsw", t.embedding.op("vector_cosine_ops")),
  ],
);

/** Hits per cache entry, apart from response_cache so counting never rewrites a vector-indexed row. */
export const responseCacheHits = pgTable(
  "response_cache_hits",
  {
    entryId: uuid("entry_id")
      .primaryKey()
      .references(() => responseCache.id, { onDelete: "cascade" }),
    businessId: businessId(),
    hits: integer("hits").notNull().default(0),
    lastHitAt: timestamp("last_hit_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("response_cache_hits_business_idx").on(t.businessId)],
);

/**
 * One row per business: when the cache was last asked to be warmed (a FAQ or knowledge change) and
 * when the warm-cache job last started and finished for it (lib/jobs/warm-cache.ts).
 */
export const cacheWarming = pgTable("cache_warming", {
  businessId: uuid("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  requestedAt: timestamp("requested_at", { withTimezone: true }),
  startedAt: timestamp("started_at", { withTimezone: true }),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  /** what the last run did: answered, already warm, skipped, and why it stopped */
  lastRun: jsonb("last_run").$type<Record<string, unknown>>().notNull().default({}),
});

// ---------------------------------------------------------------- money, limits, abuse

export const budgets = pgTable(
  "budgets",
  {
    id: id(),
    businessId: businessId(),
    periodStart: date("period_start").notNull(),
    limitUsd: money("limit_usd").notNull().default(50),
    spentUsd: money("spent_usd").notNull().default(0),
    reservedUsd: money("reserved_usd").notNull().default(0),
    alert75At: timestamp("alert_75_at", { withTimezone: true }),
    alert90At: timestamp("alert_90_at", { withTimezone: true }),
    exhaustedAt: timestamp("exhausted_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("budgets_business_period_key").on(t.businessId, t.periodStart)],
);

export const costEvents = pgTable(
  "cost_events",
  {
    id: id(),
    businessId: businessId(),
    kind: text("kind").notNull(),
    model: text("model"),
    units: real("units").notNull().default(0),
    tokensIn: integer("tokens_in").notNull().default(0),
    tokensOut: integer("tokens_out").notNull().default(0),
    costUsd: money("cost_usd").notNull(),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    /**
     * The channel the money was spent on, set by a trigger when the row is written (whatever the
     * writer passes): the conversation's channel, else the channel the kind names (an SMS segment, a
     * call minute), else 'none'. It stays when the conversation is deleted later.
     */
    channel: text("channel").notNull().default("none"),
    createdAt: createdAt(),
  },
  (t) => [index("cost_events_business_idx").on(t.businessId, t.createdAt)],
);

/**
 * cost_events summed per business, local day, kind, channel and model ('' for none), in whole
 * micro-dollars, kept by a trigger in the transaction that writes the events. Days are those of the
 * business's time zone, named in each row: after the zone changes, the next Costs page sums the days
 * again from the ledger (app.rebuild_report_days). The Costs page reads these rows instead of a million events and
 * still reconciles with the ledger to the cent.
 */
export const costDaily = pgTable(
  "cost_daily",
  {
    businessId: businessId(),
    timeZone: text("time_zone").notNull(),
    day: date("day").notNull(),
    kind: text("kind").notNull(),
    channel: text("channel").notNull(),
    model: text("model").notNull(),
    events: integer("events").notNull(),
    micros: bigint("micros", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "cost_daily_pkey", columns: [t.businessId, t.timeZone, t.day, t.kind, t.channel, t.model] })],
);

/**
 * The AI's answers (assistant messages with a source) counted per business, local day, channel and
 * tier (faq, cache:<tier>, model, offline, fallback), with what they cost; kept by a trigger on
 * messages, days as in cost_daily. The Costs page's savings read it.
 */
export const answerDaily = pgTable(
  "answer_daily",
  {
    businessId: businessId(),
    timeZone: text("time_zone").notNull(),
    day: date("day").notNull(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    tier: text("tier").notNull(),
    answers: integer("answers").notNull(),
    micros: bigint("micros", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "answer_daily_pkey", columns: [t.businessId, t.timeZone, t.day, t.channelId, t.tier] })],
);

export const rateLimitRules = pgTable(
  "rate_limit_rules",
  {
    id: id(),
    businessId: businessId(),
    /** customer_day, customer_interval, business_month, ip_minute */
    scope: text("scope").notNull(),
    limit: integer("limit").notNull(),
    windowSeconds: integer("window_seconds").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("rate_limit_rules_business_scope_key").on(t.businessId, t.scope)],
);

export const abuseEvents = pgTable(
  "abuse_events",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id").references(() => customers.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    action: text("action").notNull(),
    trustDelta: integer("trust_delta").notNull().default(0),
    evidence: jsonb("evidence").$type<Record<string, unknown>>().notNull().default({}),
    ipHash: text("ip_hash"),
    createdAt: createdAt(),
  },
  (t) => [index("abuse_events_business_idx").on(t.businessId, t.createdAt), index("abuse_events_customer_idx").on(t.customerId)],
);

// ---------------------------------------------------------------- outreach

/** A saved audience: the filter of lib/campaigns/audience.ts, re-evaluated whenever it is used. */
export const segments = pgTable(
  "segments",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    filter: jsonb("filter").$type<Record<string, unknown>>().notNull().default({}),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("segments_business_name_key").on(t.businessId, t.name)],
);

export const campaigns = pgTable(
  "campaigns",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    channelId: uuid("channel_id").references(() => channels.id, { onDelete: "set null" }),
    /** message A: a template with {{name}}, {{business}} and {{field}} variables */
    body: text("body").notNull(),
    /** draft, scheduled, sending, paused, completed, cancelled */
    status: text("status").notNull().default("draft"),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    segmentId: uuid("segment_id").references(() => segments.id, { onDelete: "set null" }),
    /** the audience filter as it was when the campaign was written */
    audience: jsonb("audience").$type<Record<string, unknown>>().notNull().default({}),
    /** the channel kinds the campaign may use, in the owner's order of preference */
    channelKinds: text("channel_kinds").array().notNull().default(sql`'{}'::text[]`),
    /** template (the body as written) or ai (personalised from the brief, the body as fallback) */
    mode: text("mode").notNull().default("template"),
    /** the offer, dates and terms: for personalisation and for the AI answering the replies */
    brief: text("brief"),
    /** message B of an A/B test; null = one message */
    bodyB: text("body_b"),
    /** share of the audience kept out as a holdout group, 0–50 */
    holdoutPct: integer("holdout_pct").notNull().default(0),
    /** what counts as converted within goal_window_days: replied, tag_added (goal_tag), or booked (a confirmed booking) */
    goal: text("goal").notNull().default("replied"),
    goalTag: text("goal_tag"),
    goalWindowDays: integer("goal_window_days").notNull().default(7),
    /** approved WhatsApp template for customers outside the 24-hour window */
    waContentSid: text("wa_content_sid"),
    /** the cost estimate the owner approved, and the reasons behind it */
    estimate: jsonb("estimate").$type<Record<string, unknown>>(),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    /** why it stopped by itself (the budget ran out) */
    pausedReason: text("paused_reason"),
    /** an event that enrols customers while the campaign runs (lib/campaigns/triggers); null = sent once */
    trigger: jsonb("trigger").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("campaigns_business_idx").on(t.businessId), index("campaigns_status_idx").on(t.status)],
);

export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    id: id(),
    businessId: businessId(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    /** queued, sent, delivered, read, failed, skipped, replied, converted */
    status: text("status").notNull().default("queued"),
    error: text("error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
    /** A, B or holdout */
    variant: text("variant").notNull().default("A"),
    channelId: uuid("channel_id").references(() => channels.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    /** not before this time: the recipient's quiet hours */
    dueAt: timestamp("due_at", { withTimezone: true }).notNull().defaultNow(),
    /** the estimate for this recipient's message, in USD */
    estimateUsd: money("estimate_usd").notNull().default(0),
    /** the goal was met before the campaign (the tag was already there): not a conversion */
    goalMetBefore: boolean("goal_met_before").notNull().default(false),
    /** which occurrence of a triggered campaign's event enrolled them ('' for a campaign sent once) */
    occurrence: text("occurrence").notNull().default(""),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("campaign_recipients_key").on(t.campaignId, t.customerId, t.occurrence),
    index("campaign_recipients_due_idx").on(t.campaignId, t.status, t.dueAt),
    index("campaign_recipients_conversation_idx").on(t.conversationId),
  ],
);

/** Consent per customer and channel, every grant and revocation kept: where, when, in which words. */
export const consentEvents = pgTable(
  "consent_events",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    channelKind: text("channel_kind").notNull(),
    granted: boolean("granted").notNull(),
    /** keyword, unsubscribe_link, contact_form, staff, import */
    source: text("source").notNull(),
    /** the words the customer agreed to or sent ("STOP", the form's consent line) */
    wording: text("wording").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("consent_events_customer_idx").on(t.businessId, t.customerId, t.channelKind, t.createdAt)],
);

// ---------------------------------------------------------------- what came in, what must go out, who changed what

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: id(),
    businessId: uuid("business_id").references(() => businesses.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    payload: jsonb("payload").$type<unknown>().notNull(),
    status: text("status").notNull().default("received"),
    error: text("error"),
    result: jsonb("result").$type<unknown>(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("webhook_events_provider_event_key").on(t.provider, t.eventId)],
);

export const outbox = pgTable(
  "outbox",
  {
    id: id(),
    /** null for system mail (password resets, invitations to people with no business yet) */
    businessId: uuid("business_id").references(() => businesses.id, { onDelete: "cascade" }),
    channelKind: text("channel_kind").notNull(),
    recipient: text("recipient").notNull(),
    subject: text("subject"),
    body: text("body").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    messageId: uuid("message_id").references(() => messages.id, { onDelete: "set null" }),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("outbox_status_idx").on(t.status, t.nextAttemptAt), index("outbox_business_idx").on(t.businessId, t.createdAt)],
);

// ---------------------------------------------------------------- outbound webhooks (Standard Webhooks)

/** A business's receiver of events: an https URL, the events it wants, a whsec_ secret sealed at rest. */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: id(),
    businessId: businessId(),
    url: text("url").notNull(),
    description: text("description"),
    events: text("events").array().notNull(),
    /** AES-256-GCM of "whsec_<base64>" */
    secretEncrypted: text("secret_encrypted").notNull(),
    /** the secret before the last rotation: still signed with until previous_secret_expires_at */
    previousSecretEncrypted: text("previous_secret_encrypted"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    enabled: boolean("enabled").notNull().default(true),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    /** messages in a row whose every attempt failed; reset by any success */
    exhaustedStreak: integer("exhausted_streak").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_business_idx").on(t.businessId)],
);

/** One event, written by triggers in the transaction of the change it describes (the outbox). */
export const webhookMessages = pgTable(
  "webhook_messages",
  {
    id: id(),
    businessId: businessId(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_messages_business_idx").on(t.businessId, t.createdAt)],
);

/** One message to one endpoint: its place in line (seq within order_key) and its retry state. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: id(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    businessId: businessId(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    messageId: uuid("message_id")
      .notNull()
      .references(() => webhookMessages.id, { onDelete: "cascade" }),
    /** "conversation:<id>" or "customer:<id>": a later delivery waits while an earlier one is pending */
    orderKey: text("order_key").notNull(),
    /** pending · sending (leased until next_attempt_at) · delivered · failed (every attempt failed) */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    // the claim walks what is still open in the order it was written and stops at the first heads it finds
    index("webhook_deliveries_open_idx").on(t.seq).where(sql`status in ('pending', 'sending')`),
    index("webhook_deliveries_line_idx").on(t.endpointId, t.orderKey, t.seq),
    index("webhook_deliveries_business_idx").on(t.businessId, t.createdAt),
  ],
);

/** The delivery log: every attempt, scheduled or replayed by hand. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: id(),
    businessId: businessId(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** schedule or replay */
    trigger: text("trigger").notNull().default("schedule"),
    statusCode: integer("status_code"),
    ok: boolean("ok").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** the first 1,000 characters of the receiver's answer */
    responseBody: text("response_body"),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_attempts_endpoint_idx").on(t.endpointId, t.createdAt), index("webhook_attempts_delivery_idx").on(t.deliveryId)],
);

// ---------------------------------------------------------------- HubSpot (Settings → Integrations)

/** A business's HubSpot private-app token, sealed at rest. */
export const hubspotConnections = pgTable("hubspot_connections", {
  businessId: businessId().primaryKey(),
  tokenEncrypted: text("token_encrypted").notNull(),
  lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
  lastError: text("last_error"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** The HubSpot contact a customer was upserted as. */
export const hubspotContacts = pgTable(
  "hubspot_contacts",
  {
    customerId: uuid("customer_id")
      .primaryKey()
      .references(() => customers.id, { onDelete: "cascade" }),
    businessId: businessId(),
    contactId: text("contact_id").notNull(),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("hubspot_contacts_business_idx").on(t.businessId)],
);

/** What must go to HubSpot, written by triggers with the change: a contact to upsert, a closed conversation's note. */
export const hubspotSync = pgTable(
  "hubspot_sync",
  {
    id: id(),
    businessId: businessId(),
    /** contact · note */
    kind: text("kind").notNull(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "cascade" }),
    /** pending · done · skipped · failed */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** the HubSpot object made or updated (contact or note id) */
    hubspotId: text("hubspot_id"),
    error: text("error"),
    createdAt: createdAt(),
    doneAt: timestamp("done_at", { withTimezone: true }),
  },
  (t) => [
    index("hubspot_sync_due_idx").on(t.status, t.nextAttemptAt),
    index("hubspot_sync_business_idx").on(t.businessId, t.createdAt),
    uniqueIndex("hubspot_sync_pending_contact_key").on(t.customerId).where(sql`kind = 'contact' and status = 'pending'`),
    uniqueIndex("hubspot_sync_note_key").on(t.conversationId).where(sql`kind = 'note'`),
  ],
);

// ---------------------------------------------------------------- booking (issue #18)

/** A Postgres tstzrange as its text form, e.g. '["2026-12-08 09:00:00+00","2026-12-08 09:30:00+00")'. */
const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });

/** Per business: how far ahead and how soon customers may book, how long a hold lasts, reminders, the .ics secret. */
export const bookingSettings = pgTable("booking_settings", {
  businessId: uuid("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  /** the earliest bookable start is now + lead time */
  leadMinutes: integer("lead_minutes").notNull().default(60),
  /** bookings open this many days ahead */
  horizonDays: integer("horizon_days").notNull().default(60),
  /** a held slot frees itself after this many minutes */
  holdMinutes: integer("hold_minutes").notNull().default(10),
  /** offered start times fall on this grid, from the opening time */
  slotStepMinutes: integer("slot_step_minutes").notNull().default(30),
  /** minutes before the start a reminder goes out */
  reminderOffsets: integer("reminder_offsets").array().notNull().default(sql`'{1440,120}'::integer[]`),
  /** keyed hash of the .ics feed's secret; null until the owner turns the feed on */
  icsTokenHash: text("ics_token_hash"),
  updatedAt: updatedAt(),
});

/** What a customer can book: its length, price and the gap kept free after it. */
export const bookingServices = pgTable(
  "booking_services",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    price: numeric("price", { precision: 10, scale: 2, mode: "number" }),
    bufferMinutes: integer("buffer_minutes").notNull().default(0),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("booking_services_business_idx").on(t.businessId)],
);

/** A person or a room that is booked; no two live bookings of one resource overlap. */
export const bookingResources = pgTable(
  "booking_resources",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    /** the services this resource performs; empty = every service */
    serviceIds: uuid("service_ids").array().notNull().default(sql`'{}'::uuid[]`),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index("booking_resources_business_idx").on(t.businessId)],
);

/** A resource's working hours (local wall time, weekday 0 = Monday); none = the business's hours. */
export const bookingHours = pgTable(
  "booking_hours",
  {
    id: id(),
    businessId: businessId(),
    resourceId: uuid("resource_id")
      .notNull()
      .references(() => bookingResources.id, { onDelete: "cascade" }),
    weekday: integer("weekday").notNull(),
    /** minutes after local midnight */
    opensMinute: integer("opens_minute").notNull(),
    closesMinute: integer("closes_minute").notNull(),
  },
  (t) => [index("booking_hours_resource_idx").on(t.resourceId, t.weekday), index("booking_hours_business_idx").on(t.businessId)],
);

/** Time nobody can book: a holiday (no resource), a resource's time off, or time blocked on the calendar. */
export const bookingClosures = pgTable(
  "booking_closures",
  {
    id: id(),
    businessId: businessId(),
    resourceId: uuid("resource_id").references(() => bookingResources.id, { onDelete: "cascade" }),
    during: tstzrange("during").notNull(),
    reason: text("reason"),
    createdAt: createdAt(),
  },
  (t) => [index("booking_closures_business_idx").on(t.businessId)],
);

export const bookingStatus = pgEnum("booking_status", ["held", "confirmed", "cancelled", "no_show", "expired"]);

/**
 * One appointment. `during` covers the service and its buffer; the exclusion constraint in the
 * migration keeps live (held or confirmed) bookings of one resource from overlapping.
 */
export const bookings = pgTable(
  "bookings",
  {
    id: id(),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    serviceId: uuid("service_id")
      .notNull()
      .references(() => bookingServices.id, { onDelete: "no action" }),
    resourceId: uuid("resource_id")
      .notNull()
      .references(() => bookingResources.id, { onDelete: "no action" }),
    during: tstzrange("during").notNull(),
    /** the appointment itself, without the buffer */
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    status: bookingStatus("status").notNull().default("held"),
    holdExpiresAt: timestamp("hold_expires_at", { withTimezone: true }),
    channelId: uuid("channel_id").references(() => channels.id, { onDelete: "set null" }),
    conversationId: uuid("conversation_id").references(() => conversations.id, { onDelete: "set null" }),
    /** ai, staff or api */
    source: text("source").notNull().default("ai"),
    notes: text("notes"),
    /** reminder offsets (minutes before the start) already sent */
    remindersSent: integer("reminders_sent").array().notNull().default(sql`'{}'::integer[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("bookings_business_start_idx").on(t.businessId, t.startsAt),
    index("bookings_customer_idx").on(t.customerId, t.startsAt),
    index("bookings_hold_idx").on(t.holdExpiresAt).where(sql`status = 'held'`),
  ],
);

/** Where a customer's booking conversation stands (the AI's dialogue state), one row per conversation. */
export const bookingDialogues = pgTable(
  "booking_dialogues",
  {
    conversationId: uuid("conversation_id")
      .primaryKey()
      .references(() => conversations.id, { onDelete: "cascade" }),
    businessId: businessId(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    state: jsonb("state").$type<Record<string, unknown>>().notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index("booking_dialogues_business_idx").on(t.businessId)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: id(),
    businessId: businessId(),
    actorId: uuid("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index("audit_log_business_idx").on(t.businessId, t.createdAt)],
);

// ---------------------------------------------------------------- the public API (/api/v1)

/**
 * A business's API keys: they belong to the business, not to whoever created them. Only the keyed
 * hash of the secret is stored (it is shown once); `prefix` is what lists show to tell keys apart.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: id(),
    businessId: businessId(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    /** "customers:read", "conversations:write", … (lib/public-api/scopes.ts) */
    scopes: text("scopes").array().notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    requestCount: integer("request_count").notNull().default(0),
    /** requests a minute this key may make */
    rateLimit: integer("rate_limit").notNull().default(120),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("api_keys_business_idx").on(t.businessId, t.createdAt)],
);

/**
 * Idempotency-Key of a POST: the first request's body hash and, once it has finished, its response,
 * replayed to a retry with the same body. Per API key; kept a day.
 */
export const apiIdempotencyKeys = pgTable(
  "api_idempotency_keys",
  {
    id: id(),
    businessId: businessId(),
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    requestHash: text("request_hash").notNull(),
    /** null while the first request is still running */
    status: integer("status"),
    response: jsonb("response").$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_idempotency_keys_key_idx").on(t.apiKeyId, t.key), index("api_idempotency_keys_business_idx").on(t.businessId, t.createdAt)],
);

/** Tables that carry tenant data; RLS is enabled on each and tests walk this list. */
// ---- The owner's own phone and the hand-off relay (lib/relay) ----

/**
 * A member's own phone for hand-offs: sealed like customers' numbers, found again by a keyed hash when
 * the member texts the business, used only once the code sent to it was typed back; how hand-offs reach
 * them (the escalation ladder) and their quiet hours in the business's time zone.
 */
export const memberPhones = pgTable(
  "member_phones",
  {
    businessId: businessId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** sms or whatsapp: which of the business's channels texts the member (and which they text back to) */
    channelKind: channelKind("channel_kind").notNull(),
    phoneEncrypted: text("phone_encrypted").notNull(),
    /** keyedHash of the E.164 number: an inbound text from it is the member, not a customer */
    phoneHash: text("phone_hash").notNull(),
    codeHash: text("code_hash"),
    codeSentAt: timestamp("code_sent_at", { withTimezone: true }),
    codeExpiresAt: timestamp("code_expires_at", { withTimezone: true }),
    codeAttempts: integer("code_attempts").notNull().default(0),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    /** minutes after the dashboard notice before a text; null: never texted */
    textAfterMinutes: integer("text_after_minutes").default(5),
    /** minutes after the dashboard notice before a call (voice channel); null: never called */
    callAfterMinutes: integer("call_after_minutes"),
    /** quiet hours as minutes of the day in the business's time zone; both null: none */
    quietStartMinute: integer("quiet_start_minute"),
    quietEndMinute: integer("quiet_end_minute"),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.userId] }),
    uniqueIndex("member_phones_verified_key").on(t.businessId, t.phoneHash).where(sql`verified_at is not null`),
  ],
);

/** A conversation handed to a person while it waits: its short code (#A7) for replies from a phone, and what the notice says. */
export const relayHandoffs = pgTable(
  "relay_handoffs",
  {
    id: id(),
    businessId: businessId(),
    conversationId: uuid("conversation_id")
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    reason: text("reason"),
    summary: text("summary"),
    suggestion: text("suggestion"),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("relay_handoffs_open_code_key").on(t.businessId, t.code).where(sql`closed_at is null`),
    uniqueIndex("relay_handoffs_open_conversation_key").on(t.businessId, t.conversationId).where(sql`closed_at is null`),
  ],
);

/** Each rung of the ladder reached for one member and one hand-off, so the job never texts or calls twice. */
export const relayNotices = pgTable(
  "relay_notices",
  {
    handoffId: uuid("handoff_id")
      .notNull()
      .references(() => relayHandoffs.id, { onDelete: "cascade" }),
    businessId: businessId(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.handoffId, t.userId, t.step] }), index("relay_notices_business_idx").on(t.businessId)],
);

export const TENANT_TABLES = [
  "businesses",
  "members",
  "invitations",
  "channels",
  "customers",
  "customer_identities",
  "conversations",
  "messages",
  "intents",
  "intent_examples",
  "message_insights",
  "lead_evidence",
  "csat_surveys",
  "digest_phones",
  "memories",
  "knowledge_documents",
  "knowledge_chunks",
  "faqs",
  "faq_hits",
  "response_cache",
  "response_cache_hits",
  "cache_warming",
  "budgets",
  "cost_events",
  "cost_daily",
  "answer_daily",
  "conversation_facts",
  "rate_limit_rules",
  "abuse_events",
  "campaigns",
  "campaign_recipients",
  "segments",
  "consent_events",
  "webhook_events",
  "outbox",
  "audit_log",
  "api_keys",
  "api_idempotency_keys",
  "webhook_endpoints",
  "webhook_messages",
  "webhook_deliveries",
  "webhook_attempts",
  "hubspot_connections",
  "hubspot_contacts",
  "hubspot_sync",
  "booking_settings",
  "booking_services",
  "booking_resources",
  "booking_hours",
  "booking_closures",
  "bookings",
  "booking_dialogues",
  "member_phones",
  "relay_handoffs",
  "relay_notices",
] as const;
