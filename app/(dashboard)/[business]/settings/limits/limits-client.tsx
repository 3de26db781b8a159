"use client";
import { useState, useTransition } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Field, Input, SaveFooter } from "@/components/ui/field";
import { updateLimitsAction, type FormState } from "../actions";

type Limits = {
  customerPerDay: number;
  customerMinIntervalSeconds: number;
  ipPerMinute: number;
  businessPerMonth: number;
  monthlyBudgetUsd: number;
  autoPause: boolean;
  digest: "off" | "daily" | "weekly";
};
type NumberField = Exclude<keyof Limits, "autoPause" | "digest">;

export function SpendChart({ data }: { data: { day: string; costUsd: number }[] }) {
  if (!data.some((d) => d.costUsd > 0)) return <p className="mt-4 text-sm text-slate-500">No spending recorded this month yet.</p>;
  return (
    <div className="mt-4 h-48 w-full" aria-label="Spend by day">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data.map((d) => ({ ...d, label: d.day.slice(8) }))}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => `$${v.toFixed(2)}`} width={56} />
          <Tooltip formatter={(v) => [`$${Number(v).toFixed(4)}`, "Spent"]} labelFormatter={(l) => `Day ${l}`} />
          <Bar dataKey="costUsd" fill="#0f766e" radius={[3, 3, 0, 0]} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function LimitsForm({ slug, initial }: { slug: string; initial: Limits }) {
  // The numbers are kept as typed and sent as text: the server refuses an empty or unreadable one with a
  // message beside its field, instead of the browser handing it over as "" (which once became $0).
  const [v, setV] = useState<Record<NumberField, string>>({
    monthlyBudgetUsd: String(initial.monthlyBudgetUsd),
    businessPerMonth: String(initial.businessPerMonth),
    customerPerDay: String(initial.customerPerDay),
    customerMinIntervalSeconds: String(initial.customerMinIntervalSeconds),
    ipPerMinute: String(initial.ipPerMinute),
  });
  const [autoPause, setAutoPause] = useState(initial.autoPause);
  const [digest, setDigest] = useState(initial.digest);
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const input = (key: NumberField, id: string, decimal = false) => (
    <Input id={id} inputMode={decimal ? "decimal" : "numeric"} autoComplete="off" value={v[key]} onChange={(e) => setV((x) => ({ ...x, [key]: e.target.value }))} />
  );
  const err = (key: keyof Limits) => state?.fieldErrors?.[key];
  return (
    <form
      className="space-y-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setState(await updateLimitsAction(slug, { ...v, autoPause, digest })));
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Monthly budget (USD)" htmlFor="budget" error={err("monthlyBudgetUsd")} hint="Model calls, embeddings and channel costs count against it. 0 pauses model answers.">
          {input("monthlyBudgetUsd", "budget", true)}
        </Field>
        <Field label="Messages per month (whole business)" htmlFor="perMonth" error={err("businessPerMonth")} hint="0 turns it off.">
          {input("businessPerMonth", "perMonth")}
        </Field>
        <Field label="Messages per customer per day" htmlFor="perDay" error={err("customerPerDay")} hint="0 turns it off.">
          {input("customerPerDay", "perDay")}
        </Field>
        <Field label="Seconds between a customer's messages" htmlFor="interval" error={err("customerMinIntervalSeconds")} hint="0 turns it off.">
          {input("customerMinIntervalSeconds", "interval")}
        </Field>
        <Field label="Messages per minute from one IP (web visitors)" htmlFor="perIp" error={err("ipPerMinute")} hint="0 turns it off.">
          {input("ipPerMinute", "perIp")}
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={autoPause} onChange={(e) => setAutoPause(e.target.checked)} />
        Pause model answers when the budget is spent (FAQs and cached answers keep serving)
      </label>
      <p className="text-xs text-slate-500">Alerts go to owners and admins at 75 % and 90 % of the budget, once each month.</p>
      <Field
        label="Digest by email"
        htmlFor="digest"
        error={err("digest")}
        hint="Spend, conversations the AI resolved, hand-offs waiting and the questions it could not answer, to owners and admins at 08:00 your time (weekly: on Mondays)."
      >
        <select id="digest" className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm sm:w-60" value={digest} onChange={(e) => setDigest(e.target.value as Limits["digest"])}>
          <option value="off">Off</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
        </select>
      </Field>
      <SaveFooter state={state} pending={pending} />
    </form>
  );
}
