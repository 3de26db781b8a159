"use client";
import { useState, useTransition } from "react";
import type { AiSettings } from "@/lib/ai/prompts";
import { Field, FieldError, Input, NativeSelect, Textarea, SaveFooter, invalidIf } from "@/components/ui/field";
import { updateAiSettingsAction, type FormState } from "../actions";

const DAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
] as const;

const lines = (s: string) =>
  s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

export function AiSettingsForm({ slug, initial, businessTimeZone }: { slug: string; initial: AiSettings; businessTimeZone: string }) {
  const [s, setS] = useState(initial);
  const [topics, setTopics] = useState(initial.prohibitedTopics.join("\n"));
  const [rules, setRules] = useState(initial.escalationRules.join("\n"));
  const [languages, setLanguages] = useState(initial.languages.join(", "));
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const set = <K extends keyof AiSettings>(key: K, value: AiSettings[K]) => setS((prev) => ({ ...prev, [key]: value }));
  const err = (field: string) => state?.fieldErrors?.[field];
  const setDay = (day: (typeof DAYS)[number][0], value: { open: string; close: string }[]) =>
    setS((prev) => ({ ...prev, hours: { ...prev.hours, weekly: { ...prev.hours.weekly, [day]: value } } }));

  const save = () =>
    start(async () => {
      const codes = languages
        .split(/[\s,]+/)
        .map((c) => c.trim())
        .filter(Boolean);
      const payload = { ...s, prohibitedTopics: lines(topics), escalationRules: lines(rules), languages: codes };
      setState(await updateAiSettingsAction(slug, JSON.stringify(payload)));
    });

  return (
    <form
      className="space-y-5"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Field label="Persona" htmlFor="persona" error={err("persona")} hint="Who the agent is, in a phrase.">
        <Input id="persona" value={s.persona} maxLength={500} onChange={(e) => set("persona", e.target.value)} />
      </Field>
      <Field label="Tone" htmlFor="tone" error={err("tone")}>
        <Input id="tone" value={s.tone} maxLength={200} onChange={(e) => set("tone", e.target.value)} />
      </Field>
      <Field label="Instructions" htmlFor="instructions" error={err("instructions")} hint="Anything the agent must always or never do.">
        <Textarea id="instructions" rows={4} value={s.instructions} maxLength={4000} onChange={(e) => set("instructions", e.target.value)} />
      </Field>

      <fieldset className="space-y-2 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium">Business hours</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={s.hours.enabled} onChange={(e) => set("hours", { ...s.hours, enabled: e.target.checked })} />
          Use opening hours (time zone {s.hours.timeZone ?? businessTimeZone})
        </label>
        {s.hours.enabled &&
          DAYS.map(([day, label]) => {
            const interval = s.hours.weekly[day][0];
            const dayError = err(`hours.weekly.${day}`);
            return (
              <div key={day} className="flex flex-wrap items-center gap-2 text-sm">
                <span className="w-24">{label}</span>
                <label className="flex items-center gap-1">
                  <input type="checkbox" checked={!interval} onChange={(e) => setDay(day, e.target.checked ? [] : [{ open: "09:00", close: "17:00" }])} />
                  closed
                </label>
                {interval && (
                  <>
                    <Input aria-label={`${label} opens`} type="time" className="w-28" value={interval.open} onChange={(e) => setDay(day, [{ ...interval, open: e.target.value }])} {...invalidIf(dayError, `hours-${day}-error`)} />
                    <span>to</span>
                    <Input aria-label={`${label} closes`} type="time" className="w-28" value={interval.close} onChange={(e) => setDay(day, [{ ...interval, close: e.target.value }])} {...invalidIf(dayError, `hours-${day}-error`)} />
                  </>
                )}
                <FieldError id={`hours-${day}-error`} error={dayError} className="w-full" />
              </div>
            );
          })}
        <FieldError id="hours-error" error={err("hours")} />
        <Field label="After hours" htmlFor="afterHours" error={err("afterHours")}>
          <NativeSelect id="afterHours" value={s.afterHours} onChange={(e) => set("afterHours", e.target.value as AiSettings["afterHours"])}>
            <option value="answer">Keep answering, and say when the team is back</option>
            <option value="message">Send the after-hours message instead</option>
          </NativeSelect>
        </Field>
        {s.afterHours === "message" && (
          <Field label="After-hours message" htmlFor="afterHoursMessage" error={err("afterHoursMessage")}>
            <Textarea id="afterHoursMessage" rows={2} value={s.afterHoursMessage} onChange={(e) => set("afterHoursMessage", e.target.value)} />
          </Field>
        )}
      </fieldset>

      <Field label="Prohibited topics" htmlFor="prohibited" error={err("prohibitedTopics")} hint="One per line. The agent declines these and offers a person.">
        <Textarea id="prohibited" rows={3} value={topics} onChange={(e) => setTopics(e.target.value)} />
      </Field>
      <Field
        label="When to hand over to a person"
        htmlFor="escalation"
        error={err("escalationRules")}
        hint="One rule per line, e.g. “A tenant reports a gas leak, flooding or no heating.” A customer who asks for a person always gets one, and so do complaints, emergencies, legal and medical questions."
      >
        <Textarea id="escalation" rows={3} value={rules} onChange={(e) => setRules(e.target.value)} />
      </Field>
      <Field label="Emergency advice" htmlFor="emergencyAdvice" hint="Sent at once to a customer who reports an emergency (severe pain, bleeding, a gas leak…), before a person takes over.">
        <Textarea id="emergencyAdvice" rows={2} value={s.emergencyAdvice} maxLength={1000} onChange={(e) => set("emergencyAdvice", e.target.value)} />
      </Field>
      <Field
        label="Languages"
        htmlFor="languages"
        hint="Two-letter codes, e.g. en, es. A customer writing in another language is told, in their language, which ones you answer in. Empty: any language."
      >
        <Input id="languages" value={languages} placeholder="any language" onChange={(e) => setLanguages(e.target.value)} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Model" htmlFor="model" error={err("modelPreference")} hint="Auto sends simple asks to the cheapest model and hard ones to a stronger one.">
          <NativeSelect id="model" value={["auto", "fast", "strong"].includes(s.modelPreference) ? s.modelPreference : "auto"} onChange={(e) => set("modelPreference", e.target.value)}>
            <option value="auto">Auto</option>
            <option value="fast">Always the fast, cheap model</option>
            <option value="strong">Always the stronger model</option>
          </NativeSelect>
        </Field>
        <Field label="Cache similarity threshold" htmlFor="threshold" error={err("cacheThreshold")} hint="Higher serves fewer cached answers, and fewer wrong ones.">
          <Input id="threshold" type="number" step="0.01" min={0.5} max={0.999} value={s.cacheThreshold} onChange={(e) => set("cacheThreshold", Number(e.target.value))} />
        </Field>
      </div>
      <Field label="Fallback reply" htmlFor="fallback" error={err("fallbackReply")} hint="Sent when no answer can be given (budget spent, every model failed): never silence.">
        <Textarea id="fallback" rows={2} value={s.fallbackReply} onChange={(e) => set("fallbackReply", e.target.value)} />
      </Field>
      <SaveFooter state={state} pending={pending} />
    </form>
  );
}
