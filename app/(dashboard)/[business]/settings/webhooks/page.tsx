import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { listWebhookEndpoints, MAX_ENDPOINTS } from "@/lib/services/webhooks";
import { WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { MAX_ATTEMPTS, DISABLE_AFTER_EXHAUSTED } from "@/lib/webhooks/deliver";
import { Card } from "@/components/ui/card";
import { SettingsNoAccess } from "../no-access";
import { EndpointActions, NewEndpointForm } from "./webhooks-client";

export const metadata = { title: "Webhooks" };

const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default async function WebhooksPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const endpoints = await listWebhookEndpoints({ ctx });
  const events = WEBHOOK_EVENTS.map((e) => ({ type: e.type, label: e.label, hint: e.hint }));
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-medium">Webhooks</h2>
        <p className="mt-1 text-sm text-slate-600">
          We POST each event you choose to your URL as JSON, signed the{" "}
          <a className="text-teal-700 hover:underline" href="https://www.standardwebhooks.com" target="_blank" rel="noreferrer">
            Standard Webhooks
          </a>{" "}
          way (headers webhook-id, webhook-timestamp and webhook-signature; any Standard Webhooks or Svix library verifies them with the endpoint&apos;s secret). A
          failed delivery is tried {MAX_ATTEMPTS} times over about 28 hours; events of one conversation arrive in order. An endpoint whose events fail every attempt{" "}
          {DISABLE_AFTER_EXHAUSTED} times in a row is turned off and the owners are emailed.
        </p>
      </Card>
      {endpoints.map((e) => (
        <Card key={e.id}>
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="min-w-0">
              <p className="break-all font-medium">{e.url}</p>
              {e.description && <p className="text-sm text-slate-600">{e.description}</p>}
              <p className="mt-1 text-xs text-slate-500">{e.events.join(" · ")}</p>
            </div>
            <span className={e.enabled ? "rounded bg-emerald-50 px-2 py-0.5 text-xs text-emerald-800" : "rounded bg-red-50 px-2 py-0.5 text-xs text-red-700"}>{e.enabled ? "On" : "Off"}</span>
          </div>
          <ul className="mt-2 space-y-0.5 text-sm text-slate-600">
            {!e.enabled && e.disabledReason && (
              <li>
                Off since {e.disabledAt ? when(e.disabledAt) : "—"}: {e.disabledReason}
              </li>
            )}
            <li>{e.pending === 0 ? "Nothing waiting." : `${e.pending} event${e.pending === 1 ? "" : "s"} waiting to be delivered.`}</li>
            <li>
              Last attempt:{" "}
              {e.lastAttempt ? `${when(e.lastAttempt.at)}, ${e.lastAttempt.ok ? "delivered" : "failed"}${e.lastAttempt.statusCode ? ` (${e.lastAttempt.statusCode})` : ""}` : "none yet"}
            </li>
            {e.rotatedUntil && <li>The previous secret also signs until {when(e.rotatedUntil)}.</li>}
          </ul>
          <div className="mt-3 flex flex-wrap items-center gap-3">
            <Link className="text-sm text-teal-700 hover:underline" href={`/${slug}/settings/webhooks/log?endpoint=${e.id}`}>
              Delivery log
            </Link>
          </div>
          <EndpointActions slug={slug} endpoint={{ id: e.id, url: e.url, description: e.description, events: e.events, enabled: e.enabled }} events={events} />
        </Card>
      ))}
      <Card>
        <h2 className="mb-4 font-medium">Add an endpoint</h2>
        {endpoints.length >= MAX_ENDPOINTS ? (
          <p className="text-sm text-slate-600">This business has {MAX_ENDPOINTS} endpoints, the most it can have. Delete one to add another.</p>
        ) : (
          <NewEndpointForm slug={slug} events={events} />
        )}
      </Card>
    </div>
  );
}
