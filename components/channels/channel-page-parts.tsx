// What every channel page (Twilio's and the pushed channels') shares: the way back to Channels with
// the page's title, the card of facts about the connection, and the channel's recent messages.
import { Suspense } from "react";
import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { Card, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { recentChannelMessages } from "@/lib/channels/twilio/dashboard";

export function ChannelPageHeader({ slug, title, description }: { slug: string; title: string; description: string }) {
  return (
    <>
      <Link href={`/${slug}/channels`} className="inline-flex items-center gap-1 text-sm text-teal-700 hover:underline">
        <ArrowLeft className="h-4 w-4" aria-hidden /> Channels
      </Link>
      <PageHeader title={title} description={description} />
    </>
  );
}

/** Status, account and how sends leave; the status is green while the channel answers. */
export function ChannelStatusCard({ channel, account, sending }: { channel: { enabled: boolean; address: string } | null; account: string; sending: string }) {
  const facts = [
    { label: "Status", value: !channel ? "Not connected" : channel.enabled ? `Answering on ${channel.address}` : `Turned off (${channel.address})`, live: Boolean(channel?.enabled) },
    { label: "Account", value: account || "—", live: false },
    { label: "Sending", value: sending, live: false },
  ];
  return (
    <Card>
      <dl className="grid gap-3 sm:grid-cols-3">
        {facts.map((f) => (
          <div key={f.label}>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{f.label}</dt>
            <dd className={cn("mt-1 text-sm", f.live ? "font-medium text-emerald-700" : "text-slate-700")}>{f.value}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

const STATUS_STYLE: Record<string, string> = {
  delivered: "bg-emerald-50 text-emerald-800",
  read: "bg-emerald-50 text-emerald-800",
  sent: "bg-sky-50 text-sky-800",
  queued: "bg-slate-100 text-slate-700",
  outbox: "bg-slate-100 text-slate-700",
  failed: "bg-red-50 text-red-700",
  undelivered: "bg-red-50 text-red-700",
  blocked: "bg-amber-50 text-amber-800",
};

/** The channel's recent messages, streamed in after the rest of the page. */
export function RecentActivitySection(props: { userId: string; businessId: string; channelId: string }) {
  return (
    <Suspense fallback={<div className="h-48 animate-pulse rounded-lg border border-slate-200 bg-slate-50" aria-busy="true" aria-label="Loading recent activity" />}>
      <RecentActivity {...props} />
    </Suspense>
  );
}

async function RecentActivity({ userId, businessId, channelId }: { userId: string; businessId: string; channelId: string }) {
  const recent = await recentChannelMessages(userId, businessId, channelId);
  return (
    <Card>
      <h2 className="mb-3 font-medium">Recent activity</h2>
      {recent.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing on this channel yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {recent.map((m) => (
            <li key={m.id} className="flex items-start justify-between gap-3 py-2 text-sm">
              <div className="min-w-0">
                <p className="text-xs text-slate-500">
                  {m.role === "customer" ? "Customer" : m.role === "system" ? "Call" : m.role === "agent" ? "Staff" : "Assistant"} ·{" "}
                  <time dateTime={m.createdAt.toISOString()}>{m.createdAt.toLocaleString("en-GB", { dateStyle: "short", timeStyle: "short" })}</time>
                </p>
                <p className="line-clamp-2 text-slate-800">{m.content}</p>
              </div>
              {m.role !== "customer" && m.deliveryStatus && (
                <span className={cn("shrink-0 rounded-full px-2 py-0.5 text-xs font-medium", STATUS_STYLE[m.deliveryStatus] ?? "bg-slate-100 text-slate-700")}>{m.deliveryStatus}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
