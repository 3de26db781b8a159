import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { KNOWLEDGE_EDITORS } from "@/lib/services/knowledge";
import { Card, PageHeader } from "@/components/ui/card";
import { ArticleEditor } from "@/components/knowledge/article-editor-client";

export const metadata = { title: "New article" };

export default async function NewArticlePage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  const canEdit = KNOWLEDGE_EDITORS.includes(ctx.actor.role);
  return (
    <div className="max-w-3xl">
      <Link href={`/${slug}/knowledge`} className="text-sm text-teal-700 hover:underline">
        ← Knowledge
      </Link>
      <PageHeader title="New article" description="Write it as you would explain it to a new receptionist. Use headings: each section becomes a chunk the agent can retrieve." />
      {canEdit ? (
        <Card>
          <ArticleEditor slug={slug} id={null} initial={{ title: "", content: "" }} canEdit />
        </Card>
      ) : (
        <p role="alert" className="text-sm text-slate-600">
          Only owners and admins can add articles.
        </p>
      )}
    </div>
  );
}
