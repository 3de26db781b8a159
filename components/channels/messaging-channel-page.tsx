// The page of one pushed channel (email, Telegram, Instagram, WhatsApp through Meta): the one channel
// page (channel-page-parts), given the channel's data — connect it, paste the webhook values into the
// provider, send a test, and in embedded mode play a customer with the Channel simulator.
import { memberContext } from "@/lib/auth/member";
import { MANAGERS } from "@/lib/services/context";
import type { MessagingType } from "@/lib/channels/common/channels";
import { messagingChannelView, type MessagingChannelView } from "@/lib/channels/common/dashboard";
import { SIMULATED } from "@/lib/channels/simulator";
import { samplePerson } from "@/lib/channels/common/sample-people";
import { describeSample, sampleAvailable } from "@/lib/channels/common/samples";
import { ChannelPage } from "./channel-page-parts";
import { MessagingConnectForm } from "./messaging-connect-form-client";
import { MessagingSimulator } from "./messaging-simulator-client";
import { MessagingTestForm } from "./messaging-test-client";

const TEXT: Record<MessagingType, { title: string; description: string; how: string }> = {
  email: {
    title: "Email",
    description: "Customers email your support address; the assistant answers in the same thread, from your business's name, with your signature.",
    how: "Replies carry In-Reply-To and References and a reply-to address that names the conversation, so an answer to our email lands back in its conversation; an email with a new subject starts a new one. Out-of-office and other automatic mail is never answered, and an address that bounces or complains gets nothing more.",
  },
  telegram: {
    title: "Telegram",
    description: "A Telegram bot for your business: customers message it and the assistant answers there.",
    how: "Saving a bot token checks it with Telegram and registers this app's webhook with a secret that Telegram sends back on every update; anything without it is refused. /start is answered with your greeting; edited messages are not answered twice.",
  },
  instagram: {
    title: "Instagram",
    description: "Direct messages to your Instagram professional account, answered through Instagram's Send API.",
    how: "Every notification from Meta must carry X-Hub-Signature-256 made with the app secret; it is stored and acknowledged at once, and the answer follows. Copies of your own messages (echoes) are never answered.",
  },
  "whatsapp-cloud": {
    title: "WhatsApp (Cloud API)",
    description: "WhatsApp through Meta's own Cloud API, instead of Twilio: text in and out, delivery and read receipts.",
    how: "WhatsApp allows free-form messages only within 24 hours of the customer's last message; outside it nothing is sent and the reason is recorded. A customer's number is the same customer as on SMS and calls.",
  },
};

export async function MessagingChannelPage({ slug, type }: { slug: string; type: MessagingType }) {
  const { user, business, ctx } = await memberContext(slug);
  const canManage = MANAGERS.includes(ctx.actor.role);
  const view = await messagingChannelView(user.id, business.id, type, { canManage });
  const { title, description, how } = TEXT[type];
  const outbox = view.transport === "outbox";
  return (
    <ChannelPage
      slug={slug}
      title={title}
      description={description}
      userId={user.id}
      businessId={business.id}
      canManage={canManage}
      channel={view.channel}
      account={view.account}
      sending={outbox ? "To the dev outbox (simulated)" : `Through ${view.provider}`}
      trySample={sampleAvailable(type) ? { page: type, title, sample: describeSample(type, business) } : null}
      warnings={view.warnings}
      info={{ heading: "How it works", text: how }}
      connectForm={<MessagingConnectForm slug={slug} type={type} initial={initialValues(view, type)} />}
      paste={{ title: type === "telegram" ? "Webhook" : `Paste these into ${view.provider}`, fields: view.paste }}
      test={{
        title: "Send a test message",
        text: outbox ? "This channel is simulated: the message lands in the dev outbox, nothing leaves this machine." : `Goes out through ${view.provider}.`,
        form: <MessagingTestForm slug={slug} type={type} />,
      }}
      simulator={
        view.channel && view.simulated
          ? {
              intro: `Play a customer. What you write is handed to the real webhook exactly as ${view.provider} would send it, signed; the answers, and your replies from the inbox, appear here as the customer would get them.`,
              client: <MessagingSimulator slug={slug} type={type} {...simulatedCustomer(type)} startedAt={view.now} />,
            }
          : null
      }
    />
  );
}

/** Who the simulator plays at first: a different sample person each time the page opens. */
function simulatedCustomer(type: MessagingType): { defaultFrom: string; defaultName: string } {
  const person = samplePerson();
  if (type === "email") return { defaultFrom: person.email, defaultName: person.name };
  return { defaultFrom: SIMULATED[type].from, defaultName: type === "instagram" ? "" : person.name.split(" ")[0]! };
}

/** The form's starting values: settings and addresses, never a secret. */
function initialValues(view: MessagingChannelView, type: MessagingType) {
  const c = view.channel;
  const s = (c?.settings ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const values: Record<string, string> = {
    address: type === "email" ? (c?.address ?? "") : "",
    fromName: str(s.fromName),
    signature: str(s.signature),
    greeting: str(s.greeting),
    username: type === "telegram" ? (c?.address ?? "") : str(s.username),
    accountId: type === "instagram" ? (c?.address ?? "") : "",
    phoneNumberId: type === "whatsapp-cloud" ? (c?.address ?? "") : "",
    displayPhoneNumber: str(s.displayPhoneNumber),
    businessAccountId: str(s.businessAccountId),
  };
  return { name: c?.name ?? "", enabled: c?.enabled ?? true, hasToken: view.hasSecret, values };
}
