// The one channel page: every channel kind (Twilio's and the pushed channels') is this layout, and
// differs only by the data it is given — the title, the facts about the connection, what to paste
// into the provider, its forms, its simulator — and the channel's recent messages.
import { Suspense, type ReactNode } from "react";
import Link from "next/link";
import { ArrowLeft, FlaskConical } from "lucide-react";
import { Card, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { recentChannelMessages } from "@/lib/channels/common/dashboard";
import { CopyField } from "./copy-field-client";
import { SampleButton } from "./sample-button-client";

export type ChannelPageData = {
  slug: string;
  title: string;
  description: string;
  userId: string;
  businessId: string;
  canManage: boolean;
  channel: { id: string; address: string; enabled: boolean; sample: boolean } | null;
  /** who the account is, and how sends leave (the status card) */
  account: string;
  sending: string;
  /** "Try it with a sample", while nothing is connected (null: this kind has no sample) */
  trySample: { page: string; title: string; sample: string } | null;
  warnings: string[];
  /** what the owner should know about the channel (WhatsApp's 24 hours, how the channel works) */
  info: { heading: string; text: ReactNode } | null;
  connectForm: ReactNode;
  paste: { title: string; fields: { id: string; label: string; value: string; hint: string }[]; note?: string };
  /** the test send, for managers of a connected channel */
  test: { title: string; text: string; form: ReactNode };
  /** the Channel simulator, when this channel can be played (null: it cannot) */
  simulator: { intro: ReactNode; client: ReactNode } | null;
};

export function ChannelPage(d: ChannelPageData) {
  const simulator = d.simulator && (
    <Card>
      <h2 className="mb-1 font-medium">Channel simulator</h2>
      <p className="mb-4 text-sm text-slate-600">{d.simulator.intro}</p>
      {d.simulator.client}
    </Card>
  );
  // A sample channel is there to be tried: its simulator comes first.
  const sampleFirst = Boolean(d.channel?.sample);
  return (
    <div className="max-w-3xl space-y-6">
      <ChannelPageHeader slug={d.slug} title={d.title} description={d.description} />

      <ChannelStatusCard channel={d.channel} account={d.account} sending={d.sending} />
      {d.channel?.sample && <SampleNotice address={d.channel.address} />}
      {!d.channel && d.trySample && <TrySampleCard slug={d.slug} {...d.trySample} canManage={d.canManage} />}
      {sampleFirst && simulator}
      {d.warnings.map((w) => (
        <p key={w} role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {w}
        </p>
      ))}

      {d.info && (
        <Card>
          <h2 className="font-medium">{d.info.heading}</h2>
          <p className="mt-1 text-sm text-slate-600">{d.info.text}</p>
        </Card>
      )}

      <Card>
        <h2 className="mb-4 font-medium">{d.channel ? "Settings" : "Connect"}</h2>
        {d.canManage ? d.connectForm : <p className="text-sm text-slate-600">Only owners and admins can connect channels or change their settings.</p>}
      </Card>

      {d.paste.fields.length > 0 && (
        <Card className="space-y-4">
          <h2 className="font-medium">{d.paste.title}</h2>
          {d.paste.fields.map((p) => (
            <CopyField key={p.id} id={p.id} label={p.label} value={p.value} hint={p.hint} />
          ))}
          {d.paste.note && <p className="text-xs text-slate-500">{d.paste.note}</p>}
        </Card>
      )}

      {d.channel && d.canManage && (
        <Card>
          <h2 className="mb-1 font-medium">{d.test.title}</h2>
          <p className="mb-4 text-sm text-slate-600">{d.test.text}</p>
          {d.test.form}
        </Card>
      )}

      {!sampleFirst && simulator}

      {d.channel && <RecentActivitySection userId={d.userId} businessId={d.businessId} channelId={d.channel.id} />}
    </div>
  );
}

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

/**
 * For a channel not connected yet, where the simulator can play it: one click connects it with
 * sample values, so a new owner can try it before they have a number or an account.
 */
export function TrySampleCard({ slug, page, title, sample, canManage }: { slug: string; page: string; title: string; sample: string; canManage: boolean }) {
  return (
    <Card className="border-teal-200 bg-teal-50/60">
      <h2 className="flex items-center gap-2 font-medium text-teal-900">
        <FlaskConical className="h-4 w-4" aria-hidden /> Try {title} now, before you have an account
      </h2>
      <p className="mt-1 text-sm text-slate-700">
        Connect it in simulated mode with {sample}, a sample nobody can reach: nothing leaves this machine. Then play a customer in the Channel simulator and watch
        the answers, the inbox and your replies. Enter your own details below whenever you are ready.
      </p>
      <div className="mt-3">
        {canManage ? <SampleButton slug={slug} page={page} label="Try it with a sample" /> : <p className="text-sm text-slate-600">An owner or admin can connect it with a sample.</p>}
      </div>
    </Card>
  );
}

/** Said at the top of a channel connected with sample values. */
export function SampleNotice({ address }: { address: string }) {
  return (
    <p role="note" className="flex items-start gap-2 rounded-md border border-teal-200 bg-teal-50 px-3 py-2 text-sm text-teal-900">
      <FlaskConical className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      <span>
        Sample channel: {address} is a sample value in simulated mode, so only the Channel simulator below can write to it. To go live, enter your own under Settings.
      </span>
    </p>
  );
}

/** Status, account and how sends leave; the status is green while the channel answers. */
export function ChannelStatusCard({ channel, account, sending }: { channel: { enabled: boolean; address: string; sample?: boolean } | null; account: string; sending: string }) {
  const where = channel?.sample ? `${channel.address} (sample)` : channel?.address;
  const facts = [
    { label: "Status", value: !channel ? "Not connected" : channel.enabled ? `Answering on ${where}` : `Turned off (${where})`, live: Boolean(channel?.enabled) },
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
