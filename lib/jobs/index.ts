// Job bodies by name: the QStash route and the in-process scheduler call the same code.
import { releaseStaleReservations } from "@/lib/billing/budgets";
import { drainOutbox } from "@/lib/channels/delivery";
import { sweep } from "./sweeper";
import { summarizePending } from "./summaries";
import { warmCache } from "./warm-cache";
import { sendDigests } from "./digest";
import { analyzePending } from "@/lib/intel/insights";
import { drainWebhooks } from "@/lib/webhooks/deliver";
import { syncHubspot } from "@/lib/hubspot/sync";
import { sendReminders } from "@/lib/booking/reminders";
import { runCampaigns } from "@/lib/campaigns/send";
import { runRelayLadder } from "@/lib/relay/ladder";

export const JOBS = {
  sweep: { everySeconds: 60, run: () => sweep() },
  summaries: { everySeconds: 60, run: () => summarizePending() },
  // Staff replies queued for SMS, WhatsApp and the other pushed channels; retries wait out their backoff.
  outbox: { everySeconds: 30, run: () => drainOutbox() },
  // A crashed instance's budget holds go back to the pool after 10 minutes.
  "release-reservations": { everySeconds: 300, run: () => releaseStaleReservations() },
  // Answers the most asked questions once into the cache: after FAQ/knowledge edits settle, and nightly.
  "warm-cache": { everySeconds: 60, run: () => warmCache() },
  // Owners' daily or weekly digest, from 08:00 local; once per business and period however often it runs.
  digest: { everySeconds: 300, run: () => sendDigests() },
  // Intents and sentiment of customer messages the after-answer task did not read (hand-offs, crashes).
  insights: { everySeconds: 60, run: () => analyzePending() },
  // Outbound webhooks: the events the triggers wrote, signed, in order per conversation, retried over about a day.
  webhooks: { everySeconds: 10, run: () => drainWebhooks() },
  // HubSpot: customers upserted as contacts, closed conversations' notes, within HubSpot's rate limit.
  hubspot: { everySeconds: 30, run: () => syncHubspot() },
  // Booking reminders (24 h and 2 h before by default) on the customer's channel, outside quiet hours; run-out holds expire.
  "booking-reminders": { everySeconds: 300, run: () => sendReminders() },
  // Campaigns: the due recipients of running campaigns in batches, each sent once (lib/campaigns/send).
  campaigns: { everySeconds: 30, run: () => runCampaigns() },
  // Hand-offs climb each member's ladder: a text to their own phone after N minutes, then a call, outside quiet hours (lib/relay/ladder).
  "relay-ladder": { everySeconds: 60, run: () => runRelayLadder() },
} as const;

export type JobName = keyof typeof JOBS;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
