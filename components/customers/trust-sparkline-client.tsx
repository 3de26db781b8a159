"use client";
// The trust score over time: a small line chart people read at a glance.
import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type TrustPoint = { at: string; score: number; label: string };

export function TrustSparkline({ points }: { points: TrustPoint[] }) {
  const data = points.map((p) => ({ ...p, t: new Date(p.at).getTime() }));
  const latest = points.at(-1)?.score ?? 0;
  const color = latest < 30 ? "#dc2626" : latest < 50 ? "#d97706" : "#0f766e";
  return (
    <figure aria-label={`Trust score history, now ${latest} of 100`} className="h-28 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <XAxis dataKey="t" type="number" domain={["dataMin", "dataMax"]} hide />
          <YAxis domain={[0, 100]} ticks={[0, 50, 100]} tick={{ fontSize: 10, fill: "#64748b" }} width={28} />
          <ReferenceLine y={50} stroke="#cbd5e1" strokeDasharray="3 3" />
          <Tooltip
            formatter={(value) => [String(value), "trust"]}
            labelFormatter={(_, payload) => {
              const p = payload?.[0]?.payload as (TrustPoint & { t: number }) | undefined;
              return p ? `${new Date(p.t).toLocaleString()} · ${p.label}` : "";
            }}
            contentStyle={{ fontSize: 12 }}
          />
          <Line type="stepAfter" dataKey="score" stroke={color} strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
