"use client";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";

type Trace = {
  gate?: string;
  faq?: { question: string; similarity: number };
  cache?: { tier: string; similarity: number; origin?: string; agreeing?: number };
  routing?: string;
  context?: { history: number; memories: { content: string; similarity: number }[]; chunks: { title: string; heading: string | null; score: number }[]; faqs: { question: string; similarity: number }[] };
};
type Reply = { content: string; source: string; model: string | null; tokensIn: number; tokensOut: number; costUsd: number; latencyMs: number | null; trace: Trace | null };
type Turn = { id: number; text: string; reply?: Reply | null; note?: string; error?: string };

const SOURCE_LABEL: Record<string, string> = { faq: "FAQ", cache: "Cache", model: "Model", offline: "Offline responder", fallback: "Fixed reply", human: "Person" };
const CACHE_TIER: Record<string, string> = { memory: "memory", kv: "KV", postgres: "Postgres" };

/** Which tier served: FAQ, the cache's memory / KV / Postgres tier (warmed when pre-computed), the model. */
function servedBy(reply: Reply): string {
  const cache = reply.trace?.cache;
  if (reply.source !== "cache" || !cache) return SOURCE_LABEL[reply.source] ?? reply.source;
  const tier = `cache ${CACHE_TIER[cache.tier] ?? cache.tier}`;
  return cache.origin === "warmed" ? `Warmed (${tier})` : `Cache ${CACHE_TIER[cache.tier] ?? cache.tier}`;
}

export function TestAgent({ slug }: { slug: string }) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const session = useRef(typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : String(Date.now()).padStart(12, "0"));

  async function send() {
    const message = text.trim();
    if (!message) return;
    const id = Date.now();
    setTurns((t) => [...t, { id, text: message }]);
    setText("");
    setBusy(true);
    try {
      const res = await fetch(`/api/businesses/${slug}/test-agent`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: message, session: session.current }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body?.error?.message ?? `Request failed (${res.status})`);
      const note = body.noReply ? `No answer: ${body.noReply.reason.replace("_", " ")}${body.noReply.message ? ` — ${body.noReply.message}` : ""}` : body.handedOff ? "Handed over to a person." : undefined;
      setTurns((t) => t.map((x) => (x.id === id ? { ...x, reply: body.reply, note } : x)));
    } catch (err) {
      setTurns((t) => t.map((x) => (x.id === id ? { ...x, error: err instanceof Error ? err.message : String(err) } : x)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-4">
      <ol className="space-y-4" aria-live="polite">
        {turns.length === 0 && <li className="text-sm text-slate-500">Ask something a customer would, e.g. “How much is a check-up?”</li>}
        {turns.map((t) => (
          <li key={t.id} className="space-y-2">
            <p className="ml-auto w-fit max-w-[85%] rounded-lg bg-teal-700 px-3 py-2 text-sm text-white">{t.text}</p>
            {t.error && <p role="alert" className="text-sm text-red-600">{t.error}</p>}
            {t.note && <p className="text-sm text-amber-700">{t.note}</p>}
            {t.reply && (
              <div className="max-w-[95%] rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 text-sm" data-testid="agent-reply">
                <p className="whitespace-pre-wrap">{t.reply.content}</p>
                <dl className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
                  <div><dt className="inline font-medium">Source: </dt><dd className="inline" data-testid="reply-source">{servedBy(t.reply)}</dd></div>
                  {t.reply.model && <div><dt className="inline font-medium">Model: </dt><dd className="inline">{t.reply.model}</dd></div>}
                  <div><dt className="inline font-medium">Tokens: </dt><dd className="inline">{t.reply.tokensIn} in / {t.reply.tokensOut} out</dd></div>
                  <div><dt className="inline font-medium">Cost: </dt><dd className="inline">${t.reply.costUsd.toFixed(6)}</dd></div>
                  {t.reply.latencyMs !== null && <div><dt className="inline font-medium">Latency: </dt><dd className="inline">{t.reply.latencyMs} ms</dd></div>}
                </dl>
                {t.reply.trace && <TraceDetails trace={t.reply.trace} />}
              </div>
            )}
          </li>
        ))}
      </ol>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Input aria-label="Message as a customer" value={text} maxLength={4000} onChange={(e) => setText(e.target.value)} placeholder="Type as a customer…" />
        <Button type="submit" disabled={busy || !text.trim()}>
          {busy ? "…" : "Send"}
        </Button>
      </form>
    </div>
  );
}

function TraceDetails({ trace }: { trace: Trace }) {
  return (
    <details className="mt-2 text-xs text-slate-600">
      <summary className="cursor-pointer">Context used</summary>
      <ul className="mt-1 list-disc space-y-0.5 pl-4">
        {trace.faq && <li>FAQ matched: “{trace.faq.question}” (similarity {trace.faq.similarity.toFixed(3)})</li>}
        {trace.cache && (
          <li>
            Cache hit in {CACHE_TIER[trace.cache.tier] ?? trace.cache.tier} (similarity {trace.cache.similarity.toFixed(3)}
            {trace.cache.agreeing && trace.cache.agreeing > 1 ? `, ${trace.cache.agreeing} paraphrases agreeing` : ""})
          </li>
        )}
        {trace.routing && <li>Routing: {trace.routing}</li>}
        {trace.gate && <li>Gate: {trace.gate}</li>}
        {trace.context && (
          <>
            <li>Earlier messages in context: {trace.context.history}</li>
            {trace.context.memories.map((m, i) => (
              <li key={`m${i}`}>Memory ({m.similarity.toFixed(2)}): {m.content}</li>
            ))}
            {trace.context.chunks.map((c, i) => (
              <li key={`c${i}`}>Knowledge: {c.title}{c.heading ? ` › ${c.heading}` : ""} ({c.score.toFixed(3)})</li>
            ))}
            {trace.context.faqs.map((f, i) => (
              <li key={`f${i}`}>FAQ candidate ({f.similarity.toFixed(2)}): {f.question}</li>
            ))}
          </>
        )}
      </ul>
    </details>
  );
}
