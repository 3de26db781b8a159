"use client";
// A member's own phone for hand-offs: set a number, type back the code sent to it, choose the ladder
// and quiet hours, or remove it.
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import type { MemberPhoneSettings, PhoneKind } from "@/lib/relay/phone";
import { removeMemberPhoneAction, requestMemberPhoneCodeAction, saveMemberLadderAction, verifyMemberPhoneAction } from "./actions";

const KIND_NAME: Record<PhoneKind, string> = { sms: "SMS", whatsapp: "WhatsApp" };
const num = (v: number | null) => (v === null ? "" : String(v));

export function MemberPhoneForm({ slug, settings }: { slug: string; settings: MemberPhoneSettings }) {
  const { kinds, phone } = settings;
  const [kind, setKind] = useState<PhoneKind>(phone?.kind && kinds.includes(phone.kind) ? phone.kind : kinds[0]!);
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
            {phone.verified ? "verified — hand-offs reach this phone, and you can answer from it" : "not verified yet, nothing reaches it until the code is typed back"}
          </span>
          <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setState(await removeMemberPhoneAction(slug)))}>
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
              const r = await verifyMemberPhoneAction(slug, { code });
              setState(r);
              if (r?.ok) setCode("");
            });
          }}
        >
          <Field label={`Code sent to ${phone.masked}`} htmlFor="memberCode" error={err("code")} hint="6 digits; it expires 10 minutes after it was sent.">
            <Input id="memberCode" inputMode="numeric" autoComplete="one-time-code" maxLength={6} className="sm:w-40" value={code} onChange={(e) => setCode(e.target.value)} />
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
          start(async () => setState(await requestMemberPhoneCodeAction(slug, { kind, phone: number })));
        }}
      >
        <div className="grid gap-3 sm:grid-cols-[10rem_1fr]">
          <Field
            label="Reach me by"
            htmlFor="memberKind"
            error={err("kind")}
            hint={kind === "whatsapp" ? "WhatsApp delivers it only within 24 hours of your last message to the business's WhatsApp number." : undefined}
          >
            <NativeSelect id="memberKind" value={kind} onChange={(e) => setKind(e.target.value as PhoneKind)}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_NAME[k]}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label={phone ? "New number" : "Your phone number"} htmlFor="memberPhone" error={err("phone")} hint="With + and the country code, e.g. +14155550100. A 6-digit code is sent to it first.">
            <Input id="memberPhone" type="tel" inputMode="tel" autoComplete="tel" value={number} onChange={(e) => setNumber(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" variant={awaitingCode ? "secondary" : "primary"} disabled={pending}>
          {pending ? "Sending…" : "Send code"}
        </Button>
      </form>
      {!phone && <FormMessage state={state} />}
      {phone && <LadderForm slug={slug} settings={settings} pending={pending} start={start} state={state} setState={setState} />}
    </div>
  );
}

function LadderForm({
  slug,
  settings,
  pending,
  start,
  state,
  setState,
}: {
  slug: string;
  settings: MemberPhoneSettings;
  pending: boolean;
  start: (fn: () => Promise<void>) => void;
  state: FormState;
  setState: (s: FormState) => void;
}) {
  const phone = settings.phone!;
  const [textAfter, setTextAfter] = useState(num(phone.textAfterMinutes));
  const [callAfter, setCallAfter] = useState(num(phone.callAfterMinutes));
  const [quietStart, setQuietStart] = useState(phone.quietStart);
  const [quietEnd, setQuietEnd] = useState(phone.quietEnd);
  const err = (field: string) => state?.fieldErrors?.[field];
  return (
    <form
      className="space-y-3 border-t border-slate-100 pt-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setState(await saveMemberLadderAction(slug, { textAfterMinutes: textAfter, callAfterMinutes: callAfter, quietStart, quietEnd })));
      }}
    >
      <h3 className="text-sm font-medium">When a conversation is handed to a person</h3>
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-600">
        <li>The dashboard shows it at once (and the hand-off email goes out).</li>
        <li>If nobody has answered, a text to your phone after the minutes below.</li>
        <li>{settings.canCall ? "Then a call from the business's voice number, if you want one." : "A call needs a voice channel, which this business has not connected."}</li>
      </ol>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Text me after (minutes)" htmlFor="textAfter" error={err("textAfterMinutes")} hint="Empty: never text me.">
          <Input id="textAfter" inputMode="numeric" value={textAfter} onChange={(e) => setTextAfter(e.target.value)} />
        </Field>
        <Field label="Call me after (minutes)" htmlFor="callAfter" error={err("callAfterMinutes")} hint="Empty: never call me.">
          <Input id="callAfter" inputMode="numeric" value={callAfter} disabled={!settings.canCall && !callAfter} onChange={(e) => setCallAfter(e.target.value)} />
        </Field>
        <Field label="Quiet from" htmlFor="quietStart" error={err("quietStart")} hint={`HH:MM, ${settings.timeZone}. Nothing reaches your phone in quiet hours.`}>
          <Input id="quietStart" type="time" value={quietStart} onChange={(e) => setQuietStart(e.target.value)} />
        </Field>
        <Field label="Quiet until" htmlFor="quietEnd" error={err("quietEnd")}>
          <Input id="quietEnd" type="time" value={quietEnd} onChange={(e) => setQuietEnd(e.target.value)} />
        </Field>
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
