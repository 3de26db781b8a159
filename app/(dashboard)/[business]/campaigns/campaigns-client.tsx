"use client";
// The Campaigns page's interactive parts: the editor (audience with its live count, saved segments,
// the message or the brief, A/B and holdout, the goal), a draft's preview with the cost estimate and
// the start button, pause/resume/cancel, and the status chart.
import { useEffect, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect, Textarea } from "@/components/ui/field";
import { PLATFORM_RULES } from "@/lib/campaigns/channel-rules";
import {
  controlCampaignAction,
  countAudienceAction,
  deleteSegmentAction,
  previewCampaignAction,
  saveCampaignAction,
  saveSegmentAction,
  startCampaignAction,
  type CampaignActionState,
} from "./actions";

const CHANNELS = [
  { id: "sms", label: "SMS" },
  { id: "whatsapp", label: "WhatsApp" },
  { id: "email", label: "Email" },
  { id: "telegram", label: "Telegram" },
  { id: "instagram", label: "Instagram" },
] as const;

export type Filter = {
  tags: string[];
  trustMin?: number;
  trustMax?: number;
  lastContactBefore?: string;
  lastContactAfter?: string;
  channels: string[];
  consent: boolean;
  language?: string;
  conversationText?: string;
};

type Segment = { id: string; name: string; filter: Record<string, unknown> };

const EMPTY: Filter = { tags: [], channels: [], consent: true };
const num = (v: string) => (v.trim() === "" ? undefined : Number(v));

/** The editor's "When" as the campaign's trigger (null: sent once). */
function triggerOf(form: { when: string; silenceDays: string; dateField: string; dateDays: string; dateSide: string }) {
  if (form.when === "no_contact") return { kind: "no_contact", days: form.silenceDays };
  if (form.when === "date_field") {
    const days = form.dateSide === "on" ? 0 : Number(form.dateDays || 0);
    return { kind: "date_field", field: form.dateField, offsetDays: form.dateSide === "before" ? -days : days };
  }
  if (form.when === "resolved") return { kind: "resolved" };
  return null;
}

export function CampaignEditor({ slug, segments, waTemplates }: { slug: string; segments: Segment[]; waTemplates: { name: string; contentSid: string }[] }) {
  const router = useRouter();
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [segmentId, setSegmentId] = useState("");
  const [segmentName, setSegmentName] = useState("");
  const [count, setCount] = useState<{ count: number; sample: string[] } | { error: string } | null>(null);
  const [form, setForm] = useState({
    name: "",
    channelKinds: ["sms", "whatsapp", "email"] as string[],
    mode: "template",
    brief: "",
    body: "Hi {{first_name}}, ",
    bodyB: "",
    holdoutPct: "0",
    goal: "replied",
    goalTag: "",
    goalWindowDays: "7",
    waContentSid: waTemplates[0]?.contentSid ?? "",
    scheduledAt: "",
    when: "once",
    silenceDays: "90",
    dateField: "checkup_due",
    dateDays: "7",
    dateSide: "before",
  });
  const [state, setState] = useState<CampaignActionState>(null);
  const [segmentState, setSegmentState] = useState<CampaignActionState>(null);
  const [pending, start] = useTransition();

  // the live count: a quarter of a second after the last change
  useEffect(() => {
    const t = setTimeout(() => {
      void countAudienceAction(slug, filter).then(setCount);
    }, 250);
    return () => clearTimeout(t);
  }, [slug, filter]);

  const set = <K extends keyof Filter>(k: K, v: Filter[K]) => setFilter((f) => ({ ...f, [k]: v }));
  const field = (k: keyof typeof form) => ({ id: `campaign-${k}`, value: form[k] as string, onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value })) });
  const err = (k: string) => state?.fieldErrors?.[k];

  function loadSegment(id: string) {
    setSegmentId(id);
    const s = segments.find((x) => x.id === id);
    if (s) {
      setFilter({ ...EMPTY, ...(s.filter as Partial<Filter>) });
      setSegmentName(s.name);
    }
  }

  function submit() {
    start(async () => {
      const r = await saveCampaignAction(slug, null, {
        ...form,
        audience: filter,
        segmentId: segmentId || null,
        holdoutPct: Number(form.holdoutPct),
        goalWindowDays: Number(form.goalWindowDays),
        scheduledAt: form.when === "once" && form.scheduledAt ? new Date(form.scheduledAt).toISOString() : null,
        trigger: triggerOf(form),
      });
      setState(r);
      if (r?.id) router.push(`/${slug}/campaigns?id=${r.id}`);
    });
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section aria-labelledby="audience-heading" className="min-w-0 space-y-4">
        <h2 id="audience-heading" className="font-medium">
          Audience
        </h2>
        {segments.length > 0 && (
          <Field label="Saved segment" htmlFor="segment">
            <NativeSelect id="segment" value={segmentId} onChange={(e) => loadSegment(e.target.value)}>
              <option value="">— build a new filter —</option>
              {segments.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
        )}
        <Field label="Tags (any of, comma-separated)" htmlFor="f-tags">
          <Input id="f-tags" value={filter.tags.join(", ")} onChange={(e) => set("tags", e.target.value.split(",").map((t) => t.trim()).filter(Boolean))} placeholder="vip, check-up due" />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Trust score from" htmlFor="f-trust-min">
            <Input id="f-trust-min" type="number" min={0} max={100} value={filter.trustMin ?? ""} onChange={(e) => set("trustMin", num(e.target.value))} />
          </Field>
          <Field label="Trust score to" htmlFor="f-trust-max">
            <Input id="f-trust-max" type="number" min={0} max={100} value={filter.trustMax ?? ""} onChange={(e) => set("trustMax", num(e.target.value))} />
          </Field>
          <Field label="Last contact after" htmlFor="f-after">
            <Input id="f-after" type="date" value={filter.lastContactAfter ?? ""} onChange={(e) => set("lastContactAfter", e.target.value || undefined)} />
          </Field>
          <Field label="Last contact before" htmlFor="f-before">
            <Input id="f-before" type="date" value={filter.lastContactBefore ?? ""} onChange={(e) => set("lastContactBefore", e.target.value || undefined)} />
          </Field>
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Reachable on</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {CHANNELS.map((c) => (
              <label key={c.id} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" checked={filter.channels.includes(c.id)} onChange={(e) => set("channels", e.target.checked ? [...filter.channels, c.id] : filter.channels.filter((x) => x !== c.id))} />
                {c.label}
              </label>
            ))}
          </div>
          <p className="mt-1 text-xs text-slate-500">None ticked: any channel the business has.</p>
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={filter.consent} onChange={(e) => set("consent", e.target.checked)} />
          Only customers who consented to marketing on one of those channels
        </label>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Language" htmlFor="f-lang" hint="Two letters: en, es…">
            <Input id="f-lang" maxLength={2} value={filter.language ?? ""} onChange={(e) => set("language", e.target.value.toLowerCase() || undefined)} />
          </Field>
          <Field label="Said in a conversation" htmlFor="f-text">
            <Input id="f-text" value={filter.conversationText ?? ""} onChange={(e) => set("conversationText", e.target.value || undefined)} placeholder="whitening" />
          </Field>
        </div>
        <div aria-live="polite" className="rounded-md bg-slate-50 p-3 text-sm" data-testid="audience-count">
          {count === null ? (
            "Counting…"
          ) : "error" in count ? (
            <span className="text-red-700">{count.error}</span>
          ) : (
            <>
              <strong>{count.count}</strong> {count.count === 1 ? "customer" : "customers"}
              {count.sample.length > 0 && <span className="text-slate-600"> — {count.sample.join(", ")}{count.count > count.sample.length ? "…" : ""}</span>}
            </>
          )}
        </div>
        <div className="flex flex-wrap items-end gap-2">
          <div className="min-w-40 flex-1">
            <Field label="Save this filter as" htmlFor="segment-name" error={segmentState?.fieldErrors?.name}>
              <Input id="segment-name" value={segmentName} onChange={(e) => setSegmentName(e.target.value)} placeholder="Lapsed patients" />
            </Field>
          </div>
          <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setSegmentState(await saveSegmentAction(slug, { name: segmentName, filter })))}>
            Save segment
          </Button>
          {segmentId && (
            <Button type="button" variant="ghost" disabled={pending} onClick={() => start(async () => setSegmentState(await deleteSegmentAction(slug, segmentId)))}>
              Delete segment
            </Button>
          )}
        </div>
        <FormMessage state={segmentState} />
      </section>

      <section aria-labelledby="message-heading" className="min-w-0 space-y-4">
        <h2 id="message-heading" className="font-medium">
          Message
        </h2>
        <Field label="Campaign name" htmlFor="campaign-name" error={err("name")}>
          <Input {...field("name")} placeholder="Spring check-ups" />
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Send on (each customer gets the one they last wrote on)</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {CHANNELS.map((c) => (
              <label key={c.id} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  checked={form.channelKinds.includes(c.id)}
                  onChange={(e) => setForm((f) => ({ ...f, channelKinds: e.target.checked ? [...f.channelKinds, c.id] : f.channelKinds.filter((x) => x !== c.id) }))}
                />
                {c.label}
              </label>
            ))}
          </div>
          {err("channelKinds") && <p className="text-xs text-red-600">{err("channelKinds")}</p>}
          {form.channelKinds.some((k) => k in PLATFORM_RULES) && (
            <ul className="mt-1 space-y-0.5 text-xs text-slate-600" data-testid="channel-rules">
              {CHANNELS.filter((c) => form.channelKinds.includes(c.id) && PLATFORM_RULES[c.id]).map((c) => (
                <li key={c.id}>{PLATFORM_RULES[c.id]}</li>
              ))}
            </ul>
          )}
        </fieldset>
        <Field label="Writing" htmlFor="campaign-mode">
          <NativeSelect {...field("mode")}>
            <option value="template">The template as written</option>
            <option value="ai">Personalised by the AI from the brief (the template if it cannot)</option>
          </NativeSelect>
        </Field>
        <Field label="Brief: the offer, dates and terms" htmlFor="campaign-brief" error={err("brief")} hint="The AI uses it to write and to answer replies.">
          <Textarea {...field("brief")} rows={3} />
        </Field>
        <Field label="Message A" htmlFor="campaign-body" error={err("body")} hint="Variables: {{name}}, {{first_name}}, {{business}}, and a customer's key:value tag as {{key}}.">
          <Textarea {...field("body")} rows={3} />
        </Field>
        <Field label="Message B (optional, for an A/B test)" htmlFor="campaign-bodyB" error={err("bodyB")}>
          <Textarea {...field("bodyB")} rows={2} />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Holdout (% sent nothing)" htmlFor="campaign-holdoutPct" error={err("holdoutPct")}>
            <Input {...field("holdoutPct")} type="number" min={0} max={50} />
          </Field>
          <Field label="Converted when" htmlFor="campaign-goal">
            <NativeSelect {...field("goal")}>
              <option value="replied">they reply</option>
              <option value="tag_added">a tag is added</option>
              <option value="booked">they book an appointment</option>
            </NativeSelect>
          </Field>
          {form.goal === "tag_added" && (
            <Field label="Tag" htmlFor="campaign-goalTag" error={err("goalTag")}>
              <Input {...field("goalTag")} placeholder="booked" />
            </Field>
          )}
          <Field label="Within (days)" htmlFor="campaign-goalWindowDays" error={err("goalWindowDays")}>
            <Input {...field("goalWindowDays")} type="number" min={1} max={90} />
          </Field>
        </div>
        {form.channelKinds.includes("whatsapp") && (
          <Field label="WhatsApp template outside the 24-hour window" htmlFor="campaign-waContentSid" hint={waTemplates.length ? undefined : "No approved templates on this business's WhatsApp number: customers outside the window are skipped."}>
            <NativeSelect {...field("waContentSid")}>
              <option value="">None (skip them)</option>
              {waTemplates.map((t) => (
                <option key={t.contentSid} value={t.contentSid}>
                  {t.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
        )}
        <Field label="When" htmlFor="campaign-when" error={err("trigger")}>
          <NativeSelect {...field("when")}>
            <option value="once">Once, now or at a time I pick</option>
            <option value="no_contact">When a customer has not written for a number of days</option>
            <option value="date_field">Around a date on the customer (a custom field)</option>
            <option value="resolved">The day after a customer&apos;s conversation is resolved</option>
          </NativeSelect>
        </Field>
        {form.when === "once" && (
          <Field label="Start at (optional)" htmlFor="campaign-scheduledAt" error={err("scheduledAt")} hint="Each recipient still waits for their own allowed hours.">
            <Input {...field("scheduledAt")} type="datetime-local" />
          </Field>
        )}
        {form.when === "no_contact" && (
          <Field label="Days without contact" htmlFor="campaign-silenceDays">
            <Input {...field("silenceDays")} type="number" min={1} max={730} />
          </Field>
        )}
        {form.when === "date_field" && (
          <div className="grid grid-cols-3 gap-3">
            <Field label="Date field" htmlFor="campaign-dateField" hint="A tag like checkup_due:2026-03-14">
              <Input {...field("dateField")} />
            </Field>
            <Field label="Days" htmlFor="campaign-dateDays">
              <Input {...field("dateDays")} type="number" min={0} max={365} disabled={form.dateSide === "on"} />
            </Field>
            <Field label="Relative to the date" htmlFor="campaign-dateSide">
              <NativeSelect {...field("dateSide")}>
                <option value="before">before</option>
                <option value="on">on the day</option>
                <option value="after">after</option>
              </NativeSelect>
            </Field>
          </div>
        )}
        {form.when !== "once" && (
          <p className="text-xs text-slate-600">
            Runs from when you start it until you pause or cancel it: each customer of the audience is enrolled once each time the event happens to them, from the day it starts (for customers already past
            it, send a one-off campaign). Consent, quiet hours and the budget are checked for every message.
          </p>
        )}
        <FormMessage state={state} />
        <Button type="button" disabled={pending} onClick={submit}>
          Save draft
        </Button>
      </section>
    </div>
  );
}

type PreviewResult = Awaited<ReturnType<typeof previewCampaignAction>>;

const usd = (v: number) => (v !== 0 && v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`);

export function CampaignControls({ slug, id, status, triggered = false }: { slug: string; id: string; status: string; triggered?: boolean }) {
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [state, setState] = useState<CampaignActionState>(null);
  const [pending, start] = useTransition();
  const run = (fn: () => Promise<CampaignActionState>) => start(async () => setState(await fn()));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-2">
        {status === "draft" && (
          <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setPreview(await previewCampaignAction(slug, id)))}>
            Preview messages and cost
          </Button>
        )}
        {status === "draft" && preview && !("error" in preview) && !preview.estimate.refusal && (
          <Button type="button" disabled={pending} onClick={() => run(() => startCampaignAction(slug, id))}>
            Approve and start
          </Button>
        )}
        {(status === "sending" || status === "scheduled") && (
          <Button type="button" variant="secondary" disabled={pending} onClick={() => run(() => controlCampaignAction(slug, id, "pause"))}>
            Pause
          </Button>
        )}
        {status === "paused" && (
          <Button type="button" disabled={pending} onClick={() => run(() => controlCampaignAction(slug, id, "resume"))}>
            Resume
          </Button>
        )}
        {["draft", "scheduled", "sending", "paused"].includes(status) && (
          <Button type="button" variant="danger" disabled={pending} onClick={() => run(() => controlCampaignAction(slug, id, "cancel"))}>
            Cancel campaign
          </Button>
        )}
      </div>
      <FormMessage state={state} />
      {preview && "error" in preview && (
        <p role="alert" className="text-sm text-red-700">
          {preview.error}
        </p>
      )}
      {preview && !("error" in preview) && (
        <div className="space-y-3" data-testid="campaign-preview">
          <div className="rounded-md bg-slate-50 p-3 text-sm">
            <p>
              <strong>{preview.estimate.sending}</strong> of {preview.estimate.recipients} {triggered ? "customers the trigger enrols today" : "recipients"} will be sent to, for about{" "}
              <strong>{usd(preview.estimate.totalUsd)}</strong>
              {preview.estimate.aiUsd > 0 && <> (of which {usd(preview.estimate.aiUsd)} for the AI)</>}; {usd(preview.estimate.budget.remainingUsd)} of this month&apos;s{" "}
              {usd(preview.estimate.budget.limitUsd)} budget is left.
            </p>
            <ul className="mt-1 text-slate-600">
              {Object.entries(preview.estimate.byChannel).map(([k, v]) => (
                <li key={k}>
                  {k}: {v.recipients} recipients, {v.units} {k === "sms" ? "segments" : "messages"}, {usd(v.usd)}
                </li>
              ))}
              {Object.entries(preview.estimate.skipped).map(([k, v]) => (
                <li key={k}>
                  skipped ({k}): {v}
                </li>
              ))}
            </ul>
            {preview.estimate.refusal && (
              <p role="alert" className="mt-2 text-red-700">
                {preview.estimate.refusal}
              </p>
            )}
            {preview.unknownVariables.length > 0 && (
              <p className="mt-2 text-amber-800">
                Custom fields used: {preview.unknownVariables.join(", ")} — filled from each customer&apos;s key:value tags, or left out.
              </p>
            )}
          </div>
          <ul className="space-y-2">
            {preview.previews.map((p, i) => (
              <li key={i} className="rounded-md border border-slate-200 p-3 text-sm">
                <p className="text-xs text-slate-500">
                  {p.customerName} · {p.channel} · message {p.variant}
                  {p.personalised ? " · personalised" : ""}
                </p>
                <p className="mt-1 whitespace-pre-wrap break-words">{p.text}</p>
                {p.note && <p className="mt-1 text-xs text-amber-800">{p.note}</p>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

const STATUS_COLORS: Record<string, string> = {
  queued: "#94a3b8",
  sent: "#2563eb",
  delivered: "#0891b2",
  read: "#0f766e",
  replied: "#65a30d",
  converted: "#16a34a",
  failed: "#dc2626",
  skipped: "#d97706",
};

export function StatusChart({ counts }: { counts: Record<string, number> }) {
  const data = Object.entries(counts).map(([status, n]) => ({ status, n }));
  return (
    <div className="h-56 w-full min-w-0" role="img" aria-label={`Recipients by status: ${data.map((d) => `${d.status} ${d.n}`).join(", ")}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="status" tick={{ fontSize: 11 }} interval={0} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={32} />
          <Tooltip />
          <Bar dataKey="n" name="recipients">
            {data.map((d) => (
              <Cell key={d.status} fill={STATUS_COLORS[d.status] ?? "#475569"} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
