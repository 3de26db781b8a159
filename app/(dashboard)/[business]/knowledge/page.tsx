import { Suspense } from "react";
import Link from "next/link";
import { FileText, Plus } from "lucide-react";
import { stripNul } from "@/lib/validation/text";
import { memberContext } from "@/lib/auth/member";
import type { MemberCtx } from "@/lib/services/context";
import { listBusinessFaqs, listSuggestedFaqs } from "@/lib/services/faqs";
import { KNOWLEDGE_EDITORS, listKnowledge } from "@/lib/services/knowledge";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { AgentFindBox } from "@/components/knowledge/agent-find-client";
import { FaqManager } from "@/components/knowledge/faqs-client";
import { SuggestionList } from "@/components/knowledge/suggestions-client";
import { UploadPanel } from "@/components/knowledge/upload-client";

export const metadata = { title: "Knowledge" };

const TABS = [
  { id: "articles", label: "Articles & documents" },
  { id: "faqs", label: "FAQs" },
  { id: "suggested", label: "Suggested FAQs" },
] as const;
type Tab = (typeof TABS)[number]["id"];

const TYPE_LABEL: Record<string, string> = { article: "Article", txt: "Text", md: "Markdown", html: "Web page", pdf: "PDF", docx: "Word" };

function Skeleton() {
  return (
    <div className="space-y-2" aria-busy="true" aria-label="Loading">
      {[0, 1, 2].map((i) => (
        <div key={i} className="h-14 animate-pulse rounded-md bg-slate-100" />
      ))}
    </div>
  );
}

async function Documents({ slug, ctx, canEdit }: { slug: string; ctx: MemberCtx; canEdit: boolean }) {
  const docs = await listKnowledge({ ctx });
  return (
    <div className="space-y-4">
      {canEdit && (
        <div className="flex flex-wrap items-start gap-3">
          <Button asChild>
            <Link href={`/${slug}/knowledge/articles/new`}>
              <Plus className="h-4 w-4" aria-hidden />
              New article
            </Link>
          </Button>
        </div>
      )}
      {canEdit && <UploadPanel slug={slug} />}
      {docs.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600">
          Nothing here yet. Write an article or upload your price list, policies and aftercare guides: the agent answers from them.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {docs.map((d) => (
            <li key={d.id}>
              <Link href={`/${slug}/knowledge/articles/${d.id}`} className="flex items-center gap-3 px-4 py-3 hover:bg-slate-50">
                <FileText className="h-5 w-5 shrink-0 text-slate-400" aria-hidden />
                <span className="min-w-0 flex-1">
                  <span className="block truncate font-medium">{d.title}</span>
                  {d.status === "failed" ? (
                    <span className="block truncate text-xs text-red-700">
                      {d.filename ?? TYPE_LABEL[d.sourceType] ?? d.sourceType} could not be read: {d.error}
                    </span>
                  ) : (
                    <span className="block truncate text-xs text-slate-500">
                      {TYPE_LABEL[d.sourceType] ?? d.sourceType}
                      {d.filename ? ` · ${d.filename}` : ""} · {d.chunks} {d.chunks === 1 ? "chunk" : "chunks"}
                      {d.embedded < d.chunks ? ` (${d.chunks - d.embedded} waiting to be indexed by meaning)` : ""} · updated {d.updatedAt.toLocaleDateString()}
                    </span>
                  )}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

async function Faqs({ slug, ctx, canEdit, question }: { slug: string; ctx: MemberCtx; canEdit: boolean; question?: string }) {
  const faqs = await listBusinessFaqs({ ctx });
  return (
    <FaqManager
      slug={slug}
      canEdit={canEdit}
      initialQuestion={question}
      faqs={faqs.map((f) => ({ id: f.id, question: f.question, answer: f.answer, enabled: f.enabled, hits: f.hits }))}
    />
  );
}

async function Suggested({ slug, ctx, canEdit }: { slug: string; ctx: MemberCtx; canEdit: boolean }) {
  const suggestions = await listSuggestedFaqs({ ctx });
  return <SuggestionList slug={slug} suggestions={suggestions} canEdit={canEdit} />;
}

export default async function KnowledgePage({ params, searchParams }: { params: Promise<{ business: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { business: slug } = await params;
  const sp = await searchParams;
  const tab: Tab = TABS.some((t) => t.id === sp.tab) ? (sp.tab as Tab) : "articles";
  const { ctx } = await memberContext(slug);
  const canEdit = KNOWLEDGE_EDITORS.includes(ctx.actor.role);
  return (
    <div className="max-w-5xl">
      <PageHeader title="Knowledge" description="What your agent knows and answers from: articles, uploaded documents and FAQs." />
      <AgentFindBox slug={slug} />
      {!canEdit && <p className="mt-4 text-sm text-slate-600">You can read the knowledge base; owners and admins change it, because it changes what the agent tells every customer.</p>}
      <nav aria-label="Knowledge sections" className="mt-6 flex gap-1 overflow-x-auto border-b border-slate-200">
        {TABS.map((t) => (
          <Link
            key={t.id}
            href={`/${slug}/knowledge${t.id === "articles" ? "" : `?tab=${t.id}`}`}
            aria-current={tab === t.id ? "page" : undefined}
            className={`-mb-px shrink-0 border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-teal-600 text-teal-800" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      <div className="mt-4">
        <Suspense key={tab} fallback={<Skeleton />}>
          {tab === "articles" && <Documents slug={slug} ctx={ctx} canEdit={canEdit} />}
          {tab === "faqs" && <Faqs slug={slug} ctx={ctx} canEdit={canEdit} question={typeof sp.question === "string" ? stripNul(sp.question).slice(0, 500) : undefined} />}
          {tab === "suggested" && <Suggested slug={slug} ctx={ctx} canEdit={canEdit} />}
        </Suspense>
      </div>
    </div>
  );
}
