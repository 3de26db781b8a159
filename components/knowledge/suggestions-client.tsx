"use client";
// Suggested FAQs: questions the model answered more than once, and questions the AI handed to staff,
// drafted from the staff's answer. One click makes one an FAQ.
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { FieldError, FormMessage, Input, Textarea, invalidIf } from "@/components/ui/field";
import { acceptSuggestionAction } from "@/app/(dashboard)/[business]/knowledge/actions";
import type { SuggestedFaq } from "@/lib/knowledge/suggestions";

function Suggestion({ slug, s, canEdit }: { slug: string; s: SuggestedFaq; canEdit: boolean }) {
  const [state, action, pending] = useActionState(acceptSuggestionAction.bind(null, slug), null);
  const [values, setValues] = useState({ question: s.question, answer: s.answer });
  const id = s.key.replace(/\W+/g, "-").slice(0, 40);
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4">
      <p className="text-xs text-slate-500">
        Asked {s.count === 1 ? "once" : `${s.count} times`} by {s.customers} {s.customers === 1 ? "customer" : "customers"} · last {new Date(s.lastAskedAt).toLocaleDateString()}
      </p>
      {s.from === "staff" && (
        <p className="mt-1 text-xs font-medium text-amber-800" data-testid="drafted-from-staff">
          The AI could not answer this and a person did: drafted from your team&rsquo;s reply.
        </p>
      )}
      {s.examples.length > 1 && <p className="mt-1 text-xs text-slate-500">Also asked as: {s.examples.filter((e) => e !== s.question).map((e) => `“${e}”`).join(", ")}</p>}
      {state?.ok ? (
        <div className="mt-2">
          <p className="font-medium">{values.question}</p>
          <FormMessage state={state} />
        </div>
      ) : (
        <form action={action} className="mt-2 space-y-2">
          <Input aria-label="Question" id={`s-${id}-q`} name="question" value={values.question} onChange={(e) => setValues((v) => ({ ...v, question: e.target.value }))} disabled={!canEdit} {...invalidIf(state?.fieldErrors?.question, `s-${id}-q-error`)} />
          <FieldError id={`s-${id}-q-error`} error={state?.fieldErrors?.question} />
          <Textarea aria-label="Answer" id={`s-${id}-a`} name="answer" rows={3} value={values.answer} onChange={(e) => setValues((v) => ({ ...v, answer: e.target.value }))} disabled={!canEdit} {...invalidIf(state?.fieldErrors?.answer, `s-${id}-a-error`)} />
          <FieldError id={`s-${id}-a-error`} error={state?.fieldErrors?.answer} />
          <FormMessage state={state} />
          {canEdit && (
            <Button type="submit" disabled={pending}>
              {pending ? "Adding…" : "Add as FAQ"}
            </Button>
          )}
        </form>
      )}
    </li>
  );
}

export function SuggestionList({ slug, suggestions, canEdit }: { slug: string; suggestions: SuggestedFaq[]; canEdit: boolean }) {
  if (!suggestions.length) {
    return (
      <p className="rounded-md border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600">
        No suggestions right now. When customers ask the same question more than once and the model has to answer it, or your team answers a question the AI could not, it shows up here, ready to become an FAQ.
      </p>
    );
  }
  return (
    <div>
      <p className="mb-3 text-sm text-slate-600">Customers asked these more than once and the model answered each time, or the AI could not answer them and your team did. As FAQs they are answered instantly and cost nothing. Edit the wording, then add.</p>
      <ul className="space-y-3">
        {suggestions.map((s) => (
          <Suggestion key={s.key} slug={slug} s={s} canEdit={canEdit} />
        ))}
      </ul>
    </div>
  );
}
