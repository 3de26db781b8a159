// The page of one Twilio channel (SMS, WhatsApp, voice): connect it, paste the URLs into Twilio,
// send a test, and in embedded mode play a customer with the Channel simulator.
import { Suspense } from "react";
import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { memberContext } from "@/lib/auth/member";
import { MANAGERS } from "@/lib/services/context";
import { VOICES, type TwilioKind } from "@/lib/channels/twilio/channels";
import { recentChannelMessages, twilioChannelView, type TwilioChannelView } from "@/lib/channels/twilio/dashboard";
import { DEFAULT_SIMULATED_NUMBER } from "@/lib/channels/twilio/simulator";
import { Card, PageHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CopyField } from "./copy-field-client";
import { CallSimulator, MessagingSimulator } from "./simulator-client";
import { TestSendForm } from "./test-send-client";
import { TwilioConnectForm } from "./twilio-connect-form-client";

const TITLES: Record<TwilioKind, { title: string; description: string }> = {
  sms: { title: "SMS", description: "Customers text your Twilio number and the assistant answers by text, kept short. STOP, START and HELP are honoured." },
  whatsapp: { title: "WhatsApp", description: "Text and pictures through your Twilio WhatsApp sender, within WhatsApp's 24-hour rule." },
  voice: { title: "Phone calls", description: "The assistant answers your Twilio number, talks with the caller, puts them through to you or takes a message." },
};

const WHERE_TO_PASTE: Record<TwilioKind, { incoming: string; status: string }> = {
  sms: {
    incoming: "Twilio Console → Phone Numbers → Active numbers → your number → Messaging configuration → “A message comes in”: Webhook, HTTP POST.",
    status: "Set on every message we send. If you send through a Messaging Service, paste it as the service's status callback URL too.",
  },
  whatsapp: {
    incoming: "Twilio Console → Messaging → Senders → WhatsApp senders → your sender → “Webhook URL for incoming messages”, HTTP POST. (Sandbox: “When a message comes in”.)",
    status: "The same sender's “Status callback URL”.",
  },
  voice: {
    incoming: "Twilio Console → Phone Numbers → Active numbers → your number → Voice configuration → “A call comes in”: Webhook, HTTP POST.",
    status: "The same number's “Call status changes”, HTTP POST: the call's duration and cost are recorded from it.",
  },
};

export async function TwilioChannelPage({ slug, kind }: { slug: string; kind: TwilioKind }) {
  const { user, business, ctx } = await memberContext(slug);
  const view = await twilioChannelView(user.id, business.id, kind);
  const canManage = MANAGERS.includes(ctx.actor.role);
  const settings = (view.channel?.settings ?? {}) as Record<string, unknown>;
  const templates = (settings.templates as { name: string; contentSid: string; body: string }[] | undefined) ?? [];
  const { title, description } = TITLES[kind];

  return (
    <div className="max-w-3xl space-y-6">
      <Link href={`/${slug}/channels`} className="inline-flex items-center gap-1 text-sm text-teal-700 hover:underline">
        <ArrowLeft className="h-4 w-4" aria-hidden /> Channels
      </Link>
      <PageHeader title={title} description={description} />

      <StatusCard view={view} />

      {kind === "whatsapp" && (
        <Card>
          <h2 className="font-medium">The 24-hour window</h2>
          <p className="mt-1 text-sm text-slate-600">
            WhatsApp lets a business write freely only within 24 hours of the customer&apos;s last message. The assistant always answers inside it. After
            that, only templates WhatsApp approved can be sent — add yours below. Every message staff send is checked against the conversation&apos;s
            window, and a free-form message outside it is refused with the reason.
          </p>
        </Card>
      )}

      <Card>
        <h2 className="mb-4 font-medium">{view.channel ? "Settings" : "Connect"}</h2>
        {canManage ? (
          <TwilioConnectForm
            slug={slug}
            kind={kind}
            defaultGreeting={business.greeting}
            voices={VOICES.map((v) => ({ id: v.id, label: v.label }))}
            initial={{
              name: view.channel?.name ?? "",
              address: view.channel?.address ?? "",
              enabled: view.channel?.enabled ?? true,
              hasCredentials: view.channel?.hasCredentials ?? false,
              helpText: settings.helpText as string | undefined,
              templates,
              greeting: settings.greeting as string | undefined,
              voice: settings.voice as string | undefined,
              forwardingNumber: settings.forwardingNumber as string | undefined,
              silenceTimeout: settings.silenceTimeout as number | undefined,
            }}
          />
        ) : (
          <p className="text-sm text-slate-600">Only owners and admins can connect channels or change their settings.</p>
        )}
      </Card>

      <Card className="space-y-4">
        <h2 className="font-medium">Paste these into Twilio</h2>
        <CopyField id={`${kind}-incoming-url`} label={kind === "voice" ? "A call comes in" : "A message comes in"} value={view.urls.incoming} hint={WHERE_TO_PASTE[kind].incoming} />
        <CopyField id={`${kind}-status-url`} label={kind === "voice" ? "Call status changes" : "Status callback URL"} value={view.urls.status} hint={WHERE_TO_PASTE[kind].status} />
        <p className="text-xs text-slate-500">Every request is checked against Twilio&apos;s signature with this channel&apos;s auth token; anything else is refused.</p>
      </Card>

      {view.channel && canManage && (
        <Card>
          <h2 className="mb-1 font-medium">{kind === "voice" ? "Place a test call" : "Send a test message"}</h2>
          <p className="mb-4 text-sm text-slate-600">
            {view.transport === "twilio" ? "Goes out through Twilio and costs what a real one does." : "Embedded mode: it lands in the dev outbox, nothing leaves this machine."}
          </p>
          <TestSendForm slug={slug} kind={kind} templates={templates} />
        </Card>
      )}

      {view.channel && view.embedded && (
        <Card>
          <h2 className="mb-1 font-medium">Channel simulator</h2>
          <p className="mb-4 text-sm text-slate-600">
            Play a customer. What you {kind === "voice" ? "say" : "write"} is posted to the real webhook as Twilio would post it, signed, and you see exactly what the
            route answers.
          </p>
          {kind === "voice" ? <CallSimulator slug={slug} defaultFrom={DEFAULT_SIMULATED_NUMBER} /> : <MessagingSimulator slug={slug} kind={kind} defaultFrom={DEFAULT_SIMULATED_NUMBER} />}
        </Card>
      )}

      {view.channel && (
        <RecentActivitySection userId={user.id} businessId={business.id} channelId={view.channel.id} />
      )}
    </div>
  );
}

function StatusCard({ view }: { view: TwilioChannelView }) {
  const c = view.channel;
  return (
    <Card className="grid gap-3 sm:grid-cols-3">
      <div>
        <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Status</p>
        <p className={cn("mt-1 text-sm font-medium", c?.enabled ? "text-emerald-700" : "text-slate-700")}>{!c ? "Not connected" : c.enabled ? `Answering on ${c.address}` : `Turned off (${c.address})`}</p>
      </div>
      <div>
        <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Account</p>
        <p className="mt-1 text-sm text-slate-700">{view.account.label}</p>
      </div>
      <div>
        <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Sending</p>
        <p className="mt-1 text-sm text-slate-700">{view.transport === "twilio" ? "Through Twilio's REST API" : "To the dev outbox (embedded mode)"}</p>
      </div>
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
