// The world the security walker runs in: alice owns tenant-a (carol is its agent), bob owns tenant-b,
// and tenant-a has one channel of every kind (simulated: nothing configured), a second customer, an
// article, an FAQ, a live invitation and a chat visitor. Every value a route, page or action needs
// for its dynamic segments or arguments comes from here, always tenant-a's.
import { sql } from "drizzle-orm";
import { rows, withService, type Executor } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { newToken } from "@/lib/security/crypto";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { connectTelegramChannel } from "@/lib/channels/telegram/channels";
import { connectInstagramChannel, connectWhatsAppCloudChannel } from "@/lib/channels/meta/channels";
import { newVisitor } from "@/lib/chat/visitor";
import type { MemberCtx } from "@/lib/services/context";
import { createApiKey } from "@/lib/services/api-keys";
import { API_SCOPES } from "@/lib/public-api/scopes";
import { useTestDb } from "../helpers/db";
import { makeTwoTenants } from "../helpers/fixtures";

export const BASE = "http://localhost:3000";

export const NUMBERS = { sms: "+15017122661", whatsapp: "+14155238886", voice: "+15017122662", customer: "+447700900123" } as const;
export const EMAIL_ADDRESS = "hello@tenant-a.test";
export const IG_ACCOUNT = "17841400000000042";
export const WA_PHONE_NUMBER_ID = "106540352240042";

export type World = Awaited<ReturnType<typeof makeTwoTenants>> & {
  owner: MemberCtx;
  secondCustomerId: string;
  documentId: string;
  faqId: string;
  invitationId: string;
  invitationToken: string;
  visitorToken: string;
  /** tenant-a's and tenant-b's API keys with every scope (their secrets), and their ids */
  apiKeys: { a: string; b: string };
  apiKeyIds: { a: string; b: string };
  channels: Record<"sms" | "whatsapp" | "voice" | "email" | "telegram" | "instagram" | "whatsapp-cloud", typeof s.channels.$inferSelect>;
};

const one = async <T extends Record<string, unknown>>(ex: Executor, q: ReturnType<typeof sql>) => (await rows<T>(ex, q))[0]!;

export async function buildWorld(): Promise<World> {
  await useTestDb(); // eslint-disable-line react-hooks/rules-of-hooks -- a jest set-up function, not a React hook
  const cast = await withService((tx) => makeTwoTenants(tx));
  const owner: MemberCtx = { businessId: cast.a.businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
  const { token, hash } = newToken();
  const extra = await withService(async (tx) => {
    const [second] = await tx.insert(s.customers).values({ businessId: cast.a.businessId, name: "Second customer of tenant-a" }).returning();
    const [invitation] = await tx
      .insert(s.invitations)
      .values({ businessId: cast.a.businessId, email: "joiner@tenant-a.test", role: "agent", tokenHash: hash, expiresAt: new Date(Date.now() + 86_400_000) })
      .returning();
    const doc = await one<{ id: string }>(tx, sql`select id from knowledge_documents where business_id = ${cast.a.businessId} limit 1`);
    const faq = await one<{ id: string }>(tx, sql`select id from faqs where business_id = ${cast.a.businessId} limit 1`);
    return { secondCustomerId: second!.id, invitationId: invitation!.id, documentId: doc.id, faqId: faq.id };
  });
  const sms = await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: NUMBERS.sms } });
  const whatsapp = await connectTwilioChannel({ ctx: owner, input: { kind: "whatsapp", address: NUMBERS.whatsapp } });
  const voice = await connectTwilioChannel({ ctx: owner, input: { kind: "voice", address: NUMBERS.voice } });
  const email = await connectEmailChannel({ ctx: owner, input: { address: EMAIL_ADDRESS } });
  const telegram = (await connectTelegramChannel({ ctx: owner, input: { username: "tenant_a_bot" } })).channel;
  const instagram = await connectInstagramChannel({ ctx: owner, input: { accountId: IG_ACCOUNT, username: "tenanta" } });
  const whatsappCloud = await connectWhatsAppCloudChannel({ ctx: owner, input: { phoneNumberId: WA_PHONE_NUMBER_ID, displayPhoneNumber: "+15550780042" } });
  const { token: visitorToken } = await newVisitor(cast.a.businessId, null);
  const ownerB: MemberCtx = { businessId: cast.b.businessId, actor: { type: "member", userId: cast.bob.id, role: "owner" } };
  const keyA = await createApiKey({ ctx: owner, input: { name: "Walker A", scopes: [...API_SCOPES] } });
  const keyB = await createApiKey({ ctx: ownerB, input: { name: "Walker B", scopes: [...API_SCOPES] } });
  // The walker sends hundreds of requests a minute with these: their limit is not what it tests.
  await withService((tx) => tx.execute(sql`update api_keys set rate_limit = 100000 where business_id in (${cast.a.businessId}, ${cast.b.businessId})`));
  return {
    ...cast,
    ...extra,
    owner,
    invitationToken: token,
    visitorToken,
    apiKeys: { a: keyA.secret, b: keyB.secret },
    apiKeyIds: { a: keyA.key.id, b: keyB.key.id },
    channels: { sms, whatsapp, voice, email, telegram, instagram, "whatsapp-cloud": whatsappCloud },
  };
}

/** Values for every dynamic segment of the app's routes and pages. */
export function params(w: World): Record<string, string> {
  return {
    business: "tenant-a",
    conversation: w.a.conversationId,
    customer: w.a.customerId,
    id: w.documentId,
    slug: "tenant-a",
    token: w.invitationToken,
    channel: w.channels.telegram.id,
    job: "sweep",
    tag: "vip",
    article: w.documentId,
    faq: w.faqId,
  };
}

const TABLES = [
  "users",
  "businesses",
  "members",
  "invitations",
  "channels",
  "customers",
  "customer_identities",
  "conversations",
  "messages",
  "knowledge_documents",
  "knowledge_chunks",
  "faqs",
  "rate_limit_rules",
  "campaigns",
  "campaign_recipients",
  "segments",
  "consent_events",
  "outbox",
  "audit_log",
  // not api_keys: a request counts its key's use (last used, requests) even when it is refused
  "api_idempotency_keys",
  "webhook_endpoints",
  "webhook_deliveries",
  "webhook_attempts",
  "hubspot_connections",
  "hubspot_sync",
  "booking_settings",
  "booking_services",
  "booking_resources",
  "booking_hours",
  "booking_closures",
  "bookings",
  "booking_dialogues",
];

/** A fingerprint of every row of the tables a refused request could have touched. */
export async function digest(): Promise<string> {
  const parts = TABLES.map((t) => sql.raw(`(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${t} x) as "${t}"`));
  const [row] = await withService((tx) => rows<Record<string, string>>(tx, sql`select ${sql.join(parts, sql`, `)}`));
  return JSON.stringify(row);
}
