// What the walker expects of every route, page and server action the inventory finds. A new one that
// is not classified here fails the suite: classify it, and the walker then holds it to its class.
import type { World } from "./world";
import { NUMBERS } from "./world";

// ---------------------------------------------------------------- routes ("METHOD /pattern")

export type WebhookProvider = "twilio" | "resend" | "telegram" | "meta";

export type RouteClass =
  /** withMember: 401 signed out, 404 to a member of another business, 403 to a write from another website */
  | { kind: "member" }
  /** the public chat API: its business's allowed websites, a visitor token where one is needed */
  | { kind: "chat"; visitor: boolean }
  /** public and readable from any website (the widget's launcher data) */
  | { kind: "chat-public" }
  /** a provider's webhook: nothing runs without its signature (Meta's GET: the verify token) */
  | { kind: "webhook"; provider: WebhookProvider }
  /** QStash-signed, or (embedded) this machine only */
  | { kind: "job" }
  /** public, read-only */
  | { kind: "public" }
  /** Supabase Auth's return address: only ever redirects into the app */
  | { kind: "auth-callback" }
  /**
   * The public API (/api/v1, lib/public-api): 401 without a key, 404 and no data to another business's
   * key, 403 to a key without the endpoint's scope. Every route under /api/v1 is this class unless
   * listed in ROUTES (see routeClass), so a new endpoint is walked without anyone adding it here.
   */
  | { kind: "api" };

export const ROUTES: Record<string, RouteClass> = {
  "GET /api/businesses/[business]/analytics/export": { kind: "member" },
  "GET /api/businesses/[business]/conversations": { kind: "member" },
  "GET /api/businesses/[business]/conversations/[conversation]": { kind: "member" },
  "POST /api/businesses/[business]/conversations/[conversation]": { kind: "member" },
  "GET /api/businesses/[business]/costs/export": { kind: "member" },
  "GET /api/businesses/[business]/customers": { kind: "member" },
  "GET /api/businesses/[business]/customers/[customer]/export": { kind: "member" },
  "GET /api/businesses/[business]/customers/export": { kind: "member" },
  "GET /api/businesses/[business]/faqs/export": { kind: "member" },
  "POST /api/businesses/[business]/faqs/import": { kind: "member" },
  "GET /api/businesses/[business]/knowledge/search": { kind: "member" },
  "POST /api/businesses/[business]/knowledge/uploads": { kind: "member" },
  "POST /api/businesses/[business]/test-agent": { kind: "member" },
  "POST /api/chat/[slug]/contact": { kind: "chat", visitor: true },
  "POST /api/chat/[slug]/csat": { kind: "chat", visitor: true },
  "GET /api/chat/[slug]/messages": { kind: "chat", visitor: true },
  "POST /api/chat/[slug]/messages": { kind: "chat", visitor: true },
  "POST /api/chat/[slug]/session": { kind: "chat", visitor: false },
  "GET /api/chat/[slug]/widget": { kind: "chat-public" },
  "GET /api/calendar/[business]/[token]": { kind: "public" },
  "GET /api/health": { kind: "public" },
  "GET /api/v1/openapi.json": { kind: "public" },
  "POST /api/jobs/[job]": { kind: "job" },
  "GET /api/webhooks/meta/instagram": { kind: "webhook", provider: "meta" },
  "POST /api/webhooks/meta/instagram": { kind: "webhook", provider: "meta" },
  "GET /api/webhooks/meta/whatsapp": { kind: "webhook", provider: "meta" },
  "POST /api/webhooks/meta/whatsapp": { kind: "webhook", provider: "meta" },
  "POST /api/webhooks/resend": { kind: "webhook", provider: "resend" },
  "POST /api/webhooks/telegram/[channel]": { kind: "webhook", provider: "telegram" },
  "POST /api/webhooks/twilio/sms": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/status": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/voice": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/voice/dial": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/voice/gather": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/voice/message": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/voice/status": { kind: "webhook", provider: "twilio" },
  "POST /api/webhooks/twilio/whatsapp": { kind: "webhook", provider: "twilio" },
  "GET /auth/callback": { kind: "auth-callback" },
};

/** The class of a route: its entry in ROUTES, or "api" for anything else under /api/v1. */
export function routeClass(key: string): RouteClass | undefined {
  return ROUTES[key] ?? (/^[A-Z]+ \/api\/v1\//.test(key) ? { kind: "api" } : undefined);
}

// ---------------------------------------------------------------- pages ("/pattern")

export type PageClass =
  /** a business's dashboard: sign-in for a visitor, 404 for a member of another business */
  | "member"
  /** any signed-in person's own page: sign-in for a visitor */
  | "user"
  /** a "user" page served only in embedded mode (PGlite, the outbox): 404 beside a production database */
  | "embedded-user"
  /** open to anyone */
  | "public";

export const PAGES: Record<string, PageClass> = {
  "/": "public",
  "/[business]": "member",
  "/[business]/analytics": "member",
  "/[business]/calendar": "member",
  "/[business]/channels": "member",
  "/[business]/channels/email": "member",
  "/[business]/channels/instagram": "member",
  "/[business]/channels/sms": "member",
  "/[business]/channels/telegram": "member",
  "/[business]/channels/voice": "member",
  "/[business]/channels/web": "member",
  "/[business]/channels/whatsapp": "member",
  "/[business]/channels/whatsapp-cloud": "member",
  "/[business]/campaigns": "member",
  "/[business]/costs": "member",
  "/[business]/customers": "member",
  "/[business]/customers/[customer]": "member",
  "/[business]/inbox": "member",
  "/[business]/knowledge": "member",
  "/[business]/knowledge/articles/[id]": "member",
  "/[business]/knowledge/articles/new": "member",
  "/[business]/settings": "member",
  "/[business]/settings/ai": "member",
  "/[business]/settings/intents": "member",
  "/[business]/settings/api": "member",
  "/[business]/settings/integrations": "member",
  "/[business]/settings/limits": "member",
  "/[business]/settings/notifications": "member",
  "/[business]/settings/team": "member",
  "/[business]/settings/test-agent": "member",
  "/[business]/settings/webhooks": "member",
  "/[business]/settings/webhooks/log": "member",
  "/businesses": "user",
  "/chat/[slug]": "public",
  "/csat/[token]": "public",
  "/unsubscribe/[token]": "public",
  "/dev/outbox": "embedded-user",
  "/forgot-password": "public",
  "/invitations/[token]": "public",
  "/reset-password": "public",
  "/sign-in": "public",
  "/sign-up": "public",
};

// ---------------------------------------------------------------- server actions ("file#name")

type Args = (slug: string, w: World) => unknown[];

export type ActionClass =
  /**
   * Resolves the business from `slug`: a visitor is sent to sign-in, a member of another business
   * gets 404. `ids`: it also takes ids of rows of tenant-a, so a member of tenant-b calling it on
   * tenant-b's own slug with them must be refused too.
   */
  | { kind: "member"; args: Args; ids: boolean }
  /** any signed-in person (a visitor is sent to sign-in); `stranger` calls it as bob with tenant-a's values */
  | { kind: "user"; args: Args; next: string | null; stranger: "refused" | "allowed" }
  /** open to anyone (signing in, signing up, resets) */
  | { kind: "public"; args: Args; fuzz: (() => unknown[])[] };

const form = (values: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
};
const since = () => new Date(Date.now() - 60_000).toISOString();

const NUL = "\u0000";

export const ACTIONS: Record<string, ActionClass> = {
  "app/(auth)/actions.ts#signInAction": {
    kind: "public",
    args: () => [null, form({ email: "alice@a.test", password: "wrong password" })],
    fuzz: [() => [null, form({ email: `a${NUL}@a.test`, password: NUL })], () => [null, form({ email: "alice@a.test", password: `x${NUL}`, next: `/${NUL}` })], () => [null, new FormData()]],
  },
  "app/(auth)/actions.ts#signUpAction": {
    kind: "public",
    args: () => [null, form({ name: "New person", email: `new-${Date.now()}@a.test`, password: "a-long-password" })],
    fuzz: [() => [null, form({ name: `N${NUL}`, email: `nul-${Date.now()}@a.test`, password: "a-long-password" })], () => [null, new FormData()]],
  },
  "app/(auth)/actions.ts#signOutAction": { kind: "public", args: () => [], fuzz: [] },
  "app/(auth)/actions.ts#forgotPasswordAction": {
    kind: "public",
    args: () => [null, form({ email: "alice@a.test" })],
    fuzz: [() => [null, form({ email: `alice${NUL}@a.test` })], () => [null, new FormData()]],
  },
  "app/(auth)/actions.ts#resetPasswordAction": {
    kind: "public",
    args: () => [null, form({ token: "x".repeat(40), password: "a-long-password" })],
    fuzz: [() => [null, form({ token: `${NUL}`.repeat(20), password: "a-long-password" })], () => [null, new FormData()]],
  },

  "app/csat/[token]/actions.ts#rateSurveyAction": {
    kind: "public",
    args: () => [null, form({ token: "x".repeat(32), rating: "4" })],
    fuzz: [() => [null, form({ token: NUL.repeat(32), rating: `4${NUL}` })], () => [null, form({ token: "x".repeat(32), rating: "9" })], () => [null, new FormData()]],
  },

  "app/unsubscribe/[token]/actions.ts#unsubscribeAction": {
    kind: "public",
    args: () => [null, form({ token: "x".repeat(40) })],
    fuzz: [() => [null, form({ token: NUL.repeat(40) })], () => [null, form({ token: "a.b" })], () => [null, new FormData()]],
  },

  "app/(dashboard)/[business]/campaigns/actions.ts#countAudienceAction": { kind: "member", ids: false, args: (slug) => [slug, { tags: ["vip"], consent: false }] },
  "app/(dashboard)/[business]/campaigns/actions.ts#saveSegmentAction": { kind: "member", ids: false, args: (slug) => [slug, { name: "Intruders", filter: {} }] },
  "app/(dashboard)/[business]/campaigns/actions.ts#deleteSegmentAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.segmentId] },
  "app/(dashboard)/[business]/campaigns/actions.ts#saveCampaignAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.a.campaignId, { name: "Taken over", audience: {}, channelKinds: ["sms"], body: "Hello {{name}}" }],
  },
  "app/(dashboard)/[business]/campaigns/actions.ts#previewCampaignAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.campaignId] },
  "app/(dashboard)/[business]/campaigns/actions.ts#startCampaignAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.campaignId] },
  "app/(dashboard)/[business]/campaigns/actions.ts#controlCampaignAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.campaignId, "cancel"] },

  "app/(dashboard)/[business]/channels/actions.ts#connectChannelAction": { kind: "member", ids: false, args: (slug) => [slug, "sms", null, form({ address: NUMBERS.sms, enabled: "on" })] },
  "app/(dashboard)/[business]/channels/actions.ts#sendTestAction": { kind: "member", ids: false, args: (slug) => [slug, "sms", null, form({ to: NUMBERS.customer, body: "Test" })] },
  "app/(dashboard)/[business]/channels/actions.ts#simulateAction": { kind: "member", ids: false, args: (slug) => [slug, { kind: "sms", from: NUMBERS.customer, text: "Hello" }] },
  "app/(dashboard)/[business]/channels/actions.ts#simulatorRepliesAction": { kind: "member", ids: false, args: (slug) => [slug, "sms", since(), NUMBERS.customer] },
  "app/(dashboard)/[business]/channels/sample-actions.ts#connectSampleAction": { kind: "member", ids: false, args: (slug) => [slug, "telegram"] },
  "app/(dashboard)/[business]/channels/sample-actions.ts#connectAllSamplesAction": { kind: "member", ids: false, args: (slug) => [slug] },
  "app/(dashboard)/[business]/channels/web/actions.ts#snippetCopiedAction": { kind: "member", ids: false, args: (slug) => [slug] },
  "app/(dashboard)/[business]/inbox/actions.ts#dismissSetupAction": { kind: "member", ids: false, args: (slug) => [slug] },
  "app/(dashboard)/[business]/channels/messaging-actions.ts#connectMessagingAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, "email", null, form({ address: "hello@tenant-a.test", enabled: "on" })],
  },
  "app/(dashboard)/[business]/channels/messaging-actions.ts#testMessagingAction": { kind: "member", ids: false, args: (slug) => [slug, "email", null, form({ to: "someone@example.test", text: "Test" })] },
  "app/(dashboard)/[business]/channels/messaging-actions.ts#simulateMessagingAction": { kind: "member", ids: false, args: (slug) => [slug, { type: "email", text: "Hello" }] },
  "app/(dashboard)/[business]/channels/messaging-actions.ts#messagingRepliesAction": { kind: "member", ids: false, args: (slug) => [slug, "email", since(), "pat@example.com"] },
  "app/(dashboard)/[business]/channels/web/actions.ts#updateWebChatAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, { greeting: "Hello!", showPrismBranding: true, allowedOrigins: "" }],
  },

  "app/(dashboard)/[business]/calendar/actions.ts#addBookingAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, null, form({ serviceId: w.a.bookingServiceId, resourceId: w.a.bookingResourceId, customerId: w.a.customerId, date: "2027-02-01", time: "10:00" })],
  },
  "app/(dashboard)/[business]/calendar/actions.ts#moveBookingAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.a.bookingId, null, form({ resourceId: w.a.bookingResourceId, date: "2027-02-02", time: "11:00" })],
  },
  "app/(dashboard)/[business]/calendar/actions.ts#setBookingStatusAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.bookingId, "cancelled"] },
  "app/(dashboard)/[business]/calendar/actions.ts#blockTimeAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, null, form({ resourceId: w.a.bookingResourceId, date: "2027-02-03", from: "12:00", to: "13:00", reason: "lunch" })],
  },
  "app/(dashboard)/[business]/calendar/actions.ts#unblockTimeAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.bookingClosureId] },
  "app/(dashboard)/[business]/calendar/actions.ts#saveServiceAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.a.bookingServiceId, null, form({ name: "Renamed", durationMinutes: "45", bufferMinutes: "0", price: "" })],
  },
  "app/(dashboard)/[business]/calendar/actions.ts#saveResourceAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.a.bookingResourceId, null, form({ name: "Renamed room", "opens-0": "09:00", "closes-0": "17:00" })],
  },
  "app/(dashboard)/[business]/calendar/actions.ts#icsFeedAction": { kind: "member", ids: false, args: (slug) => [slug, true] },
  "app/(dashboard)/[business]/calendar/actions.ts#saveBookingSettingsAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, null, form({ leadMinutes: "0", horizonDays: "30", holdMinutes: "5", slotStepMinutes: "15", reminderHours: "24, 2" })],
  },

  "app/(dashboard)/[business]/customers/actions.ts#setLeadStageAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId, "lost"] },
  "app/(dashboard)/[business]/customers/actions.ts#updateCustomerAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId, null, form({ name: "Renamed", notes: "", tags: "" })] },
  "app/(dashboard)/[business]/customers/actions.ts#setVerifiedAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId, true] },
  "app/(dashboard)/[business]/customers/actions.ts#setBlockedAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId, true] },
  "app/(dashboard)/[business]/customers/actions.ts#mergeCustomerAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId, w.secondCustomerId] },
  "app/(dashboard)/[business]/customers/actions.ts#deleteCustomerAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.customerId] },
  "app/(dashboard)/[business]/customers/actions.ts#bulkCustomersAction": { kind: "member", ids: true, args: (slug, w) => [slug, { action: "block", ids: [w.a.customerId, w.secondCustomerId] }] },

  "app/(dashboard)/[business]/knowledge/actions.ts#saveArticleAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.documentId, null, form({ title: "Prices", content: "Everything costs a pound." })],
  },
  "app/(dashboard)/[business]/knowledge/actions.ts#deleteDocumentAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.documentId] },
  "app/(dashboard)/[business]/knowledge/actions.ts#createFaqAction": { kind: "member", ids: false, args: (slug) => [slug, null, form({ question: "Open late?", answer: "Until eight." })] },
  "app/(dashboard)/[business]/knowledge/actions.ts#updateFaqAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.faqId, null, form({ question: "Open late?", answer: "Until nine." })] },
  "app/(dashboard)/[business]/knowledge/actions.ts#toggleFaqAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.faqId, false] },
  "app/(dashboard)/[business]/knowledge/actions.ts#deleteFaqAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.faqId] },
  "app/(dashboard)/[business]/knowledge/actions.ts#acceptSuggestionAction": { kind: "member", ids: false, args: (slug) => [slug, null, form({ question: "Parking?", answer: "Behind the clinic." })] },

  "app/(dashboard)/[business]/settings/actions.ts#updateProfileAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, null, form({ name: "Taken over", timeZone: "Europe/London", brandColor: "#000000", logoUrl: "" })],
  },
  "app/(dashboard)/[business]/settings/actions.ts#inviteMemberAction": { kind: "member", ids: false, args: (slug) => [slug, null, form({ email: "intruder@else.test", role: "owner" })] },
  "app/(dashboard)/[business]/settings/actions.ts#changeRoleAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.carolMemberId, "owner"] },
  "app/(dashboard)/[business]/settings/actions.ts#removeMemberAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.ownerMemberId] },
  "app/(dashboard)/[business]/settings/actions.ts#revokeInvitationAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.invitationId] },
  "app/(dashboard)/[business]/settings/actions.ts#updateAiSettingsAction": { kind: "member", ids: false, args: (slug) => [slug, JSON.stringify({ tone: "casual" })] },
  "app/(dashboard)/[business]/settings/actions.ts#updateLimitsAction": { kind: "member", ids: false, args: (slug) => [slug, { customerPerDay: 1 }] },
  "app/(dashboard)/[business]/settings/actions.ts#requestDigestPhoneCodeAction": { kind: "member", ids: false, args: (slug) => [slug, { kind: "sms", phone: "+14155550100" }] },
  "app/(dashboard)/[business]/settings/actions.ts#verifyDigestPhoneAction": { kind: "member", ids: false, args: (slug) => [slug, { code: "123456" }] },
  "app/(dashboard)/[business]/settings/actions.ts#removeDigestPhoneAction": { kind: "member", ids: false, args: (slug) => [slug] },
  "app/(dashboard)/[business]/inbox/owner-phone-actions.ts#ownerPhoneSendAction": { kind: "member", ids: false, args: (slug) => [slug, "#A2 hello"] },
  "app/(dashboard)/[business]/inbox/owner-phone-actions.ts#ownerPhoneFeedAction": { kind: "member", ids: false, args: (slug) => [slug, "2026-01-01T00:00:00Z"] },
  "app/(dashboard)/[business]/settings/notifications/actions.ts#requestMemberPhoneCodeAction": { kind: "member", ids: false, args: (slug) => [slug, { kind: "sms", phone: "+14155550100" }] },
  "app/(dashboard)/[business]/settings/notifications/actions.ts#verifyMemberPhoneAction": { kind: "member", ids: false, args: (slug) => [slug, { code: "123456" }] },
  "app/(dashboard)/[business]/settings/notifications/actions.ts#saveMemberLadderAction": { kind: "member", ids: false, args: (slug) => [slug, { textAfterMinutes: "5" }] },
  "app/(dashboard)/[business]/settings/notifications/actions.ts#removeMemberPhoneAction": { kind: "member", ids: false, args: (slug) => [slug] },
  "app/(dashboard)/[business]/settings/intents/actions.ts#createIntentAction": { kind: "member", ids: false, args: (slug) => [slug, null, form({ name: "intruder intent", description: "x" })] },
  "app/(dashboard)/[business]/settings/intents/actions.ts#updateIntentAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.intentId, null, form({ name: "renamed", description: "" })] },
  "app/(dashboard)/[business]/settings/intents/actions.ts#deleteIntentAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.intentId] },
  "app/(dashboard)/[business]/settings/intents/actions.ts#applyIntentTemplateAction": { kind: "member", ids: false, args: (slug) => [slug, "clinic"] },
  "app/(dashboard)/[business]/settings/api/actions.ts#createApiKeyAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, { name: "Walker key", scopes: ["customers:read"], expiresAt: "" }],
  },
  "app/(dashboard)/[business]/settings/api/actions.ts#revokeApiKeyAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.apiKeyIds.a] },

  "app/(dashboard)/[business]/settings/webhooks/actions.ts#createWebhookEndpointAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, { url: "https://hooks.intruder.test/x", events: ["customer.created"] }],
  },
  "app/(dashboard)/[business]/settings/webhooks/actions.ts#updateWebhookEndpointAction": {
    kind: "member",
    ids: true,
    args: (slug, w) => [slug, w.a.webhookEndpointId, { url: "https://hooks.intruder.test/x", enabled: true }],
  },
  "app/(dashboard)/[business]/settings/webhooks/actions.ts#deleteWebhookEndpointAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.webhookEndpointId] },
  "app/(dashboard)/[business]/settings/webhooks/actions.ts#revealWebhookSecretAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.webhookEndpointId] },
  "app/(dashboard)/[business]/settings/webhooks/actions.ts#rotateWebhookSecretAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.webhookEndpointId] },
  "app/(dashboard)/[business]/settings/webhooks/actions.ts#replayWebhookDeliveryAction": { kind: "member", ids: true, args: (slug, w) => [slug, w.a.webhookDeliveryId] },

  "app/(dashboard)/[business]/settings/integrations/actions.ts#connectHubspotAction": {
    kind: "member",
    ids: false,
    args: (slug) => [slug, { token: "pat-na1-11111111-2222-3333-4444-555555555555" }],
  },
  "app/(dashboard)/[business]/settings/integrations/actions.ts#disconnectHubspotAction": { kind: "member", ids: false, args: (slug) => [slug] },

  "app/(dashboard)/businesses/actions.ts#createBusinessAction": { kind: "user", next: null, stranger: "allowed", args: () => [null, form({ name: "Anyone's new business" })] },
  "app/invitations/[token]/actions.ts#acceptInvitationAction": {
    kind: "user",
    next: "/invitations/[token]",
    stranger: "refused",
    args: (_slug, w) => [w.invitationToken],
  },
};

// ---------------------------------------------------------------- what still answers 500

/**
 * Cases (their test names; server actions' start with "action ", pages' with "page ") that still
 * answer 500, or for an action, that fail with an internal error instead of a message. The walker
 * asserts this is exactly the set that does: none. A case that starts answering 500 fails the suite.
 */
export const KNOWN_500: readonly string[] = [];

/** The KNOWN_500 entries of one suite: routes, pages or actions. */
export function knownFor(suite: "routes" | "pages" | "actions"): string[] {
  return KNOWN_500.filter((name) => (suite === "actions" ? name.startsWith("action ") : suite === "pages" ? name.startsWith("page ") : !/^(action|page) /.test(name)));
}
