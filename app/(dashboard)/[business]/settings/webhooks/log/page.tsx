import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/errors";
import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { getDeliveryLog } from "@/lib/services/webhooks";
import { Card } from "@/components/ui/card";
import { SettingsNoAccess } from "../../no-access";
import { ReplayButton } from "./replay-client";

export const metadata = { title: "Webhook delivery log" };

const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC";
const STATUS: Record<string, string> = { pending: "waiting to retry", sending: "sending", delivered: "delivered", failed: "failed every attempt" };

export default async function WebhookLogPage({ params, searchParams }: { params: Promise<{ business: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { business: slug } = await params;
  const q = await searchParams;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  // the log is one endpoint's: without one, the list of endpoints (each links to its own log)
  if (!first(q.endpoint)) redirect(`/${slug}/settings/webhooks`);
  const log = await getDeliveryLog({ ctx, input: { endpointId: first(q.endpoint), page: first(q.page) } }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const { endpoint, entries, page, more } = log;
  return (
    <div className="space-y-4">
      <Link href={`/${slug}/settings/webhooks`} className="text-sm text-teal-700 hover:underline">
        ← Webhooks
      </Link>
      <Card>
        <h2 className="font-medium">Delivery log</h2>
        <p className="mt-1 break-all text-sm text-slate-600">
          {endpoint.url}
          {endpoint.enabled ? "" : " (off)"}
        </p>
      </Card>
      {entries.length === 0 && <p className="text-sm text-slate-600">No events have been sent to this endpoint yet.</p>}
      {entries.map((d) => (
        <Card key={d.id}>
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div>
              <p className="font-medium">{d.eventType}</p>
              <p className="text-xs text-slate-500">
                <code>{d.webhookId}</code> · {when(d.createdAt)}
              </p>
              <p className="text-sm text-slate-600">
                {STATUS[d.status] ?? d.status}
                {d.nextAttemptAt ? `, next attempt ${when(d.nextAttemptAt)}` : ""}
              </p>
            </div>
            <ReplayButton slug={slug} deliveryId={d.id} />
          </div>
          {d.log.length > 0 && (
            <table className="mt-3 w-full text-left text-xs">
              <thead className="uppercase text-slate-500">
                <tr>
                  <th className="py-1 pr-2">When</th>
                  <th className="py-1 pr-2">How</th>
                  <th className="py-1 pr-2">Status</th>
                  <th className="py-1 pr-2">Duration</th>
                  <th className="py-1">Response</th>
                </tr>
              </thead>
              <tbody>
                {d.log.map((a, i) => (
                  <tr key={i} className="border-t border-slate-100 align-top">
                    <td className="py-1 pr-2 whitespace-nowrap">{when(a.at)}</td>
                    <td className="py-1 pr-2">{a.trigger === "replay" ? "replay" : "scheduled"}</td>
                    <td className={a.ok ? "py-1 pr-2 text-emerald-700" : "py-1 pr-2 text-red-700"}>{a.statusCode ?? "no answer"}</td>
                    <td className="py-1 pr-2 tabular-nums">{a.durationMs} ms</td>
                    <td className="py-1 break-all font-mono">{a.error ?? (a.responseBody || "—")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      ))}
      <div className="flex gap-4 text-sm">
        {page > 1 && (
          <Link className="text-teal-700 hover:underline" href={`/${slug}/settings/webhooks/log?endpoint=${endpoint.id}&page=${page - 1}`}>
            Newer
          </Link>
        )}
        {more && (
          <Link className="text-teal-700 hover:underline" href={`/${slug}/settings/webhooks/log?endpoint=${endpoint.id}&page=${page + 1}`}>
            Older
          </Link>
        )}
      </div>
    </div>
  );
}
