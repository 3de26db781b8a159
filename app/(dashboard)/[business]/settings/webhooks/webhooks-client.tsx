"use client";
// Settings → Webhooks: add an endpoint, edit one, show or rotate its secret, turn it off or on, delete it.
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import {
  createWebhookEndpointAction,
  deleteWebhookEndpointAction,
  revealWebhookSecretAction,
  rotateWebhookSecretAction,
  updateWebhookEndpointAction,
  type WebhookState,
} from "./actions";

type EventOption = { type: string; label: string; hint: string };
type Endpoint = { id: string; url: string; description: string | null; events: string[]; enabled: boolean };

function Secret({ secret }: { secret?: string }) {
  if (!secret) return null;
  return (
    <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
      Signing secret: <code className="break-all font-mono" data-testid="webhook-secret">{secret}</code>
    </p>
  );
}

function EndpointFields({ idPrefix, url, setUrl, description, setDescription, chosen, setChosen, events, state }: {
  idPrefix: string;
  url: string;
  setUrl: (v: string) => void;
  description: string;
  setDescription: (v: string) => void;
  chosen: string[];
  setChosen: (v: string[]) => void;
  events: EventOption[];
  state: WebhookState;
}) {
  const err = (f: string) => state?.fieldErrors?.[f];
  return (
    <>
      <Field label="URL" htmlFor={`${idPrefix}-url`} error={err("url")} hint="https:// and a public address; it must answer 2xx within 15 seconds.">
        <Input id={`${idPrefix}-url`} type="url" inputMode="url" autoComplete="off" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/webhooks/prismai" />
      </Field>
      <Field label="Description (optional)" htmlFor={`${idPrefix}-description`} error={err("description")}>
        <Input id={`${idPrefix}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} />
      </Field>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Events</legend>
        <div className="mt-1 space-y-1">
          {events.map((e) => (
            <label key={e.type} className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                className="mt-1"
                checked={chosen.includes(e.type)}
                onChange={(x) => setChosen(x.target.checked ? [...chosen, e.type] : chosen.filter((c) => c !== e.type))}
              />
              <span>
                {e.label} <code className="text-xs text-slate-500">{e.type}</code>
                <span className="block text-xs text-slate-500">{e.hint}</span>
              </span>
            </label>
          ))}
        </div>
        {err("events") && <p className="mt-1 text-sm text-red-700">{err("events")}</p>}
      </fieldset>
    </>
  );
}

export function NewEndpointForm({ slug, events }: { slug: string; events: EventOption[] }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [state, setState] = useState<WebhookState>(null);
  const [pending, start] = useTransition();
  return (
    <form
      className="space-y-3"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await createWebhookEndpointAction(slug, { url, description, events: chosen });
          setState(r);
          if (r?.ok) {
            setUrl("");
            setDescription("");
            setChosen([]);
          }
        });
      }}
    >
      <EndpointFields idPrefix="new-endpoint" {...{ url, setUrl, description, setDescription, chosen, setChosen, events, state }} />
      <FormMessage state={state} />
      <Secret secret={state?.secret} />
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add endpoint"}
      </Button>
    </form>
  );
}

export function EndpointActions({ slug, endpoint, events }: { slug: string; endpoint: Endpoint; events: EventOption[] }) {
  const [editing, setEditing] = useState(false);
  const [url, setUrl] = useState(endpoint.url);
  const [description, setDescription] = useState(endpoint.description ?? "");
  const [chosen, setChosen] = useState<string[]>(endpoint.events);
  const [state, setState] = useState<WebhookState>(null);
  const [pending, start] = useTransition();
  const run = (fn: () => Promise<WebhookState>) => start(async () => setState(await fn()));
  return (
    <div className="mt-3 space-y-3">
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" disabled={pending} onClick={() => run(() => revealWebhookSecretAction(slug, endpoint.id))}>
          Show secret
        </Button>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => run(() => rotateWebhookSecretAction(slug, endpoint.id))}>
          Rotate secret
        </Button>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => setEditing(!editing)}>
          {editing ? "Cancel editing" : "Edit"}
        </Button>
        <Button type="button" variant="secondary" disabled={pending} onClick={() => run(() => updateWebhookEndpointAction(slug, endpoint.id, { enabled: !endpoint.enabled }))}>
          {endpoint.enabled ? "Turn off" : "Turn on"}
        </Button>
        <Button
          type="button"
          variant="danger"
          disabled={pending}
          onClick={() => {
            if (window.confirm(`Delete the endpoint ${endpoint.url} and its delivery log?`)) run(() => deleteWebhookEndpointAction(slug, endpoint.id));
          }}
        >
          Delete
        </Button>
      </div>
      {editing && (
        <form
          className="space-y-3"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            start(async () => {
              const r = await updateWebhookEndpointAction(slug, endpoint.id, { url, description, events: chosen });
              setState(r);
              if (r?.ok) setEditing(false);
            });
          }}
        >
          <EndpointFields idPrefix={`endpoint-${endpoint.id}`} {...{ url, setUrl, description, setDescription, chosen, setChosen, events, state }} />
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </Button>
        </form>
      )}
      <FormMessage state={state} />
      <Secret secret={state?.secret} />
    </div>
  );
}
