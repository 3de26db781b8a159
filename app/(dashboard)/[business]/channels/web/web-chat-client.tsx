"use client";
import { useState, useTransition } from "react";
import { Check, Copy } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Textarea } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import { snippetCopiedAction, updateWebChatAction } from "./actions";

export function CopySnippet({ slug, value }: { slug: string; value: string }) {
  const [copied, setCopied] = useState(false);
  // Copied with the button or selected and copied by hand: either way the set-up checklist hears of it.
  const noteCopied = () => void snippetCopiedAction(slug).catch(() => undefined);
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
      <pre className="min-w-0 flex-1 overflow-x-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs" data-testid="embed-snippet" onCopy={noteCopied}>
        {value}
      </pre>
      <Button
        type="button"
        variant="secondary"
        onClick={async () => {
          await navigator.clipboard.writeText(value);
          noteCopied();
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? <Check className="h-4 w-4" aria-hidden /> : <Copy className="h-4 w-4" aria-hidden />}
        {copied ? "Copied" : "Copy"}
      </Button>
    </div>
  );
}

type Values = { greeting: string; showPrismBranding: boolean; allowedOrigins: string };

export function WebChatSettingsForm({ slug, canEdit, appOrigin, initial }: { slug: string; canEdit: boolean; appOrigin: string; initial: Values }) {
  const [values, setValues] = useState<Values>(initial);
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => setState(await updateWebChatAction(slug, values)));
      }}
    >
      <fieldset disabled={!canEdit || pending} className="space-y-4">
        <Field label="Greeting" htmlFor="greeting" error={state?.fieldErrors?.greeting} hint="The first thing visitors read.">
          <Textarea id="greeting" rows={2} maxLength={500} value={values.greeting} onChange={(e) => setValues((v) => ({ ...v, greeting: e.target.value }))} />
        </Field>
        <Field
          label="Websites allowed to show the chat"
          htmlFor="allowedOrigins"
          error={state?.fieldErrors?.allowedOrigins}
          hint={`One per line, e.g. https://www.example.com or https://*.example.com. Leave empty to allow any website. The chat page on ${appOrigin} always works.`}
        >
          <Textarea
            id="allowedOrigins"
            rows={4}
            value={values.allowedOrigins}
            placeholder="https://www.example.com"
            onChange={(e) => setValues((v) => ({ ...v, allowedOrigins: e.target.value }))}
            className="font-mono text-xs"
          />
        </Field>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={values.showPrismBranding} onChange={(e) => setValues((v) => ({ ...v, showPrismBranding: e.target.checked }))} />
          Show “Powered by PrismAI” under the chat
        </label>
      </fieldset>
      <FormMessage state={state} />
      {canEdit ? (
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
      ) : (
        <p className="text-xs text-slate-500">Only owners and admins can change these.</p>
      )}
    </form>
  );
}
