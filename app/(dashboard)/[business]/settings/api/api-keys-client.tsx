"use client";
// The business's API keys: create one (its secret is shown once, here), see each key's scopes, expiry
// and use, and revoke it.
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import type { ApiKeyView } from "@/lib/services/api-keys";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

type State = { error?: string; ok?: string; fieldErrors?: Record<string, string> } | null;

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "never");

export function ApiKeys({ slug, keys, scopes, resources }: { slug: string; keys: ApiKeyView[]; scopes: string[]; resources: Record<string, string> }) {
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [expiresAt, setExpiresAt] = useState("");
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [state, setState] = useState<State>(null);
  const [pending, start] = useTransition();
  const err = (field: string) => state?.fieldErrors?.[field];
  const toggle = (scope: string) => setChosen((c) => (c.includes(scope) ? c.filter((s) => s !== scope) : [...c, scope]));

  return (
    <div className="space-y-6">
      {secret && (
        <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium text-amber-900">Copy the key {secret.name} now: it is shown only this once and cannot be seen again.</p>
          <div className="flex flex-wrap items-center gap-2">
            <code className="min-w-0 break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="api-key-secret">
              {secret.value}
            </code>
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                void navigator.clipboard?.writeText(secret.value).then(() => setCopied(true));
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button type="button" variant="ghost" onClick={() => setSecret(null)}>
              Done
            </Button>
          </div>
        </div>
      )}

      <form
        className="space-y-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          start(async () => {
            const r = await createApiKeyAction(slug, { name, scopes: chosen, expiresAt });
            if ("error" in r) return setState(r);
            setState(null);
            setSecret({ name: r.key.name, value: r.secret });
            setCopied(false);
            setName("");
            setChosen([]);
            setExpiresAt("");
          });
        }}
      >
        <div className="grid gap-3 sm:grid-cols-[1fr_12rem]">
          <Field label="Name" htmlFor="apiKeyName" error={err("name")} hint="What uses it, e.g. “HubSpot sync”.">
            <Input id="apiKeyName" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label="Expires (optional)" htmlFor="apiKeyExpires" error={err("expiresAt")} hint="Empty: until revoked.">
            <Input id="apiKeyExpires" type="date" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </Field>
        </div>
        <fieldset aria-describedby={err("scopes") ? "apiKeyScopes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-700">What it may do</legend>
          <p className="text-xs text-slate-500">Write includes read.</p>
          <div className="mt-2 grid gap-2 sm:grid-cols-2">
            {Object.entries(resources).map(([resource, description]) => (
              <div key={resource} className="rounded-md border border-slate-200 p-2 text-sm">
                <div className="font-medium capitalize">{resource}</div>
                <div className="mb-1 text-xs text-slate-500">{description}</div>
                <div className="flex gap-4">
                  {scopes
                    .filter((s) => s.startsWith(`${resource}:`))
                    .map((scope) => (
                      <label key={scope} className="inline-flex items-center gap-1.5">
                        <input type="checkbox" checked={chosen.includes(scope)} onChange={() => toggle(scope)} />
                        {scope.split(":")[1]}
                      </label>
                    ))}
                </div>
              </div>
            ))}
          </div>
          {err("scopes") && (
            <p id="apiKeyScopes-error" className="mt-1 text-xs text-red-600">
              {err("scopes")}
            </p>
          )}
        </fieldset>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create key"}
          </Button>
          <FormMessage state={state} />
        </div>
      </form>

      {keys.length === 0 ? (
        <p className="text-sm text-slate-500">No keys yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-slate-500">
              <tr>
                <th className="py-2 pr-3 font-medium">Key</th>
                <th className="py-2 pr-3 font-medium">Scopes</th>
                <th className="py-2 pr-3 font-medium">Last used</th>
                <th className="py-2 pr-3 font-medium">Requests</th>
                <th className="py-2 pr-3 font-medium">Expires</th>
                <th className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} className="border-t border-slate-100 align-top">
                  <td className="py-2 pr-3">
                    <div className="font-medium">{k.name}</div>
                    <code className="font-mono text-xs text-slate-500">{k.prefix}…</code>
                    {k.status !== "active" && <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{k.status}</span>}
                  </td>
                  <td className="py-2 pr-3 font-mono text-xs">{k.scopes.join(", ")}</td>
                  <td className="py-2 pr-3">{when(k.lastUsedAt)}</td>
                  <td className="py-2 pr-3 tabular-nums">
                    {k.requestCount.toLocaleString()}
                    <div className="text-xs text-slate-500">limit {k.rateLimit}/min</div>
                  </td>
                  <td className="py-2 pr-3">{k.expiresAt ? when(k.expiresAt) : "never"}</td>
                  <td className="py-2 text-right">
                    {k.status === "active" && (
                      <Button
                        type="button"
                        variant="secondary"
                        disabled={pending}
                        onClick={() => {
                          if (!window.confirm(`Revoke ${k.name}? Requests with it are refused at once.`)) return;
                          start(async () => setState(await revokeApiKeyAction(slug, k.id)));
                        }}
                      >
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
