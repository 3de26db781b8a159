// The page of one Twilio channel (SMS, WhatsApp, voice): connect it, paste the URLs into Twilio,
// send a test, and in embedded mode play a customer with the Channel simulator.
import { memberContext } from "@/lib/auth/member";
import { MANAGERS } from "@/lib/services/context";
import { VOICES, type TwilioKind } from "@/lib/channels/twilio/channels";
import { twilioChannelView } from "@/lib/channels/twilio/dashboard";
import { DEFAULT_SIMULATED_NUMBER } from "@/lib/channels/simulator";
import { Card } from "@/components/ui/card";
import { describeSample, sampleAvailable } from "@/lib/channels/common/samples";
import { ChannelPageHeader, ChannelStatusCard, RecentActivitySection, SampleNotice, TrySampleCard } from "./channel-page-parts";
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
  const simulator = view.channel && view.embedded && (
    <Card>
      <h2 className="mb-1 font-medium">Channel simulator</h2>
      <p className="mb-4 text-sm text-slate-600">
        Play a customer. What you {kind === "voice" ? "say" : "write"} is posted to the real webhook as Twilio would post it, signed, and you see exactly what the route
        answers{kind === "voice" ? "" : ", then anything the business sends later, such as your replies from the inbox"}.
      </p>
      {kind === "voice" ? (
        <CallSimulator slug={slug} defaultFrom={DEFAULT_SIMULATED_NUMBER} />
      ) : (
        <MessagingSimulator slug={slug} kind={kind} defaultFrom={DEFAULT_SIMULATED_NUMBER} startedAt={view.now} />
      )}
    </Card>
  );
  // A sample channel is there to be tried: its simulator comes first.
  const sampleFirst = Boolean(view.channel?.sample);

  return (
    <div className="max-w-3xl space-y-6">
      <ChannelPageHeader slug={slug} title={title} description={description} />

      <ChannelStatusCard
        channel={view.channel}
        account={view.account.label}
        sending={view.transport === "twilio" ? "Through Twilio's REST API" : "To the dev outbox (embedded mode)"}
      />
      {view.channel?.sample && <SampleNotice address={view.channel.address} />}
      {!view.channel && sampleAvailable(kind) && (
        <TrySampleCard slug={slug} page={kind} title={kind === "voice" ? "phone calls" : title} sample={describeSample(kind, business)} canManage={canManage} />
      )}
      {sampleFirst && simulator}

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

      {!sampleFirst && simulator}

      {view.channel && (
        <RecentActivitySection userId={user.id} businessId={business.id} channelId={view.channel.id} />
      )}
    </div>
  );
}
