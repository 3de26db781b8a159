"use client";
// HubSpot: paste a private-app token (checked with HubSpot before it is kept), or disconnect.
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import { connectHubspotAction, disconnectHubspotAction } from "./actions";

export function HubspotForm({ slug, connected }: { slug: string; connected: boolean }) {
  const [token, setToken] = useState("");
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  return (
    <div className="space-y-3">
      <form
        className="space-y-3"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          start(async () => {
            const r = await connectHubspotAction(slug, { token });
            setState(r);
            if (r?.ok) setToken("");
          });
        }}
      >
        <Field label={connected ? "Replace the access token" : "Private app access token"} htmlFor="hubspot-token" error={state?.fieldErrors?.token} hint="Kept encrypted; only its last 4 characters are shown again.">
          <Input id="hubspot-token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} placeholder="pat-na1-…" />
        </Field>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Checking…" : connected ? "Replace token" : "Connect HubSpot"}
          </Button>
          {connected && (
            <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setState(await disconnectHubspotAction(slug)))}>
              Disconnect
            </Button>
          )}
        </div>
      </form>
      <FormMessage state={state} />
    </div>
  );
}
