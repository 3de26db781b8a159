"use client";
// "What would the agent find?": asks the same retrieval the pipeline uses and shows what comes back.
import { useState } from "react";
import { Search } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";
import type { Retrieval } from "@/lib/knowledge/retrieve";

function ScoreBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <span className="inline-flex items-center gap-1.5" title={`${label}: ${value.toFixed(3)}`}>
      <span className="h-1.5 w-16 overflow-hidden rounded bg-slate-200" aria-hidden>
        <span className="block h-full bg-teal-600" style={{ width: `${pct}%` }} />
      </span>
      <span className="tabular-nums">{value.toFixed(2)}</span>
    </span>
  );
}

export function AgentFindBox({ slug }: { slug: string }) {
  const [query, setQuery] = useState("");
  const [result, setResult] = useState<Retrieval | null>(null);
  const [asked, setAsked] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function ask(e: React.FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      const res = await fetch(`/api/businesses/${slug}/knowledge/search?q=${encodeURIComponent(query)}&limit=5`, { cache: "no-store" });
      const body = await res.json();
      if (!res.ok) {
        setError(body?.error?.message ?? "The search failed.");
        setResult(null);
      } else {
        setResult(body as Retrieval);
        setAsked(query);
      }
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="agent-find" className="rounded-lg border border-teal-200 bg-teal-50/40 p-4">
      <h2 id="agent-find" className="font-medium text-slate-900">
        What would the agent find?
      </h2>
      <p className="mt-0.5 text-sm text-slate-600">Type a question as a customer would. You see the chunks and FAQs the agent would be given, best first.</p>
      <form onSubmit={ask} className="mt-3 flex gap-2">
        <Input aria-label="Customer question" placeholder="e.g. what should I avoid after a tooth is pulled?" value={query} onChange={(e) => setQuery(e.target.value)} maxLength={500} required minLength={2} />
        <Button type="submit" disabled={pending} className="shrink-0">
          <Search className="h-4 w-4" aria-hidden />
          {pending ? "Searching…" : "Ask"}
        </Button>
      </form>
      {error && (
        <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      {result && (
        <div className="mt-4 space-y-4" data-testid="agent-find-results">
          {result.mode === "text" && <p className="text-xs text-amber-700">The embedding service did not answer, so this search used words only. The agent does the same while it is down.</p>}
          {result.chunks.length === 0 && result.faqs.length === 0 && (
            <p className="text-sm text-slate-600">
              Nothing matches &ldquo;{asked}&rdquo;. The agent would answer without your knowledge, or hand over to a person. Add an article or an FAQ that covers it.
            </p>
          )}
          {result.faqs.length > 0 && (
            <div>
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">FAQs</h3>
              <ul className="mt-1 space-y-2">
                {result.faqs.map((f) => (
                  <li key={f.id} className="rounded-md border border-slate-200 bg-white p-3 text-sm">
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <p className="font-medium">{f.question}</p>
                      <span className="flex gap-3 text-xs text-slate-500">
                        <ScoreBar value={f.score} label="Fused score" />
                        <span title="Cosine similarity of meaning">meaning {f.similarity.toFixed(2)}</span>
                        <span title="Share of the question's words found">words {f.wordMatch === null ? "–" : `${Math.round(f.wordMatch * 100)}%`}</span>
                      </span>
                    </div>
                    <p className="mt-1 text-slate-700">{f.answer}</p>
                  </li>
                ))}
              </ul>
            </div>
          )}
          {result.chunks.length > 0 && (
            <div>
              <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Knowledge chunks</h3>
              <ol className="mt-1 space-y-2">
                {result.chunks.map((c) => (
                  <li key={c.id} className="rounded-md border border-slate-200 bg-white p-3 text-sm" data-testid="agent-find-chunk">
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <p className="min-w-0">
                        <span className="font-medium">{c.title}</span>
                        {c.heading && <span className="block truncate text-xs text-slate-500">{c.heading}</span>}
                      </p>
                      <span className="flex gap-3 text-xs text-slate-500">
                        <ScoreBar value={c.score} label="Fused score" />
                        <span title="Cosine similarity of meaning">meaning {c.similarity === null ? "–" : c.similarity.toFixed(2)}</span>
                        <span title="Share of the question's words found">words {c.wordMatch === null ? "–" : `${Math.round(c.wordMatch * 100)}%`}</span>
                      </span>
                    </div>
                    <p className="mt-1 line-clamp-4 whitespace-pre-line text-slate-700">{c.content}</p>
                  </li>
                ))}
              </ol>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
