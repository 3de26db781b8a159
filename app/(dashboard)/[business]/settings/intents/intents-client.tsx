"use client";
import { useActionState, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import type { IntentView } from "@/lib/services/intents";
import { applyIntentTemplateAction, createIntentAction, deleteIntentAction, updateIntentAction } from "./actions";

export function IntentForm({ slug, intent, onDone }: { slug: string; intent?: Pick<IntentView, "id" | "name" | "description">; onDone?: () => void }) {
  const prefix = intent ? `intent-${intent.id}` : "intent-new";
  const [name, setName] = useState(intent?.name ?? "");
  const [description, setDescription] = useState(intent?.description ?? "");
  const [state, action, pending] = useActionState(async (prev: FormState, form: FormData) => {
    const result = intent ? await updateIntentAction(slug, intent.id, prev, form) : await createIntentAction(slug, prev, form);
    if (result?.ok) {
      if (!intent) {
        setName("");
        setDescription("");
      }
      onDone?.();
    }
    return result;
  }, null);
  return (
    <form action={action} className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[14rem_1fr]">
        <Field label="Name" htmlFor={`${prefix}-name`} error={state?.fieldErrors?.name}>
          <Input id={`${prefix}-name`} name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="book appointment" required />
        </Field>
        <Field label="One-line description" htmlFor={`${prefix}-description`} error={state?.fieldErrors?.description}>
          <Input
            id={`${prefix}-description`}
            name="description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            placeholder="Wants to book, change or cancel an appointment"
          />
        </Field>
      </div>
      <FormMessage state={state} />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : intent ? "Save" : "Add intent"}
        </Button>
        {intent && onDone && (
          <Button type="button" variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}

export function IntentRow({ slug, intent }: { slug: string; intent: IntentView }) {
  const [editing, setEditing] = useState(false);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<FormState>(null);
  if (editing) {
    return (
      <li className="py-3">
        <IntentForm slug={slug} intent={intent} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="flex flex-wrap items-start justify-between gap-2 py-2" data-testid="intent-row">
      <div className="min-w-0">
        <p className="text-sm font-medium">{intent.name}</p>
        <p className="text-xs text-slate-600">{intent.description || "No description."}</p>
        <p className="text-xs text-slate-500">
          {intent.examples} example{intent.examples === 1 ? "" : "s"} ({intent.corrections} from corrections) · {intent.messages30d} message
          {intent.messages30d === 1 ? "" : "s"} in 30 days
        </p>
        {result?.error && (
          <p className="text-xs text-red-600" role="alert">
            {result.error}
          </p>
        )}
      </div>
      <div className="flex gap-2">
        <Button type="button" variant="secondary" onClick={() => setEditing(true)}>
          Edit
        </Button>
        <Button
          type="button"
          variant="ghost"
          disabled={pending}
          onClick={() => {
            if (window.confirm(`Delete "${intent.name}"? Its messages will read as "other".`)) start(async () => setResult(await deleteIntentAction(slug, intent.id)));
          }}
        >
          Delete
        </Button>
      </div>
    </li>
  );
}

export function TemplatePicker({ slug, kind, kinds }: { slug: string; kind: string; kinds: { value: string; label: string }[] }) {
  const [chosen, setChosen] = useState(kind);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<FormState>(null);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end gap-2">
        <Field label="Kind of business" htmlFor="intent-template">
          <NativeSelect id="intent-template" value={chosen} onChange={(e) => setChosen(e.target.value)} className="w-56">
            {kinds.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setResult(await applyIntentTemplateAction(slug, chosen)))}>
          {pending ? "Adding…" : "Add its intents"}
        </Button>
      </div>
      <FormMessage state={result} />
    </div>
  );
}
