"use client";
import { useActionState, useState } from "react";
import { Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Field, FieldError, Input, NativeSelect, Textarea } from "@/components/ui/field";
import { connectChannelAction } from "@/app/(dashboard)/[business]/channels/actions";
import { ChannelFormFooter } from "./channel-form-footer";

type Kind = "sms" | "whatsapp" | "voice";
type Template = { name: string; contentSid: string; body: string };
type Initial = {
  name: string;
  address: string;
  enabled: boolean;
  hasCredentials: boolean;
  helpText?: string;
  templates?: Template[];
  greeting?: string;
  voice?: string;
  forwardingNumber?: string;
  silenceTimeout?: number;
};

const ADDRESS_LABEL: Record<Kind, { label: string; hint: string }> = {
  sms: { label: "Your Twilio number", hint: "The number customers text, in international format, e.g. +14155550100." },
  whatsapp: { label: "Your WhatsApp sender number", hint: "The number of your Twilio WhatsApp sender (or the sandbox's, +14155238886), in international format." },
  voice: { label: "Your Twilio number", hint: "The number customers call, in international format." },
};

export function TwilioConnectForm({
  slug,
  kind,
  initial,
  defaultGreeting,
  voices,
}: {
  slug: string;
  kind: Kind;
  initial: Initial;
  defaultGreeting?: string;
  voices?: { id: string; label: string }[];
}) {
  const [state, action, pending] = useActionState(connectChannelAction.bind(null, slug, kind), null);
  // Controlled, so a refused save keeps what was typed.
  const [values, setValues] = useState({
    name: initial.name,
    address: initial.address,
    accountSid: "",
    authToken: "",
    helpText: initial.helpText ?? "",
    greeting: initial.greeting ?? "",
    voice: initial.voice ?? voices?.[0]?.id ?? "",
    forwardingNumber: initial.forwardingNumber ?? "",
    silenceTimeout: String(initial.silenceTimeout ?? 5),
  });
  const [enabled, setEnabled] = useState(initial.enabled);
  const [templates, setTemplates] = useState<Template[]>(initial.templates ?? []);
  const set = (k: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));
  const id = (name: string) => `${kind}-${name}`;

  return (
    <form action={action} className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={ADDRESS_LABEL[kind].label} htmlFor={id("address")} error={state?.fieldErrors?.address} hint={ADDRESS_LABEL[kind].hint}>
          <Input id={id("address")} name="address" value={values.address} onChange={set("address")} required placeholder="+14155550100" inputMode="tel" />
        </Field>
        <Field label="Name" htmlFor={id("name")} error={state?.fieldErrors?.name} hint="How staff see this channel in the inbox.">
          <Input id={id("name")} name="name" value={values.name} onChange={set("name")} maxLength={80} />
        </Field>
      </div>

      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-700">Twilio account</legend>
        <p className="text-xs text-slate-500">
          From the Twilio Console (Account info). The auth token is encrypted before it is stored and is never shown again.
          {initial.hasCredentials ? " Leave both empty to keep the stored account." : ""}
        </p>
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Account SID" htmlFor={id("accountSid")} error={state?.fieldErrors?.accountSid}>
            <Input id={id("accountSid")} name="accountSid" value={values.accountSid} onChange={set("accountSid")} placeholder={initial.hasCredentials ? "Stored" : "AC…"} autoComplete="off" spellCheck={false} />
          </Field>
          <Field label="Auth token" htmlFor={id("authToken")} error={state?.fieldErrors?.authToken}>
            <Input id={id("authToken")} name="authToken" type="password" value={values.authToken} onChange={set("authToken")} placeholder={initial.hasCredentials ? "••••••••" : ""} autoComplete="new-password" />
          </Field>
        </div>
        {initial.hasCredentials && (
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" name="clearCredentials" className="h-4 w-4 rounded border-slate-300" /> Forget the stored account
          </label>
        )}
      </fieldset>

      {kind === "sms" && (
        <Field label="Reply to HELP" htmlFor={id("helpText")} error={state?.fieldErrors?.helpText} hint="Sent when a customer texts HELP, between your business name and the STOP instructions.">
          <Textarea id={id("helpText")} name="helpText" value={values.helpText} onChange={set("helpText")} maxLength={300} rows={2} placeholder="Text us your question and we'll answer here." />
        </Field>
      )}

      {kind === "voice" && (
        <>
          <Field label="Greeting" htmlFor={id("greeting")} error={state?.fieldErrors?.greeting} hint="Spoken when the call is answered. Empty: your business greeting.">
            <Textarea id={id("greeting")} name="greeting" value={values.greeting} onChange={set("greeting")} maxLength={500} rows={2} placeholder={defaultGreeting} />
          </Field>
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Voice and language" htmlFor={id("voice")} error={state?.fieldErrors?.voice} hint="The assistant speaks and listens in this language.">
              <NativeSelect id={id("voice")} name="voice" value={values.voice} onChange={set("voice")}>
                {voices?.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.label}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field label="Seconds of silence before asking again" htmlFor={id("silenceTimeout")} error={state?.fieldErrors?.silenceTimeout}>
              <Input id={id("silenceTimeout")} name="silenceTimeout" type="number" min={2} max={15} value={values.silenceTimeout} onChange={set("silenceTimeout")} />
            </Field>
          </div>
          <Field
            label="Forwarding number"
            htmlFor={id("forwardingNumber")} error={state?.fieldErrors?.forwardingNumber}
            hint="When a caller asks for a person (or the assistant hands over) during opening hours, the call is put through here. Empty or closed: the caller leaves a message."
          >
            <Input id={id("forwardingNumber")} name="forwardingNumber" value={values.forwardingNumber} onChange={set("forwardingNumber")} placeholder="+442071234567" inputMode="tel" />
          </Field>
        </>
      )}

      {kind === "whatsapp" && (
        <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">Approved templates</legend>
          <p className="text-xs text-slate-500">
            Outside the 24-hour window WhatsApp only delivers templates it approved. Create them in Twilio&apos;s Content Template Builder, then add each one&apos;s content SID (HX…) here.
          </p>
          {templates.length === 0 && <p className="text-sm text-slate-600">No templates yet.</p>}
          {templates.map((t, i) => (
            <div key={i} className="grid gap-2 rounded bg-slate-50 p-2 sm:grid-cols-[10rem_1fr_auto]">
              <Input aria-label={`Template ${i + 1} name`} name="templateName" value={t.name} placeholder="appointment_reminder" onChange={(e) => setTemplates((ts) => ts.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
              <Input aria-label={`Template ${i + 1} content SID`} name="templateSid" value={t.contentSid} placeholder="HX…" spellCheck={false} onChange={(e) => setTemplates((ts) => ts.map((x, j) => (j === i ? { ...x, contentSid: e.target.value } : x)))} />
              <Button type="button" variant="ghost" aria-label={`Remove template ${i + 1}`} onClick={() => setTemplates((ts) => ts.filter((_, j) => j !== i))}>
                <Trash2 className="h-4 w-4" aria-hidden />
              </Button>
              <Textarea aria-label={`Template ${i + 1} text`} name="templateBody" className="sm:col-span-3" rows={2} value={t.body} placeholder="Hi {{1}}, your appointment is on {{2}}." onChange={(e) => setTemplates((ts) => ts.map((x, j) => (j === i ? { ...x, body: e.target.value } : x)))} />
            </div>
          ))}
          <FieldError id={id("templates-error")} error={state?.fieldErrors?.templates} />
          <Button type="button" variant="secondary" onClick={() => setTemplates((ts) => [...ts, { name: "", contentSid: "", body: "" }])} disabled={templates.length >= 20}>
            <Plus className="h-4 w-4" aria-hidden /> Add a template
          </Button>
        </fieldset>
      )}

      <ChannelFormFooter enabled={enabled} onEnabledChange={setEnabled} state={state} pending={pending} />
    </form>
  );
}
