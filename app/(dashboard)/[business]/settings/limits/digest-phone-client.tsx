"use client";
// The digest texted to the owners' phone: set a number, type back the code sent to it, or remove it.
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect } from "@/components/ui/field";
import { removeDigestPhoneAction, requestDigestPhoneCodeAction, verifyDigestPhoneAction, type FormState } from "../actions";

type Kind = "sms" | "whatsapp";
type Phone = { kind: Kind; masked: string; verified: boolean; codeExpiresAt: string | null } | null;
const KIND_NAME: Record<Kind, string> = { sms: "SMS", whatsapp: "WhatsApp" };

export function DigestPhoneForm({ slug, kinds, phone }: { slug: string; kinds: Kind[]; phone: Phone }) {
  const [kind, setKind] = useState<Kind>(phone?.kind && kinds.includes(phone.kind) ? phone.kind : kinds[0]!);
  const [number, setNumber] = useState("");
  const [code, setCode] = useState("");
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const err = (field: string) => state?.fieldErrors?.[field];
  const awaitingCode = phone && !phone.verified && phone.codeExpiresAt;

  return (
    <div className="space-y-4">
      {phone && (
        <div className="flex flex-wrap items-center justify-between gap-2 rounded-md border border-slate-200 px-3 py-2 text-sm">
          <span className="min-w-0 break-words">
            {KIND_NAME[phone.kind]} to <span className="font-medium tabular-nums">{phone.masked}</span>:{" "}
            {phone.verified ? "verified, the digest is texted here too" : "not verified yet, nothing is texted until the code is typed back"}
          </span>
          <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setState(await removeDigestPhoneAction(slug)))}>
            Remove
          </Button>
        </div>
      )}

      {awaitingCode && (
        <form
          className="space-y-3"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            start(async () => {
              const r = await verifyDigestPhoneAction(slug, { code });
              setState(r);
              if (r?.ok) setCode("");
            });
          }}
        >
          <Field label={`Code sent to ${phone.masked}`} htmlFor="digestCode" error={err("code")} hint="6 digits; it expires 10 minutes after it was sent.">
            <Input id="digestCode" inputMode="numeric" autoComplete="one-time-code" maxLength={6} className="sm:w-40" value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          <Button type="submit" disabled={pending}>
            {pending ? "Checking…" : "Verify"}
          </Button>
        </form>
      )}

      <form
        className="space-y-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          start(async () => setState(await requestDigestPhoneCodeAction(slug, { kind, phone: number })));
        }}
      >
        <div className="grid gap-3 sm:grid-cols-[10rem_1fr]">
          <Field
            label="Send by"
            htmlFor="digestKind"
            error={err("kind")}
            hint={kind === "whatsapp" ? "WhatsApp delivers it only within 24 hours of your last message to the business's WhatsApp number." : undefined}
          >
            <NativeSelect id="digestKind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_NAME[k]}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field
            label={phone ? "New number" : "Phone number"}
            htmlFor="digestPhone"
            error={err("phone")}
            hint="With + and the country code, e.g. +14155550100. A 6-digit code is sent to it first."
          >
            <Input id="digestPhone" type="tel" inputMode="tel" autoComplete="tel" value={number} onChange={(e) => setNumber(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" variant={awaitingCode ? "secondary" : "primary"} disabled={pending}>
          {pending ? "Sending…" : "Send code"}
        </Button>
      </form>
      <FormMessage state={state} />
    </div>
  );
}
