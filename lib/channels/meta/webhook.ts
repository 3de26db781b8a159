import "server-only";
// GET and POST /api/webhooks/meta/{instagram,whatsapp} — one Meta app adapter for both products.
// GET answers Meta's subscription check: hub.challenge echoed when hub.verify_token is a channel's.
// POST is verified, by the product's adapter, before its content is trusted: X-Hub-Signature-256 must
// be the HMAC of the raw body with the app secret (the platform's, checked before anything is parsed; or, for a business's own
// app, that of the channel the body is for). Then each message is recorded and stored and Meta gets
// its 200 at once; answers follow after the response (Meta wants a median under 250 ms).
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { channels } from "@/lib/db/schema";
import { AppError, zodMessage } from "@/lib/errors";
import { TYPE_INFO, type Channel } from "@/lib/channels/common/channels";
import { handled, parseJsonBody, readRawBody, refused } from "@/lib/channels/common/webhook";
import { handleInstagramMessaging } from "@/lib/channels/instagram/inbound";
import { InstagramWebhook } from "@/lib/channels/instagram/parse";
import { handleCloudValue } from "@/lib/channels/whatsapp/cloud-inbound";
import { CloudWebhook } from "@/lib/channels/whatsapp/cloud-parse";
import { ADAPTERS } from "@/lib/channels/adapter";
import { findChannelByVerifyToken, type MetaType } from "./channels";

/** The ids a body is for: Instagram account ids (entry.id), WhatsApp phone number ids (metadata.phone_number_id). */
function addressesIn(type: MetaType, body: unknown): string[] {
  const entries = (body as { entry?: unknown })?.entry;
  if (!Array.isArray(entries)) return [];
  const out = new Set<string>();
  for (const e of entries as Record<string, unknown>[]) {
    if (type === "instagram" && typeof e?.id === "string") out.add(e.id);
    if (type === "whatsapp-cloud" && Array.isArray(e?.changes)) {
      for (const c of e.changes as { value?: { metadata?: { phone_number_id?: unknown } } }[]) {
        const id = c?.value?.metadata?.phone_number_id;
        if (typeof id === "string") out.add(id);
      }
    }
  }
  return [...out].slice(0, 50);
}

async function channelsFor(type: MetaType, addresses: string[]): Promise<Map<string, Channel>> {
  if (!addresses.length) return new Map();
  // One plain read, no transaction: this is on every request's critical path.
  const rows = await (await getDb())
    .select()
    .from(channels)
    .where(and(eq(channels.kind, TYPE_INFO[type].kind), inArray(channels.address, addresses)));
  return new Map(rows.filter((c) => type !== "whatsapp-cloud" || c.settings?.provider === "meta").map((c) => [c.address, c]));
}

export function metaVerification(type: MetaType) {
  return handled(async (req: Request) => {
    const params = new URL(req.url).searchParams;
    const mode = params.get("hub.mode");
    const token = params.get("hub.verify_token");
    const challenge = params.get("hub.challenge");
    if (mode !== "subscribe" || !token || !challenge) throw new AppError("bad_request", "Expected hub.mode=subscribe with hub.verify_token and hub.challenge.");
    const channel = await findChannelByVerifyToken(type, token);
    if (!channel) return refused(`hub.verify_token does not match the verify token of any ${TYPE_INFO[type].label} channel.`, 403);
    return new Response(challenge, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
  });
}

export function metaNotifications(type: MetaType) {
  return handled(async (req: Request) => {
    const raw = await readRawBody(req);
    const adapter = ADAPTERS[type];
    // The platform app's signature (META_APP_SECRET) is checked before anything is parsed.
    const platformOk = await adapter.verify!(req, raw, null);
    let body: unknown;
    try {
      body = parseJsonBody(raw);
    } catch (err) {
      // Unreadable JSON: a 400 when the platform's signature vouches for it, else nobody does.
      if (platformOk) throw err;
      return refused(await adapter.refusal!(req, raw));
    }
    const found = await channelsFor(type, addressesIn(type, body));
    // Which channels this signature speaks for: those on the secret that produced it (the channel's own app's, else the platform's).
    const trusted = new Map<string, Channel>();
    for (const [address, c] of found) if (await adapter.verify!(req, raw, c)) trusted.set(address, c);
    if (!platformOk && trusted.size === 0) return refused(await adapter.refusal!(req, raw));

    const received = { stored: 0, duplicates: 0, ignored: 0, statuses: 0, unknown: 0 };
    if (type === "instagram") {
      const parsed = InstagramWebhook.safeParse(body);
      if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
      for (const entry of parsed.data.entry) {
        const channel = trusted.get(entry.id);
        if (!channel) {
          received.unknown++;
          continue;
        }
        for (const event of entry.messaging) {
          const outcome = await handleInstagramMessaging(channel, event);
          if (outcome === "stored") received.stored++;
          else if (outcome === "duplicate") received.duplicates++;
          else received.ignored++;
        }
      }
    } else {
      const parsed = CloudWebhook.safeParse(body);
      if (!parsed.success) throw new AppError("bad_request", zodMessage(parsed.error));
      for (const change of parsed.data.entry.flatMap((e) => e.changes)) {
        const id = (change.value as { metadata?: { phone_number_id?: string } } | null)?.metadata?.phone_number_id;
        const channel = id ? trusted.get(id) : undefined;
        if (change.field !== "messages" || !channel) {
          received.unknown++;
          continue;
        }
        // A malformed value is a ZodError: the one error mapper makes it a 400 with the field named.
        const outcome = await handleCloudValue(channel, change.value);
        received.stored += outcome.stored;
        received.duplicates += outcome.duplicates;
        received.ignored += outcome.ignored;
        received.statuses += outcome.statuses;
      }
    }
    return Response.json({ ok: true, ...received });
  });
}
