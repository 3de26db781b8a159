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
};

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
  const [v, setV] = useState(initial);
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const err = (key: keyof Limits) => state?.fieldErrors?.[key];
  const num = (key: keyof Limits) => (e: React.ChangeEvent<HTMLInputElement>) => setV((x) => ({ ...x, [key]: e.target.value === "" ? "" : Number(e.target.value) }));
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setState(await updateLimitsAction(slug, v)));
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Monthly budget (USD)" htmlFor="budget" error={err("monthlyBudgetUsd")} hint="Model calls, embeddings and channel costs count against it.">
          <Input id="budget" type="number" min={0} step="0.01" value={v.monthlyBudgetUsd} onChange={num("monthlyBudgetUsd")} />
        </Field>
        <Field label="Messages per month (whole business)" htmlFor="perMonth" error={err("businessPerMonth")}>
          <Input id="perMonth" type="number" min={0} value={v.businessPerMonth} onChange={num("businessPerMonth")} />
        </Field>
        <Field label="Messages per customer per day" htmlFor="perDay" error={err("customerPerDay")}>
          <Input id="perDay" type="number" min={0} value={v.customerPerDay} onChange={num("customerPerDay")} />
        </Field>
        <Field label="Seconds between a customer's messages" htmlFor="interval" error={err("customerMinIntervalSeconds")} hint="0 turns it off.">
          <Input id="interval" type="number" min={0} value={v.customerMinIntervalSeconds} onChange={num("customerMinIntervalSeconds")} />
        </Field>
        <Field label="Messages per minute from one IP (web visitors)" htmlFor="perIp" error={err("ipPerMinute")}>
          <Input id="perIp" type="number" min={0} value={v.ipPerMinute} onChange={num("ipPerMinute")} />
        </Field>
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={v.autoPause} onChange={(e) => setV((x) => ({ ...x, autoPause: e.target.checked }))} />
        Pause model answers when the budget is spent (FAQs and cached answers keep serving)
      </label>
      <p className="text-xs text-slate-500">Alerts go to owners and admins at 75 % and 90 % of the budget, once each month.</p>
      <SaveFooter state={state} pending={pending} />
    </form>
  );
}
