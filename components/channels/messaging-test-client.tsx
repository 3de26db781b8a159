"use client";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, Textarea } from "@/components/ui/field";
import { testMessagingAction } from "@/app/(dashboard)/[business]/channels/messaging-actions";
import type { MessagingType } from "@/lib/channels/common/channels";

const TO: Record<MessagingType, { label: string; hint: string; placeholder: string }> = {
  email: { label: "Send to", hint: "Your own email address.", placeholder: "you@example.com" },
  telegram: { label: "Chat id", hint: "Write to the bot first; your chat id is on your conversation in the inbox.", placeholder: "700100200" },
  instagram: { label: "Instagram-scoped id", hint: "Of an account that has messaged yours (it is on the conversation in the inbox).", placeholder: "17841400000000001" },
  "whatsapp-cloud": { label: "Send to", hint: "Your own WhatsApp number, in international format. WhatsApp delivers free text only within 24 hours of your last message to the business.", placeholder: "+447700900123" },
};

export function MessagingTestForm({ slug, type }: { slug: string; type: MessagingType }) {
  const [state, action, pending] = useActionState(testMessagingAction.bind(null, slug, type), null);
  const [to, setTo] = useState("");
  const [text, setText] = useState("");
  const id = (n: string) => `test-${type}-${n}`;
  return (
    <form action={action} className="space-y-3">
      <Field label={TO[type].label} htmlFor={id("to")} hint={TO[type].hint} error={state?.fieldErrors?.to}>
        <Input id={id("to")} name="to" value={to} onChange={(e) => setTo(e.target.value)} required placeholder={TO[type].placeholder} />
      </Field>
      <Field label="Message" htmlFor={id("text")} error={state?.fieldErrors?.text} hint="Empty: a short standard test message.">
        <Textarea id={id("text")} name="text" rows={2} maxLength={1000} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Sending…" : "Send a test message"}
      </Button>
    </form>
  );
}
