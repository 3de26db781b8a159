// Builds tenants with a row in every tenant table, for isolation tests.
import { sql } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { insertUser } from "@/lib/db/users";
import { hashPassword } from "@/lib/auth/password";
import { encrypt } from "@/lib/security/crypto";

const zero = () => `[${new Array(768).fill(0).map((_, i) => (i === 0 ? 1 : 0)).join(",")}]`;

/** Every test user's password, unless a test gives another. */
export const PASSWORD = "correct horse battery";

export async function makeUser(ex: Executor, email: string, password = PASSWORD) {
  return insertUser(ex, { email, name: email.split("@")[0], passwordHash: await hashPassword(password) });
}

/** A business with one row in every tenant table; returns the ids. */
export async function makeTenant(ex: Executor, slug: string, ownerId: string) {
  const [b] = await ex.insert(s.businesses).values({ slug, name: `Biz ${slug}` }).returning();
  const businessId = b!.id;
  const [owner] = await ex.insert(s.members).values({ businessId, userId: ownerId, role: "owner" }).returning({ id: s.members.id });
  await ex.insert(s.invitations).values({ businessId, email: `invitee@${slug}.test`, role: "agent", tokenHash: `hash-${slug}`, expiresAt: new Date(Date.now() + 1e8) });
  const [ch] = await ex.insert(s.channels).values({ businessId, kind: "web", name: "Web", address: slug }).returning();
  const [cu] = await ex.insert(s.customers).values({ businessId, name: `Customer of ${slug}` }).returning();
  await ex.insert(s.customerIdentities).values({ businessId, customerId: cu!.id, kind: "email", valueHash: `h-${slug}`, valueEncrypted: "x" });
  const [co] = await ex.insert(s.conversations).values({ businessId, customerId: cu!.id, channelId: ch!.id }).returning();
  const [m] = await ex
    .insert(s.messages)
    .values({ businessId, conversationId: co!.id, customerId: cu!.id, channelId: ch!.id, role: "customer", content: `secret of ${slug}` })
    .returning();
  await ex.execute(sql`insert into memories (business_id, customer_id, kind, content, message_id, embedding) values (${businessId}, ${cu!.id}, 'message', 'memo', ${m!.id}, ${zero()}::vector)`);
  await ex.insert(s.csatSurveys).values({ businessId, conversationId: co!.id, customerId: cu!.id, channelKind: "web", token: `csat-${slug}` });
  const [intent] = await ex.insert(s.intents).values({ businessId, name: `intent of ${slug}`, description: "d" }).returning();
  await ex.insert(s.intentExamples).values({ businessId, intentId: intent!.id, text: `example of ${slug}`, messageId: m!.id });
  await ex.insert(s.leadEvidence).values({ businessId, customerId: cu!.id, messageId: m!.id, kind: "need", quote: `secret of ${slug}`, points: 25 });
  await ex.insert(s.messageInsights).values({ messageId: m!.id, businessId, conversationId: co!.id, intentId: intent!.id, confidence: 0.9, sentiment: 0, engine: "offline" });
  const [doc] = await ex.insert(s.knowledgeDocuments).values({ businessId, title: "Doc", content: "content" }).returning();
  await ex.insert(s.knowledgeChunks).values({ businessId, documentId: doc!.id, ordinal: 0, content: "content" });
  const [faq] = await ex.insert(s.faqs).values({ businessId, question: "q?", answer: "a" }).returning();
  await ex.insert(s.faqHits).values({ faqId: faq!.id, businessId, hits: 1 });
  const [entry] = await rows<{ id: string }>(
    ex,
    sql`insert into response_cache (business_id, question, answer, knowledge_version, embedding, expires_at) values (${businessId}, 'q', 'a', 1, ${zero()}::vector, now() + interval '1 day') returning id`,
  );
  await ex.insert(s.responseCacheHits).values({ entryId: entry!.id, businessId, hits: 1 });
  await ex.insert(s.cacheWarming).values({ businessId, requestedAt: new Date() });
  await ex.insert(s.budgets).values({ businessId, periodStart: "2026-11-01" });
  await ex.insert(s.costEvents).values({ businessId, kind: "model", costUsd: 0.01 });
  await ex.insert(s.rateLimitRules).values({ businessId, scope: "customer_day", limit: 50, windowSeconds: 86400 });
  await ex.insert(s.abuseEvents).values({ businessId, customerId: cu!.id, kind: "gibberish", action: "flag" });
  const [seg] = await ex.insert(s.segments).values({ businessId, name: "Everyone", filter: {} }).returning();
  const [camp] = await ex.insert(s.campaigns).values({ businessId, name: "C", body: "hello", segmentId: seg!.id }).returning();
  await ex.insert(s.campaignRecipients).values({ businessId, campaignId: camp!.id, customerId: cu!.id });
  await ex.insert(s.consentEvents).values({ businessId, customerId: cu!.id, channelKind: "email", granted: true, source: "contact_form", wording: "Email me offers" });
  await ex.insert(s.webhookEvents).values({ businessId, provider: "test", eventId: `evt-${slug}`, payload: {} });
  await ex.insert(s.outbox).values({ businessId, channelKind: "email", recipient: "x@y.z", body: "b" });
  await ex.insert(s.auditLog).values({ businessId, action: "test" });
  const [apiKey] = await ex.insert(s.apiKeys).values({ businessId, name: `Key of ${slug}`, prefix: `prism_${slug}`, keyHash: `key-hash-${slug}`, scopes: ["customers:read"] }).returning();
  await ex.insert(s.apiIdempotencyKeys).values({ businessId, apiKeyId: apiKey!.id, key: `idem-${slug}`, method: "POST", path: "/api/v1/customers", requestHash: "h", status: 201, response: {} });
  // an unverified digest phone (the tenant has no SMS channel, so nothing is ever texted to it)
  await ex.insert(s.digestPhones).values({ businessId, channelKind: "sms", phoneEncrypted: encrypt("+15555550100") });
  // a webhook endpoint, turned off (so no test's changes are queued for it), with one logged delivery
  const [hook] = await ex
    .insert(s.webhookEndpoints)
    .values({ businessId, url: `https://hooks.${slug}.test/prismai`, events: ["customer.created"], secretEncrypted: encrypt(`whsec_${Buffer.alloc(24, 1).toString("base64")}`), enabled: false })
    .returning();
  const [event] = await ex.insert(s.webhookMessages).values({ businessId, eventType: "customer.created", payload: { id: cu!.id } }).returning();
  const [delivery] = await ex
    .insert(s.webhookDeliveries)
    .values({ businessId, endpointId: hook!.id, messageId: event!.id, orderKey: `customer:${cu!.id}`, status: "failed", attempts: 1 })
    .returning();
  await ex.insert(s.webhookAttempts).values({ businessId, deliveryId: delivery!.id, endpointId: hook!.id, ok: false, statusCode: 500, durationMs: 12, responseBody: "down" });
  // a HubSpot connection (a placeholder token: nothing here calls HubSpot), the contact and sync behind it
  await ex.insert(s.hubspotConnections).values({ businessId, tokenEncrypted: encrypt(`pat-na1-fixture-${slug}`) });
  await ex.insert(s.hubspotContacts).values({ businessId, customerId: cu!.id, contactId: `hs-${slug}` });
  await ex.insert(s.hubspotSync).values({ businessId, kind: "contact", customerId: cu!.id, status: "done", hubspotId: `hs-${slug}` });
  // booking: settings, a service, a resource with Monday hours, a past holiday and a past booking
  await ex.insert(s.bookingSettings).values({ businessId });
  const [svc] = await ex.insert(s.bookingServices).values({ businessId, name: `Check-up at ${slug}`, durationMinutes: 30, active: false }).returning();
  const [res] = await ex.insert(s.bookingResources).values({ businessId, name: `Room of ${slug}` }).returning();
  await ex.insert(s.bookingHours).values({ businessId, resourceId: res!.id, weekday: 0, opensMinute: 540, closesMinute: 1020 });
  const [closure] = await ex.insert(s.bookingClosures).values({ businessId, during: "[2026-01-01 00:00+00,2026-01-02 00:00+00)", reason: "New Year" }).returning();
  const [bk] = await ex
    .insert(s.bookings)
    .values({
      businessId,
      customerId: cu!.id,
      serviceId: svc!.id,
      resourceId: res!.id,
      during: "[2026-01-05 09:00+00,2026-01-05 09:30+00)",
      startsAt: new Date("2026-01-05T09:00:00Z"),
      endsAt: new Date("2026-01-05T09:30:00Z"),
      status: "confirmed",
    })
    .returning();
  await ex.insert(s.bookingDialogues).values({ businessId, conversationId: co!.id, customerId: cu!.id, state: { step: "day" } });
  // the owner's own phone (unverified, so nothing is ever texted to it) and a closed hand-off with its notice
  await ex.insert(s.memberPhones).values({ businessId, userId: ownerId, channelKind: "sms", phoneEncrypted: encrypt("+15555550101"), phoneHash: `phone-hash-${slug}` });
  const [handoff] = await ex.insert(s.relayHandoffs).values({ businessId, conversationId: co!.id, code: "A2", closedAt: new Date() }).returning();
  await ex.insert(s.relayNotices).values({ handoffId: handoff!.id, businessId, userId: ownerId, step: "text" });
  return {
    bookingServiceId: svc!.id,
    bookingResourceId: res!.id,
    bookingId: bk!.id,
    bookingClosureId: closure!.id,
    businessId,
    ownerMemberId: owner!.id,
    channelId: ch!.id,
    customerId: cu!.id,
    conversationId: co!.id,
    messageId: m!.id,
    webhookEndpointId: hook!.id,
    webhookDeliveryId: delivery!.id,
    intentId: intent!.id,
    campaignId: camp!.id,
    segmentId: seg!.id,
  };
}

/**
 * The cast of the dashboard suites: alice owns tenant-a, where carol is an agent, and bob owns
 * tenant-b; every password is PASSWORD. Returns the users, both tenants and carol's membership id.
 */
export async function makeTwoTenants(ex: Executor) {
  const alice = await makeUser(ex, "alice@a.test");
  const bob = await makeUser(ex, "bob@b.test");
  const carol = await makeUser(ex, "carol@a.test");
  const a = await makeTenant(ex, "tenant-a", alice.id);
  const b = await makeTenant(ex, "tenant-b", bob.id);
  const [carolMember] = await ex.insert(s.members).values({ businessId: a.businessId, userId: carol.id, role: "agent" }).returning({ id: s.members.id });
  return { alice, bob, carol, a, b, carolMemberId: carolMember!.id };
}
