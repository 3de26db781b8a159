import Link from "next/link";
import { notFound } from "next/navigation";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { getDocumentWithChunks, KNOWLEDGE_EDITORS } from "@/lib/services/knowledge";
import { Card, PageHeader } from "@/components/ui/card";
import { ArticleEditor } from "@/components/knowledge/article-editor-client";

export const metadata = { title: "Article" };

const SOURCE: Record<string, string> = { article: "Written here", txt: "Uploaded text file", md: "Uploaded markdown", html: "Uploaded web page", pdf: "Uploaded PDF", docx: "Uploaded Word document" };

export default async function ArticlePage({ params, searchParams }: { params: Promise<{ business: string; id: string }>; searchParams: Promise<{ created?: string }> }) {
  const { business: slug, id } = await params;
  const { created } = await searchParams;
  const { ctx } = await memberContext(slug);
  const found = await getDocumentWithChunks({ ctx, input: { id } }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const { document: doc, chunks } = found;
  const canEdit = KNOWLEDGE_EDITORS.includes(ctx.actor.role);
  return (
    <div className="max-w-5xl">
      <Link href={`/${slug}/knowledge`} className="text-sm text-teal-700 hover:underline">
        ← Knowledge
      </Link>
      <PageHeader title={doc.title} description={`${SOURCE[doc.sourceType] ?? doc.sourceType}${doc.filename ? ` (${doc.filename})` : ""} · updated ${doc.updatedAt.toLocaleString()}`} />
      {created && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Saved and indexed: the agent can use it now.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
        <Card className="min-w-0">
          <ArticleEditor slug={slug} id={doc.id} initial={{ title: doc.title, content: doc.content }} canEdit={canEdit} />
        </Card>
        <aside>
          <h2 className="text-sm font-medium">How the agent sees it</h2>
          <p className="mb-2 text-xs text-slate-500">
            {chunks.length} {chunks.length === 1 ? "chunk" : "chunks"}, each retrieved on its own.
          </p>
          <ol className="space-y-2">
            {chunks.map((c) => (
              <li key={c.id} className="rounded-md border border-slate-200 bg-white p-2 text-xs">
                <p className="font-medium text-slate-700">{c.heading ?? "(no heading)"}</p>
                <p className="mt-0.5 line-clamp-3 text-slate-500">{c.content}</p>
                <p className="mt-0.5 text-slate-400">≈{c.tokenCount} tokens</p>
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}
