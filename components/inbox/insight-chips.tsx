// What the insights job read in customer messages: the intent chip (with the correction menu on a
// customer message of the open conversation) and the sentiment chip (one level, or start → now).
import { cn } from "@/components/ui/cn";

export type IntentOption = { id: string; name: string };

const SENTIMENT: Record<number, { label: string; className: string }> = {
  [-2]: { label: "very negative", className: "bg-red-100 text-red-800" },
  [-1]: { label: "negative", className: "bg-orange-100 text-orange-800" },
  0: { label: "neutral", className: "bg-slate-100 text-slate-700" },
  1: { label: "positive", className: "bg-emerald-100 text-emerald-800" },
  2: { label: "very positive", className: "bg-emerald-200 text-emerald-900" },
};

export function SentimentChip({ start, now }: { start?: number; now: number }) {
  const to = SENTIMENT[now] ?? SENTIMENT[0]!;
  const from = start === undefined || start === now ? null : (SENTIMENT[start] ?? SENTIMENT[0]!);
  return (
    <span className={cn("rounded-full px-1.5 py-0.5 text-[10px] font-medium", to.className)} data-testid="sentiment-chip" title="Customer sentiment">
      {from ? `${from.label} → ${to.label}` : to.label}
    </span>
  );
}

export function IntentChip({ name }: { name: string }) {
  return (
    <span className={cn("rounded-full px-1.5 py-0.5 text-[10px] font-medium", name === "other" ? "bg-slate-100 text-slate-600" : "bg-sky-100 text-sky-800")} data-testid="intent-chip">
      {name}
    </span>
  );
}

/** A customer message's intent and sentiment; staff pick another intent to correct it (it teaches later ones). */
export function MessageInsight({
  insight,
  intents,
  busy,
  onCorrect,
}: {
  insight: { intentId: string | null; intent: string; confidence: number; corrected: boolean; sentiment: number };
  intents: IntentOption[];
  busy: boolean;
  onCorrect?: (intentId: string | null) => void;
}) {
  return (
    <span className="mt-0.5 flex flex-wrap items-center gap-1.5 text-[11px] text-slate-500" data-testid="message-insight">
      {onCorrect ? (
        <select
          aria-label="Intent of this message"
          disabled={busy}
          value={insight.intentId ?? ""}
          onChange={(e) => onCorrect(e.target.value || null)}
          className="rounded-full border border-sky-200 bg-sky-50 px-1.5 py-0.5 text-[11px] text-sky-900"
        >
          {intents.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
          <option value="">other</option>
        </select>
      ) : (
        <IntentChip name={insight.intent} />
      )}
      <span>{insight.corrected ? "set by staff" : `${Math.round(insight.confidence * 100)} % sure`}</span>
      <SentimentChip now={insight.sentiment} />
    </span>
  );
}

const LEAD: Record<string, string> = {
  qualified: "bg-sky-100 text-sky-800",
  hot: "bg-orange-100 text-orange-800",
  customer: "bg-emerald-100 text-emerald-800",
  lost: "bg-slate-200 text-slate-600",
};

/** The customer's lead stage, beside a conversation (a new lead shows nothing). */
export function LeadChip({ stage }: { stage: string }) {
  return (
    <span className={cn("rounded-full px-1.5 py-0.5 text-[10px] font-medium", LEAD[stage] ?? "bg-slate-100 text-slate-700")} data-testid="lead-chip">
      lead: {stage}
    </span>
  );
}
