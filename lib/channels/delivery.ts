import "server-only";
// The channels' delivery port. A webhook delivers its own answer (TwiML, or a REST send after the
// response); this is for answers and replies made elsewhere: the sweeper answering a message a crash
// left behind, and staff replies from the inbox that wait in the outbox. Web chat needs no push (the
// chat page reads new messages itself), and a call's answer can only be spoken during the call.
import { drainTwilioOutbox, type DrainResult } from "./twilio/outbox-sender";
import { deliverStoredMessage } from "./twilio/outbound";
import { deliverMessagingAnswer, drainMessagingOutbox } from "./common/outbound";
import { drainSystemMail } from "./email/system-mail";

type Deliver = (businessId: string, messageId: string) => Promise<unknown>;
type Drain = (opts: { businessId?: string }) => Promise<DrainResult>;

const job = (businessId: string, name: string) => ({ businessId, actor: { type: "job" as const, name } });

const twilioAnswer: Deliver = (businessId, messageId) => deliverStoredMessage({ ctx: job(businessId, "delivery"), input: { messageId } });

// Email, Telegram, Instagram, and WhatsApp through Meta's Cloud API (false: a Twilio WhatsApp sender).
const messagingAnswer: Deliver = deliverMessagingAnswer;
const whatsappAnswer: Deliver = async (businessId, messageId) => (await deliverMessagingAnswer(businessId, messageId)) || twilioAnswer(businessId, messageId);

const ANSWER_DELIVERY: Record<string, Deliver | undefined> = {
  sms: twilioAnswer,
  whatsapp: whatsappAnswer,
  email: messagingAnswer,
  telegram: messagingAnswer,
  instagram: messagingAnswer,
};

const OUTBOX_DRAINS: Record<string, Drain> = {
  twilio: drainTwilioOutbox,
  messaging: drainMessagingOutbox,
  // The platform's own email (resets, invitations, hand-off notices, budget alerts) through Resend.
  email: drainSystemMail,
};

/** Sends an answer stored for a conversation on `kind`; false when that channel needs no push. */
export async function deliverAnswer(kind: string, businessId: string, messageId: string): Promise<boolean> {
  const deliver = ANSWER_DELIVERY[kind];
  if (!deliver) return false;
  await deliver(businessId, messageId);
  return true;
}

/** Sends what waits in the outbox on every channel (each sender claims its own rows). */
export async function drainOutbox(opts: { businessId?: string } = {}): Promise<Record<string, DrainResult>> {
  const entries = await Promise.all(
    Object.entries(OUTBOX_DRAINS).map(async ([name, drain]) => {
      try {
        return [name, await drain(opts)] as const;
      } catch (err) {
        console.error(`[prismai] ${name} outbox drain failed`, err instanceof Error ? err.message : String(err));
        return [name, { sent: 0, failed: 0, retrying: 0 }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}
