"use client";
// Writing and editing a markdown article, with a live preview; saving re-chunks and re-indexes it.
import { useActionState, useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Field, FieldError, FormMessage, Input, Textarea, invalidIf } from "@/components/ui/field";
import { deleteDocumentAction, saveArticleAction, type KnowledgeState } from "@/app/(dashboard)/[business]/knowledge/actions";
import { renderMarkdown } from "@/lib/knowledge/markdown";
import { MARKDOWN_CLASSES } from "./markdown-classes";

export function ArticleEditor({ slug, id, initial, canEdit }: { slug: string; id: string | null; initial: { title: string; content: string }; canEdit: boolean }) {
  const router = useRouter();
  const [values, setValues] = useState(initial);
  const [tab, setTab] = useState<"write" | "preview">(canEdit ? "write" : "preview");
  const [deleting, startDelete] = useTransition();
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [state, action, pending] = useActionState(async (prev: KnowledgeState, form: FormData) => {
    const r = await saveArticleAction(slug, id, prev, form);
    if (r?.ok && !id && r.id) router.push(`/${slug}/knowledge/articles/${r.id}?created=1`);
    return r;
  }, null);
  const html = useMemo(() => (tab === "preview" ? renderMarkdown(values.content) : ""), [tab, values.content]);

  return (
    <form action={action} className="space-y-4">
      <Field label="Title" htmlFor="article-title" error={state?.fieldErrors?.title}>
        <Input id="article-title" name="title" value={values.title} onChange={(e) => setValues((v) => ({ ...v, title: e.target.value }))} required maxLength={200} readOnly={!canEdit} />
      </Field>
      <div>
        <div role="tablist" aria-label="Editor" className="mb-2 flex gap-1">
          {(["write", "preview"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              onClick={() => setTab(t)}
              className={`rounded-md px-3 py-1.5 text-sm font-medium ${tab === t ? "bg-teal-50 text-teal-800" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {t === "write" ? "Write" : "Preview"}
            </button>
          ))}
        </div>
        {/* The textarea stays in the form while previewing, so its value is submitted. */}
        <Textarea
          id="article-content"
          aria-label="Article text (markdown)"
          name="content"
          rows={18}
          value={values.content}
          onChange={(e) => setValues((v) => ({ ...v, content: e.target.value }))}
          className={`font-mono text-[13px] ${tab === "write" ? "" : "hidden"}`}
          placeholder={"# Title\n\n## A section\nWrite in plain language. Headings split the article into the chunks the agent retrieves."}
          readOnly={!canEdit}
          {...invalidIf(state?.fieldErrors?.content, "article-content-error")}
        />
        <FieldError id="article-content-error" error={state?.fieldErrors?.content} className="mt-1" />
        {tab === "preview" && (
          <div className={`min-h-40 rounded-md border border-slate-200 bg-white p-4 ${MARKDOWN_CLASSES}`} dangerouslySetInnerHTML={{ __html: html || "<p><em>Nothing to preview yet.</em></p>" }} />
        )}
        <p className="mt-1 text-xs text-slate-500">Markdown: # headings, **bold**, - lists, [links](https://…). Sections under headings become separate chunks.</p>
      </div>
      <FormMessage state={state} />
      {deleteError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {deleteError}
        </p>
      )}
      {canEdit && (
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving and indexing…" : "Save"}
          </Button>
          {id && (
            <Button
              type="button"
              variant="danger"
              disabled={deleting}
              onClick={() => {
                if (!confirm(`Delete “${values.title}”? The agent will no longer use it.`)) return;
                startDelete(async () => {
                  const r = await deleteDocumentAction(slug, id);
                  if (r?.error) setDeleteError(r.error);
                  else router.push(`/${slug}/knowledge`);
                });
              }}
            >
              {deleting ? "Deleting…" : "Delete"}
            </Button>
          )}
        </div>
      )}
    </form>
  );
}
