"use client";
// The Channel simulator for email, Telegram, Instagram and WhatsApp (Cloud API): you play the
// customer; each message is handed to the real webhook as the provider would send it (signed), and
// the answer — sent after the webhook answered — is read back from the dev outbox.
import { useCallback, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Send } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Field, Input, Textarea } from "@/components/ui/field";
import { messagingRepliesAction, simulateMessagingAction } from "@/app/(dashboard)/[business]/channels/messaging-actions";
import type { MessagingType } from "@/lib/channels/common/channels";
import { nameFromAddress } from "@/lib/channels/common/sample-people";
import { Transcript, useOutboxFeed, type Line } from "./simulator-client";

const FROM: Record<MessagingType, { label: string; hint: string }> = {
  email: { label: "You are writing from", hint: "Any address: each one is a different customer. Try a new subject, then “Reply” to stay in the thread." },
  telegram: { label: "Your Telegram user id", hint: "Any digits: each id is a different customer. Try /start." },
  instagram: { label: "Your Instagram-scoped id", hint: "Any digits: each id is a different customer." },
  "whatsapp-cloud": { label: "You are writing from", hint: "Any number: the same number on SMS or Twilio WhatsApp is the same customer." },
};

/** The channels whose customers carry a name the simulator can set (Instagram's notifications carry none). */
const NAMED: Partial<Record<MessagingType, string>> = {
  email: "The name in the From header. Empty: made from the address.",
  telegram: "The first name on the Telegram account.",
  "whatsapp-cloud": "The WhatsApp profile name.",
};

export function MessagingSimulator({
  slug,
  type,
  defaultFrom,
  defaultName = "",
  startedAt,
}: {
  slug: string;
  type: MessagingType;
  defaultFrom: string;
  defaultName?: string;
  startedAt: string;
}) {
  const [from, setFrom] = useState(defaultFrom);
  const [name, setName] = useState(defaultName);
  // Until the owner types a name, an email's follows the address they type.
  const [nameTyped, setNameTyped] = useState(false);
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, start] = useTransition();
  const router = useRouter();
  const add = useCallback((...l: Line[]) => setLines((ls) => [...ls, ...l]), []);
  const read = useCallback((since: string) => messagingRepliesAction(slug, type, since, from), [slug, type, from]);
  const show = useCallback(
    (rows: { body: string; subject: string | null }[]) => add(...rows.map((r) => ({ from: "business" as const, text: r.subject ? `${r.subject}\n\n${r.body}` : r.body }))),
    [add],
  );
  const feed = useOutboxFeed(startedAt, read, show, add);

  function send(reply: boolean) {
    const body = text.trim();
    if (!body) return;
    add({ from: "customer", text: type === "email" && !reply && subject ? `${subject}\n\n${body}` : body });
    setText("");
    start(async () => {
      const named = NAMED[type] ? { name: name.trim() } : {};
      const input = type === "email" ? { type, from, ...named, text: body, subject: reply ? "" : subject, reply } : { type, from, ...named, text: body };
      const r = await simulateMessagingAction(slug, input);
      if ("error" in r && !("status" in r)) return add({ from: "note", text: r.error });
      const result = r as Exclude<typeof r, { error: string }> & { status: number };
      if (result.error) return add({ from: "note", text: result.status >= 400 ? `Webhook answered ${result.status}: ${result.error}` : result.error });
      add({ from: "note", text: "Delivered to the webhook; the answer follows…" });
      feed.expectAnswer();
      router.refresh(); // the page's recent activity
    });
  }

  return (
    <div className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={FROM[type].label} htmlFor={`sim-${type}-from`} hint={FROM[type].hint}>
          <Input
            id={`sim-${type}-from`}
            value={from}
            onChange={(e) => {
              setFrom(e.target.value);
              if (type === "email" && !nameTyped) setName(nameFromAddress(e.target.value));
            }}
          />
        </Field>
        {NAMED[type] && (
          <Field label="Their name" htmlFor={`sim-${type}-name`} hint={NAMED[type]}>
            <Input
              id={`sim-${type}-name`}
              value={name}
              maxLength={80}
              onChange={(e) => {
                setName(e.target.value);
                setNameTyped(true);
              }}
            />
          </Field>
        )}
      </div>
      <Transcript lines={lines} />
      <form
        className="space-y-2"
        onSubmit={(e) => {
          e.preventDefault();
          send(false);
        }}
      >
        {type === "email" && <Input aria-label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} placeholder="Subject (a new subject starts a new conversation)" />}
        {type === "email" ? (
          <Textarea aria-label="Message" rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="Write as the customer…" maxLength={4000} />
        ) : (
          <Input aria-label="Message" value={text} onChange={(e) => setText(e.target.value)} placeholder="Write as the customer…" maxLength={4000} />
        )}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending}>
            <Send className="h-4 w-4" aria-hidden /> {pending ? "Sending…" : type === "email" ? "Send a new email" : "Send"}
          </Button>
          {type === "email" && (
            <Button type="button" variant="secondary" disabled={pending} onClick={() => send(true)}>
              Reply in the latest thread
            </Button>
          )}
        </div>
      </form>
    </div>
  );
}
