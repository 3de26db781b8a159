"use client";
// The FAQ list: add, edit, enable/disable, delete (owners and admins), CSV import and export.
import { useActionState, useMemo, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import * as Switch from "@radix-ui/react-switch";
import { Download, Upload } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, Textarea } from "@/components/ui/field";
import { createFaqAction, deleteFaqAction, toggleFaqAction, updateFaqAction, type KnowledgeState } from "@/app/(dashboard)/[business]/knowledge/actions";

export type FaqView = { id: string; question: string; answer: string; enabled: boolean; hits: number };

function FaqForm({ slug, faq, onDone, initialQuestion }: { slug: string; faq?: FaqView; onDone?: () => void; initialQuestion?: string }) {
  const action = faq ? updateFaqAction.bind(null, slug, faq.id) : createFaqAction.bind(null, slug);
  // Controlled, so a refused save keeps what was typed.
  const [values, setValues] = useState({ question: faq?.question ?? initialQuestion ?? "", answer: faq?.answer ?? "" });
  const [state, formAction, pending] = useActionState(async (prev: KnowledgeState, form: FormData) => {
    const r = await action(prev, form);
    if (r?.ok) {
      if (!faq) setValues({ question: "", answer: "" });
      onDone?.();
    }
    return r;
  }, null);
  const idp = faq ? `faq-${faq.id}` : "faq-new";
  return (
    <form action={formAction} className="space-y-3">
      <Field label="Question" htmlFor={`${idp}-q`} error={state?.fieldErrors?.question}>
        <Input id={`${idp}-q`} name="question" value={values.question} onChange={(e) => setValues((v) => ({ ...v, question: e.target.value }))} required maxLength={500} />
      </Field>
      <Field label="Answer" htmlFor={`${idp}-a`} error={state?.fieldErrors?.answer}>
        <Textarea id={`${idp}-a`} name="answer" rows={3} value={values.answer} onChange={(e) => setValues((v) => ({ ...v, answer: e.target.value }))} required maxLength={4000} />
      </Field>
      {faq && <input type="hidden" name="enabled" value={faq.enabled ? "on" : "off"} />}
      <FormMessage state={state} />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : faq ? "Save FAQ" : "Add FAQ"}
        </Button>
        {faq && onDone && (
          <Button type="button" variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}

function FaqRow({ slug, faq, canEdit }: { slug: string; faq: FaqView; canEdit: boolean }) {
  const [editing, setEditing] = useState(false);
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  if (editing) {
    return (
      <li className="py-3">
        <FaqForm slug={slug} faq={faq} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="flex flex-col gap-2 py-3 sm:flex-row sm:items-start sm:justify-between">
      <div className={`min-w-0 ${faq.enabled ? "" : "opacity-60"}`}>
        <p className="font-medium">{faq.question}</p>
        <p className="mt-0.5 whitespace-pre-line text-sm text-slate-600">{faq.answer}</p>
        <p className="mt-1 text-xs text-slate-500">
          {faq.enabled ? "Enabled" : "Disabled"} · answered {faq.hits} {faq.hits === 1 ? "time" : "times"}
        </p>
        {error && (
          <p role="alert" className="text-xs text-red-600">
            {error}
          </p>
        )}
      </div>
      {canEdit && (
        <div className="flex shrink-0 items-center gap-2">
          <Switch.Root
            checked={faq.enabled}
            disabled={pending}
            aria-label={`${faq.enabled ? "Disable" : "Enable"} “${faq.question}”`}
            onCheckedChange={(on) =>
              start(async () => {
                const r = await toggleFaqAction(slug, faq.id, on);
                setError(r?.error ?? null);
              })
            }
            className="relative h-5 w-9 rounded-full bg-slate-300 transition-colors data-[state=checked]:bg-teal-600"
          >
            <Switch.Thumb className="block h-4 w-4 translate-x-0.5 rounded-full bg-white shadow transition-transform data-[state=checked]:translate-x-[18px]" />
          </Switch.Root>
          <Button variant="ghost" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button
            variant="ghost"
            disabled={pending}
            onClick={() => {
              if (confirm(`Delete the FAQ “${faq.question}”?`)) start(async () => setError((await deleteFaqAction(slug, faq.id))?.error ?? null));
            }}
          >
            Delete
          </Button>
        </div>
      )}
    </li>
  );
}

function CsvTools({ slug, canEdit }: { slug: string; canEdit: boolean }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<KnowledgeState>(null);
  const [busy, setBusy] = useState(false);
  async function importFile(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setState(null);
    try {
      const body = new FormData();
      body.set("file", file);
      const res = await fetch(`/api/businesses/${slug}/faqs/import`, { method: "POST", body });
      const json = await res.json();
      setState(res.ok ? { ok: `Imported: ${json.created} added, ${json.updated} updated.` } : { error: json?.error?.message ?? "The import failed." });
      if (res.ok) router.refresh();
    } catch {
      setState({ error: "Could not reach the server. Try again." });
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button asChild variant="secondary">
          <a href={`/api/businesses/${slug}/faqs/export`} download>
            <Download className="h-4 w-4" aria-hidden />
            Export CSV
          </a>
        </Button>
        {canEdit && (
          <>
            <Button type="button" variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
              <Upload className="h-4 w-4" aria-hidden />
              {busy ? "Importing…" : "Import CSV"}
            </Button>
            <input ref={input} type="file" accept=".csv,text/csv" className="sr-only" aria-label="FAQ CSV file" onChange={(e) => importFile(e.target.files?.[0])} />
          </>
        )}
      </div>
      {canEdit && <p className="text-xs text-slate-500">Columns: question, answer, enabled (yes/no). A question that already exists is updated.</p>}
      <FormMessage state={state} />
    </div>
  );
}

/** initialQuestion: the new FAQ's question filled in (the digest links here with a question the AI could not answer) */
export function FaqManager({ slug, faqs, canEdit, initialQuestion }: { slug: string; faqs: FaqView[]; canEdit: boolean; initialQuestion?: string }) {
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f ? faqs.filter((x) => x.question.toLowerCase().includes(f) || x.answer.toLowerCase().includes(f)) : faqs;
  }, [faqs, filter]);
  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
      <div className="min-w-0">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="font-medium">
            {faqs.length} {faqs.length === 1 ? "FAQ" : "FAQs"}
          </h2>
          {faqs.length > 5 && <Input aria-label="Filter FAQs" placeholder="Filter…" value={filter} onChange={(e) => setFilter(e.target.value)} className="max-w-xs" />}
        </div>
        {faqs.length === 0 ? (
          <p className="mt-3 rounded-md border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600">
            No FAQs yet. FAQs answer common questions instantly and at no model cost.{canEdit ? " Add one, or import a CSV." : ""}
          </p>
        ) : (
          <ul className="divide-y divide-slate-200">
            {shown.map((f) => (
              <FaqRow key={f.id} slug={slug} faq={f} canEdit={canEdit} />
            ))}
          </ul>
        )}
      </div>
      <aside className="space-y-6">
        {canEdit && (
          <div className="rounded-lg border border-slate-200 bg-white p-4">
            <h3 className="mb-3 text-sm font-medium">Add an FAQ</h3>
            <FaqForm slug={slug} initialQuestion={initialQuestion} />
          </div>
        )}
        <CsvTools slug={slug} canEdit={canEdit} />
      </aside>
    </div>
  );
}
