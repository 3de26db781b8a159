"use client";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect, Textarea } from "@/components/ui/field";
import { sendTestAction } from "@/app/(dashboard)/[business]/channels/actions";

export function TestSendForm({ slug, kind, templates = [] }: { slug: string; kind: "sms" | "whatsapp" | "voice"; templates?: { name: string; contentSid: string }[] }) {
  const [state, action, pending] = useActionState(sendTestAction.bind(null, slug, kind), null);
  const [to, setTo] = useState("");
  const [body, setBody] = useState("");
  const [contentSid, setContentSid] = useState("");
  const id = (n: string) => `test-${kind}-${n}`;
  return (
    <form action={action} className="space-y-3">
      <Field label={kind === "voice" ? "Number to call" : "Send to"} htmlFor={id("to")} error={state?.fieldErrors?.to} hint="Your own phone, in international format.">
        <Input id={id("to")} name="to" value={to} onChange={(e) => setTo(e.target.value)} required placeholder="+447700900123" inputMode="tel" />
      </Field>
      {kind !== "voice" && (
        <Field label="Message" htmlFor={id("body")} error={state?.fieldErrors?.body} hint="Empty: a short standard test message.">
          <Textarea id={id("body")} name="body" rows={2} maxLength={1600} value={body} onChange={(e) => setBody(e.target.value)} />
        </Field>
      )}
      {kind === "whatsapp" && templates.length > 0 && (
        <Field label="Or send an approved template" htmlFor={id("template")} error={state?.fieldErrors?.template} hint="Needed when your phone has not written to this sender in the last 24 hours.">
          <NativeSelect id={id("template")} name="contentSid" value={contentSid} onChange={(e) => setContentSid(e.target.value)}>
            <option value="">No template: the message above</option>
            {templates.map((t) => (
              <option key={t.contentSid} value={t.contentSid}>
                {t.name}
              </option>
            ))}
          </NativeSelect>
        </Field>
      )}
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Sending…" : kind === "voice" ? "Place a test call" : "Send a test message"}
      </Button>
    </form>
  );
}
