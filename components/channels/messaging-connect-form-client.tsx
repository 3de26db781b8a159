"use client";
// Connect (or change) an email, Telegram, Instagram or WhatsApp (Cloud API) channel. Secrets are
// write-only: a stored token shows as "Stored" and is kept unless a new one is typed.
import { useActionState, useState } from "react";
import { Field, Input, Textarea } from "@/components/ui/field";
import { connectMessagingAction } from "@/app/(dashboard)/[business]/channels/messaging-actions";
import type { MessagingType } from "@/lib/channels/common/channels";
import { ChannelFormFooter } from "./channel-form-footer";

export type ConnectInitial = {
  name: string;
  enabled: boolean;
  hasToken: boolean;
  /** per type: address, fromName, signature, greeting, username, accountId, phoneNumberId, displayPhoneNumber, businessAccountId */
  values: Record<string, string>;
};

type FieldSpec = { key: string; label: string; hint: string; placeholder?: string; multiline?: boolean; secret?: boolean; required?: boolean; inputMode?: "email" | "tel" | "numeric" };

const FIELDS: Record<MessagingType, FieldSpec[]> = {
  email: [
    { key: "address", label: "Support address", hint: "The address customers write to, on the domain you receive with Resend.", placeholder: "support@yourdomain.com", required: true, inputMode: "email" },
    { key: "fromName", label: "From name", hint: "Shown as the sender of our replies. Your business's name when empty." },
    { key: "signature", label: "Signature", hint: "Under every email, after a “-- ” line. Your business's name when empty.", multiline: true },
  ],
  telegram: [
    { key: "botToken", label: "Bot token", hint: "From @BotFather (/newbot or /token). Encrypted before it is stored, never shown again.", placeholder: "123456789:AA…", secret: true },
    { key: "username", label: "Bot username (simulated bot only)", hint: "Without a token, a simulated bot with this name is connected: the Channel simulator plays Telegram.", placeholder: "yourbusiness_bot" },
    { key: "greeting", label: "Answer to /start", hint: "Sent when someone opens the chat. Your business's greeting when empty.", multiline: true },
  ],
  instagram: [
    { key: "accountId", label: "Instagram professional account id", hint: "The id Meta shows for the account (digits) — the id in its webhooks.", required: true, inputMode: "numeric" },
    { key: "username", label: "Username", hint: "For display, e.g. @yourbusiness." },
    { key: "accessToken", label: "Access token", hint: "A long-lived token with instagram_business_manage_messages. Without one, replies stay in the dev outbox.", secret: true },
    { key: "appSecret", label: "App secret (your own Meta app only)", hint: "Leave empty to use PrismAI's Meta app.", secret: true },
  ],
  "whatsapp-cloud": [
    { key: "displayPhoneNumber", label: "WhatsApp number", hint: "The business number, in international format.", placeholder: "+15550783881", required: true, inputMode: "tel" },
    { key: "phoneNumberId", label: "Phone number id", hint: "WhatsApp Manager → API setup: the id of this number (digits).", required: true, inputMode: "numeric" },
    { key: "businessAccountId", label: "WhatsApp Business Account id", hint: "Optional, for reference.", inputMode: "numeric" },
    { key: "accessToken", label: "Access token", hint: "A system-user token with whatsapp_business_messaging. Without one, replies stay in the dev outbox.", secret: true },
    { key: "appSecret", label: "App secret (your own Meta app only)", hint: "Leave empty to use PrismAI's Meta app.", secret: true },
  ],
};

export function MessagingConnectForm({ slug, type, initial }: { slug: string; type: MessagingType; initial: ConnectInitial }) {
  const [state, action, pending] = useActionState(connectMessagingAction.bind(null, slug, type), null);
  const fields = FIELDS[type];
  // Controlled, so a refused save keeps what was typed.
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(fields.map((f) => [f.key, f.secret ? "" : (initial.values[f.key] ?? "")])));
  const [name, setName] = useState(initial.name);
  const [enabled, setEnabled] = useState(initial.enabled);
  const id = (key: string) => `${type}-${key}`;
  const hasSecretField = fields.some((f) => f.secret);

  return (
    <form action={action} className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        {fields.map((f) => (
          <div key={f.key} className={f.multiline ? "sm:col-span-2" : undefined}>
            <Field label={f.label} htmlFor={id(f.key)} hint={f.hint} error={state?.fieldErrors?.[f.key]}>
              {f.multiline ? (
                <Textarea id={id(f.key)} name={f.key} rows={2} maxLength={600} value={values[f.key]} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))} />
              ) : (
                <Input
                  id={id(f.key)}
                  name={f.key}
                  type={f.secret ? "password" : "text"}
                  autoComplete={f.secret ? "new-password" : "off"}
                  spellCheck={false}
                  required={f.required}
                  inputMode={f.inputMode}
                  placeholder={f.secret && initial.hasToken ? "Stored — type to replace" : f.placeholder}
                  value={values[f.key]}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
                />
              )}
            </Field>
          </div>
        ))}
        <Field label="Name" htmlFor={id("name")} hint="How staff see this channel in the inbox." error={state?.fieldErrors?.name}>
          <Input id={id("name")} name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
        </Field>
      </div>
      {hasSecretField && initial.hasToken && type !== "telegram" && (
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" name="clearToken" className="h-4 w-4 rounded border-slate-300" /> Forget the stored token and app secret
        </label>
      )}
      <ChannelFormFooter enabled={enabled} onEnabledChange={setEnabled} state={state} pending={pending} />
    </form>
  );
}
