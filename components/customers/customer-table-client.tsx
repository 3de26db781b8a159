"use client";
// The customer list with selection and bulk actions: tag, untag, block, unblock, export CSV.
import { useState, useTransition } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { BadgeCheck, Ban } from "lucide-react";
import { Button } from "@/components/ui/button";
import { FormMessage, Input } from "@/components/ui/field";
import { bulkCustomersAction, type FormState } from "@/app/(dashboard)/[business]/customers/actions";

export type CustomerRow = {
  id: string;
  name: string | null;
  /** the name, else how to reach them, else "Web visitor #4821" */
  displayName: string;
  trustScore: number;
  verified: boolean;
  blocked: boolean;
  tags: string[];
  lastSeenAt: string | null;
  leadScore: number;
  leadStage: string;
  channels: string[];
  conversations: number;
  identities: { kind: string; value: string }[];
};

function ago(iso: string | null): string {
  if (!iso) return "never";
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 86400 * 60) return `${Math.round(s / 86400)} days ago`;
  return new Date(iso).toLocaleDateString();
}

const STAGE_COLOR: Record<string, string> = {
  new: "bg-slate-100 text-slate-700",
  qualified: "bg-sky-100 text-sky-800",
  hot: "bg-orange-100 text-orange-800",
  customer: "bg-emerald-100 text-emerald-800",
  lost: "bg-slate-200 text-slate-600",
};

export function LeadStageChip({ stage, score }: { stage: string; score: number }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium tabular-nums ${STAGE_COLOR[stage] ?? STAGE_COLOR.new}`} title={`Lead score ${score}/100`}>
      {stage} · {score}
    </span>
  );
}

export function trustColor(score: number) {
  return score < 30 ? "bg-red-100 text-red-800" : score < 50 ? "bg-amber-100 text-amber-800" : "bg-emerald-100 text-emerald-800";
}

export function CustomerTable({ slug, rows, canExport }: { slug: string; rows: CustomerRow[]; canExport: boolean }) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [tag, setTag] = useState("");
  const [result, setResult] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const all = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const run = (action: "tag" | "untag" | "block" | "unblock") =>
    start(async () => {
      const r = await bulkCustomersAction(slug, { action, ids: [...selected], tag: action === "tag" || action === "untag" ? tag : undefined });
      setResult(r);
      if (r?.ok) router.refresh();
    });

  return (
    <div>
      {selected.size > 0 && (
        <div className="sticky top-0 z-10 mb-3 flex flex-wrap items-center gap-2 rounded-lg border border-teal-200 bg-teal-50 p-3 text-sm" role="region" aria-label="Bulk actions">
          <span className="font-medium">{selected.size} selected</span>
          <Input aria-label="Tag" placeholder="tag" value={tag} onChange={(e) => setTag(e.target.value)} className="w-32" maxLength={40} />
          <Button variant="secondary" disabled={pending || !tag.trim()} onClick={() => run("tag")}>
            Add tag
          </Button>
          <Button variant="secondary" disabled={pending || !tag.trim()} onClick={() => run("untag")}>
            Remove tag
          </Button>
          <Button variant="secondary" disabled={pending} onClick={() => run("block")}>
            Block
          </Button>
          <Button variant="secondary" disabled={pending} onClick={() => run("unblock")}>
            Unblock
          </Button>
          {canExport && (
            <Button asChild variant="secondary">
              <a href={`/api/businesses/${slug}/customers/export?ids=${[...selected].join(",")}`} download>
                Export CSV
              </a>
            </Button>
          )}
          <Button variant="ghost" onClick={() => setSelected(new Set())}>
            Clear
          </Button>
        </div>
      )}
      <FormMessage state={result} />
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
        <div className="hidden items-center gap-3 border-b border-slate-200 bg-slate-50 px-3 py-2 text-xs font-medium uppercase tracking-wide text-slate-500 md:flex">
          <input type="checkbox" aria-label="Select all on this page" checked={all} onChange={() => setSelected(all ? new Set() : new Set(rows.map((r) => r.id)))} />
          <span className="flex-1">Customer</span>
          <span className="w-40">Channels</span>
          <span className="w-24 text-right">Lead</span>
          <span className="w-16 text-right">Trust</span>
          <span className="w-28 text-right">Last seen</span>
        </div>
        <ul className="divide-y divide-slate-200">
          {rows.map((c) => (
            <li key={c.id} className="flex items-start gap-3 px-3 py-3 md:items-center">
              <input type="checkbox" className="mt-1 md:mt-0" aria-label={`Select ${c.displayName}`} checked={selected.has(c.id)} onChange={() => toggle(c.id)} />
              <div className="min-w-0 flex-1">
                <Link href={`/${slug}/customers/${c.id}`} className="flex items-center gap-1.5 font-medium text-slate-900 hover:underline">
                  <span className="truncate">{c.displayName}</span>
                  {c.verified && <BadgeCheck className="h-4 w-4 shrink-0 text-teal-600" aria-label="verified" />}
                  {c.blocked && <Ban className="h-4 w-4 shrink-0 text-red-600" aria-label="blocked" />}
                </Link>
                <p className="truncate text-xs text-slate-500">{c.identities.map((i) => i.value).join(" · ") || "no contact details"}</p>
                {c.tags.length > 0 && (
                  <p className="mt-1 flex flex-wrap gap-1">
                    {c.tags.map((t) => (
                      <span key={t} className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">
                        {t}
                      </span>
                    ))}
                  </p>
                )}
                <p className="mt-1 text-xs text-slate-500 md:hidden">
                  {c.channels.join(", ") || "no conversations"} · lead {c.leadScore} ({c.leadStage}) · trust {c.trustScore} · seen {ago(c.lastSeenAt)}
                </p>
              </div>
              <span className="hidden w-40 truncate text-sm text-slate-600 md:block">{c.channels.join(", ") || "–"}</span>
              <span className="hidden w-24 text-right md:block" data-testid="lead-cell">
                <LeadStageChip stage={c.leadStage} score={c.leadScore} />
              </span>
              <span className="hidden w-16 text-right md:block">
                <span className={`rounded px-1.5 py-0.5 text-xs font-medium tabular-nums ${trustColor(c.trustScore)}`}>{c.trustScore}</span>
              </span>
              <span className="hidden w-28 text-right text-sm text-slate-600 md:block">{ago(c.lastSeenAt)}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
