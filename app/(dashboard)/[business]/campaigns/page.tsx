// Campaigns: proactive messages to an audience built from filters, within consent, quiet hours and
// the budget; each campaign's per-recipient status, A/B result and cost against its estimate.
// Owners and admins only (campaigns spend the budget and speak for the business).
import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { isManager } from "@/lib/services/context";
import { getCampaign, listCampaigns, listSegments, whatsappTemplateChoices, type CampaignDetail } from "@/lib/campaigns/service";
import { describeTrigger, readTrigger } from "@/lib/campaigns/triggers";
import { NoAccess } from "@/components/dashboard/no-access";
import { Card, PageHeader } from "@/components/ui/card";
import { CampaignControls, CampaignEditor, StatusChart } from "./campaigns-client";

export const metadata = { title: "Campaigns" };
export const dynamic = "force-dynamic";

const when = (iso: string | Date | null) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—");
const usd = (v: number) => (v !== 0 && v < 0.01 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`);

const STATUS_STYLE: Record<string, string> = {
  draft: "bg-slate-100 text-slate-700",
  scheduled: "bg-sky-100 text-sky-800",
  sending: "bg-teal-100 text-teal-800",
  paused: "bg-amber-100 text-amber-800",
  completed: "bg-green-100 text-green-800",
  cancelled: "bg-red-100 text-red-800",
};

function Status({ status }: { status: string }) {
  return <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[status] ?? "bg-slate-100"}`}>{status}</span>;
}

export default async function CampaignsPage({ params, searchParams }: { params: Promise<{ business: string }>; searchParams?: Promise<Record<string, string | string[] | undefined>> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <NoAccess slug={slug} section="Campaigns" reason="Only owners and admins can send campaigns, which spend the budget and speak for the business." />;
  const id = (await searchParams)?.id;
  if (typeof id === "string" && id) {
    let detail: CampaignDetail;
    try {
      detail = await getCampaign({ ctx, input: { id } });
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") {
        return (
          <div>
            <PageHeader title="Campaigns" />
            <p role="alert" className="text-sm">
              That campaign was not found.{" "}
              <Link href={`/${slug}/campaigns`} className="text-teal-700 hover:underline">
                All campaigns
              </Link>
            </p>
          </div>
        );
      }
      throw err;
    }
    return <CampaignView slug={slug} detail={detail} />;
  }
  const [campaigns, segments, waTemplates] = await Promise.all([listCampaigns({ ctx }), listSegments({ ctx }), whatsappTemplateChoices({ ctx })]);
  return (
    <div className="space-y-6">
      <PageHeader title="Campaigns" description="Messages you start: to the customers you choose, on the channel each one answers on, with their consent, at their local hours, within your budget." />
      <Card>
        <h2 className="font-medium">Your campaigns</h2>
        {campaigns.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600">No campaigns yet. Build an audience and a message below; you will see previews and the cost before anything is sent.</p>
        ) : (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full min-w-[36rem] text-left text-sm">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="py-2 pr-3">Name</th>
                  <th className="py-2 pr-3">Status</th>
                  <th className="py-2 pr-3">Channels</th>
                  <th className="py-2 pr-3">Sent</th>
                  <th className="py-2">Created</th>
                </tr>
              </thead>
              <tbody>
                {campaigns.map((c) => (
                  <tr key={c.id} className="border-t border-slate-100">
                    <td className="py-2 pr-3">
                      <Link href={`/${slug}/campaigns?id=${c.id}`} className="font-medium text-teal-700 hover:underline">
                        {c.name}
                      </Link>
                      {c.trigger && <p className="text-xs text-slate-600">{c.trigger}</p>}
                      {c.pausedReason && <p className="text-xs text-amber-800">{c.pausedReason}</p>}
                    </td>
                    <td className="py-2 pr-3">
                      <Status status={c.status} />
                    </td>
                    <td className="py-2 pr-3">{c.channelKinds.join(", ") || "any"}</td>
                    <td className="py-2 pr-3">
                      {c.sent} / {c.recipients}
                    </td>
                    <td className="py-2">{when(c.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card>
        <h2 className="mb-4 font-medium">New campaign</h2>
        <CampaignEditor slug={slug} segments={segments.map((s) => ({ id: s.id, name: s.name, filter: s.filter }))} waTemplates={waTemplates} />
      </Card>
    </div>
  );
}

function CampaignView({ slug, detail }: { slug: string; detail: CampaignDetail }) {
  const { campaign, summary, recipients, estimate } = detail;
  const trigger = readTrigger(campaign.trigger);
  const shown = recipients.slice(0, 300);
  return (
    <div className="space-y-6">
      <PageHeader title={campaign.name} description={`${campaign.mode === "ai" ? "AI-personalised from the brief" : "Template"} · ${campaign.channelKinds.join(", ") || "any channel"}`}>
        <Link href={`/${slug}/campaigns`} className="text-sm text-teal-700 hover:underline">
          All campaigns
        </Link>
      </PageHeader>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="min-w-0 space-y-3">
          <p className="flex items-center gap-2 text-sm">
            <Status status={campaign.status} />
            {campaign.scheduledAt && <span className="text-slate-600">starts {when(campaign.scheduledAt)}</span>}
          </p>
          {trigger && (
            <p className="text-sm" data-testid="campaign-trigger">
              <span className="font-medium">Triggered:</span> {describeTrigger(trigger)}, once per occurrence, from the day it starts until it is paused or cancelled.
            </p>
          )}
          {campaign.pausedReason && (
            <p role="alert" className="text-sm text-amber-800">
              {campaign.pausedReason}
            </p>
          )}
          <div className="text-sm">
            <p className="font-medium">Message A</p>
            <p className="whitespace-pre-wrap break-words text-slate-700">{campaign.body}</p>
            {campaign.bodyB && (
              <>
                <p className="mt-2 font-medium">Message B</p>
                <p className="whitespace-pre-wrap break-words text-slate-700">{campaign.bodyB}</p>
              </>
            )}
            {campaign.brief && (
              <>
                <p className="mt-2 font-medium">Brief</p>
                <p className="whitespace-pre-wrap break-words text-slate-700">{campaign.brief}</p>
              </>
            )}
          </div>
          <CampaignControls slug={slug} id={campaign.id} status={campaign.status} triggered={!!trigger} />
        </Card>
        <Card className="min-w-0 space-y-3">
          <h2 className="font-medium">Recipients by status</h2>
          {recipients.length ? <StatusChart counts={summary.counts} /> : <p className="text-sm text-slate-600">{trigger ? "Nobody yet: customers are enrolled as the event happens to them." : "Nobody yet: the recipients are written when the campaign starts."}</p>}
          {Object.keys(summary.skippedReasons).length > 0 && (
            <p className="text-sm text-slate-600">
              Skipped: {Object.entries(summary.skippedReasons).map(([k, v]) => `${k} ${v}`).join(", ")}
            </p>
          )}
          {estimate && (
            <p className="text-sm" data-testid="estimate-vs-actual">
              Estimated {usd(estimate.totalUsd)} for {estimate.sending} messages; spent so far {usd(summary.actualUsd)} on {usd(summary.estimateUsd)} estimated for what was sent
              {summary.deviation !== null && ` (${summary.deviation >= 0 ? "+" : ""}${(summary.deviation * 100).toFixed(1)} %)`}.
            </p>
          )}
          {summary.groups.length > 1 && (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="text-xs uppercase text-slate-500">
                  <tr>
                    <th className="py-1 pr-3">Group</th>
                    <th className="py-1 pr-3">Reached</th>
                    <th className="py-1 pr-3">Converted</th>
                    <th className="py-1">Rate</th>
                  </tr>
                </thead>
                <tbody>
                  {summary.groups.map((g) => (
                    <tr key={g.group} className="border-t border-slate-100">
                      <td className="py-1 pr-3">{g.group === "holdout" ? "Holdout (nothing sent)" : `Message ${g.group}`}</td>
                      <td className="py-1 pr-3">{g.sent}</td>
                      <td className="py-1 pr-3">{g.converted}</td>
                      <td className="py-1">{(g.rate * 100).toFixed(1)} %</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {summary.verdict && <p className="mt-2 text-sm">{summary.verdict}</p>}
            </div>
          )}
        </Card>
      </div>
      <Card>
        <h2 className="font-medium">Recipients</h2>
        {recipients.length > shown.length && <p className="text-sm text-slate-600">The first {shown.length} of {recipients.length}, by send time.</p>}
        <div className="mt-3 overflow-x-auto">
          <table className="w-full min-w-[40rem] text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-2 pr-3">Customer</th>
                <th className="py-2 pr-3">Channel</th>
                <th className="py-2 pr-3">Group</th>
                <th className="py-2 pr-3">Status</th>
                <th className="py-2">Due / sent</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id} className="border-t border-slate-100">
                  <td className="py-2 pr-3">
                    {r.conversationId ? (
                      <Link href={`/${slug}/inbox?c=${r.conversationId}`} className="text-teal-700 hover:underline">
                        {r.name ?? "Unnamed customer"}
                      </Link>
                    ) : (
                      (r.name ?? "Unnamed customer")
                    )}
                  </td>
                  <td className="py-2 pr-3">{r.channel ?? "—"}</td>
                  <td className="py-2 pr-3">{r.variant}</td>
                  <td className="py-2 pr-3">
                    {r.status}
                    {r.reason && <span className="text-slate-600"> ({r.reason})</span>}
                  </td>
                  <td className="py-2">{r.sentAt ? when(r.sentAt) : when(r.dueAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
