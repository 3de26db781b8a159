"use client";
// Stacked bars per day, switchable between views (by operation, by channel, by model…). Values arrive
// as whole units (micro-dollars or counts) and are only formatted here.
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { cn } from "@/components/ui/cn";

export type StackedView = {
  id: string;
  label: string;
  keys: { key: string; label: string; total: number }[];
  days: { day: string; values: Record<string, number> }[];
};

const COLORS = ["#0f766e", "#2563eb", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#65a30d", "#db2777", "#475569", "#ca8a04"];

function format(kind: "usd" | "count", v: number): string {
  if (kind === "count") return String(v);
  const usd = v / 1_000_000;
  return usd !== 0 && Math.abs(usd) < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

export function StackedBars({ views, unit, title }: { views: StackedView[]; unit: "usd" | "count"; title: string }) {
  const [current, setCurrent] = useState(views[0]?.id ?? "");
  const view = views.find((v) => v.id === current) ?? views[0];
  if (!view) return null;
  const data = view.days.map((d) => ({ day: d.day, label: d.day.slice(5), ...d.values }));
  const empty = view.keys.every((k) => k.total === 0);
  return (
    <div className="min-w-0">
      {views.length > 1 && (
        <div role="group" aria-label={`${title}: show by`} className="flex flex-wrap gap-1">
          {views.map((v) => (
            <button
              key={v.id}
              type="button"
              aria-pressed={v.id === view.id}
              onClick={() => setCurrent(v.id)}
              className={cn(
                "rounded-md border px-2.5 py-1 text-sm",
                v.id === view.id ? "border-teal-700 bg-teal-50 font-medium text-teal-800" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50",
              )}
            >
              {v.label}
            </button>
          ))}
        </div>
      )}
      {empty ? (
        <p className="mt-4 text-sm text-slate-500">Nothing recorded in this period.</p>
      ) : (
        <div className="mt-4 h-64 w-full" role="img" aria-label={`${title}, ${view.label.toLowerCase()}`}>
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="label" tick={{ fontSize: 11 }} minTickGap={12} />
              <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => format(unit, v)} width={unit === "usd" ? 64 : 32} allowDecimals={unit === "usd"} />
              <Tooltip formatter={(v, name) => [format(unit, Number(v)), view.keys.find((k) => k.key === name)?.label ?? String(name)]} labelFormatter={(l) => String(l)} />
              {view.keys.map((k, i) => (
                <Bar key={k.key} dataKey={k.key} name={k.key} stackId="a" fill={COLORS[i % COLORS.length]} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <ul className="mt-3 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-2" aria-label={`${title}: totals`}>
        {view.keys.map((k, i) => (
          <li key={k.key} className="flex min-w-0 items-center gap-2">
            <span className="h-3 w-3 shrink-0 rounded-sm" style={{ background: COLORS[i % COLORS.length] }} aria-hidden />
            <span className="min-w-0 flex-1 truncate" title={k.label}>
              {k.label}
            </span>
            <span className="tabular-nums text-slate-700">{format(unit, k.total)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
