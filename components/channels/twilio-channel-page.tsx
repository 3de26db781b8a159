// The page of one Twilio channel (SMS, WhatsApp, voice): the one channel page (channel-page-parts),
// given Twilio's data — connect it, paste the URLs into Twilio, send a test, and in embedded mode
// play a customer with the Channel simulator.
import { memberContext } from "@/lib/auth/member";
import { MANAGERS } from "@/lib/services/context";
import { VOICES, type TwilioKind } from "@/lib/channels/twilio/channels";
import { twilioChannelView } from "@/lib/channels/twilio/dashboard";
import { DEFAULT_SIMULATED_NUMBER } from "@/lib/channels/simulator";
import { describeSample, sampleAvailable } from "@/lib/channels/common/samples";
import { ChannelPage } from "./channel-page-parts";
import { CallSimulator, MessagingSimulator } from "./simulator-client";
import { TestSendForm } from "./test-send-client";
import { TwilioConnectForm } from "./twilio-connect-form-client";

const TITLES: Record<TwilioKind, { title: string; description: string }> = {
  sms: { title: "SMS", description: "Customers text your Twilio number and the assistant answers by text, kept short. STOP, START and HELP are honoured." },
  whatsapp: { title: "WhatsApp", description: "Text and pictures through your Twilio WhatsApp sender, within WhatsApp's 24-hour rule." },
  voice: { title: "Phone calls", description: "The assistant answers your Twilio number, talks with the caller, puts them through to you or takes a message." },
};

const WHATSAPP_WINDOW = {
  heading: "The 24-hour window",
  text: "WhatsApp lets a business write freely only within 24 hours of the customer's last message. The assistant always answers inside it. After that, only templates WhatsApp approved can be sent — add yours below. Every message staff send is checked against the conversation's window, and a free-form message outside it is refused with the reason.",
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
  const voice = kind === "voice";
  return (
    <ChannelPage
      slug={slug}
      title={title}
      description={description}
      userId={user.id}
      businessId={business.id}
      canManage={canManage}
      channel={view.channel}
      account={view.account.label}
      sending={view.transport === "twilio" ? "Through Twilio's REST API" : "To the dev outbox (embedded mode)"}
      trySample={sampleAvailable(kind) ? { page: kind, title: voice ? "phone calls" : title, sample: describeSample(kind, business) } : null}
      warnings={[]}
      info={kind === "whatsapp" ? WHATSAPP_WINDOW : null}
      connectForm={
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
      }
      paste={{
        title: "Paste these into Twilio",
        fields: [
          { id: `${kind}-incoming-url`, label: voice ? "A call comes in" : "A message comes in", value: view.urls.incoming, hint: WHERE_TO_PASTE[kind].incoming },
          { id: `${kind}-status-url`, label: voice ? "Call status changes" : "Status callback URL", value: view.urls.status, hint: WHERE_TO_PASTE[kind].status },
        ],
        note: "Every request is checked against Twilio's signature with this channel's auth token; anything else is refused.",
      }}
      test={{
        title: voice ? "Place a test call" : "Send a test message",
        text: view.transport === "twilio" ? "Goes out through Twilio and costs what a real one does." : "Embedded mode: it lands in the dev outbox, nothing leaves this machine.",
        form: <TestSendForm slug={slug} kind={kind} templates={templates} />,
      }}
      simulator={
        view.channel && view.embedded
          ? {
              intro: `Play a customer. What you ${voice ? "say" : "write"} is posted to the real webhook as Twilio would post it, signed, and you see exactly what the route answers${voice ? "" : ", then anything the business sends later, such as your replies from the inbox"}.`,
              client: voice ? (
                <CallSimulator slug={slug} defaultFrom={DEFAULT_SIMULATED_NUMBER} />
              ) : (
                <MessagingSimulator slug={slug} kind={kind} defaultFrom={DEFAULT_SIMULATED_NUMBER} startedAt={view.now} />
              ),
            }
          : null
      }
    />
  );
}
