// Costs: spend by day (by operation, channel or model), this month against the budget, what FAQ and
// cache answers saved, and the cost of a conversation the AI resolved. Owners and admins only.
import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { isManager } from "@/lib/services/context";
import { getCostsReport, PER_RESOLUTION_PRICE_USD, type CostsReport } from "@/lib/services/costs";
import { filterQuery } from "@/lib/services/report-filters";
import { NoAccess } from "@/components/dashboard/no-access";
import { Card, PageHeader } from "@/components/ui/card";
import { BadFilters, ReportFiltersForm } from "@/components/reports/filters";
import { Definition } from "@/components/reports/definition";
import { money, percent } from "@/components/reports/format";
import { StackedBars } from "@/components/reports/stacked-bars-client";

export const metadata = { title: "Costs" };
export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

const strings = (raw: SearchParams) => Object.fromEntries(Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));

function dateLabel(day: string | null): string {
  if (!day) return "";
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!)).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

export default async function Page({ params, searchParams }: { params: Promise<{ business: string }>; searchParams?: Promise<SearchParams> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  // Spending is owners' and admins' business (as in Settings → Limits & budget); the loader checks it too.
  if (!isManager(ctx)) return <NoAccess slug={slug} section="Costs" reason="Only owners and admins can see what this business spends." />;
  const input = strings((await searchParams) ?? {});
  let report: CostsReport;
  try {
    report = await getCostsReport({ ctx, input });
  } catch (err) {
    if (err instanceof AppError && err.code === "bad_request") {
      return (
        <div>
          <PageHeader title="Costs" />
          <BadFilters message={err.message} href={`/${slug}/costs`} />
        </div>
      );
    }
    throw err;
  }
  const f = report.filters;
  const query = filterQuery(f);
  const { budget, savings, perResolution } = report;
  const used = budget.limitMicros > 0 ? budget.monthToDateMicros / budget.limitMicros : 1;
  const firstStep = budget.steps.find((s) => !s.reached);
  const toView = (id: "operation" | "channel" | "model", label: string) => ({
    id,
    label,
    keys: report.series[id].keys.map((k) => ({ key: k.key, label: k.label, total: k.micros })),
    days: report.series[id].days,
  });

  return (
    <div className="space-y-6">
      <PageHeader title="Costs" description={`Everything this business paid for, ${dateLabel(f.from)} – ${dateLabel(f.to)} (${f.timeZone}).`}>
        <ReportFiltersForm action={`/${slug}/costs`} values={{ period: f.period, from: f.from, to: f.to, channel: f.channel }} csvHref={`/api/businesses/${slug}/costs/export?${query}`} />
      </PageHeader>

      <div className="grid gap-4 sm:grid-cols-3">
        <Card>
          <p className="text-sm text-slate-600">
            Spent in this period
            <Definition id="spent" term="Spent in this period" lines={["The sum of every cost event recorded in the period: model calls, embeddings, SMS segments, WhatsApp messages, call minutes and emails.", f.channel ? "Only costs of conversations on this channel (and channel charges of it) are counted." : "Every channel, and costs of no conversation (knowledge uploads, cache warming)."]} />
          </p>
          <p className="mt-1 text-2xl font-semibold tabular-nums" data-testid="costs-total">
            {money(report.totalMicros)}
          </p>
          <p className="text-xs text-slate-500">{report.events.toLocaleString("en-US")} billable operations</p>
        </Card>
        <Card>
          <p className="text-sm text-slate-600">
            Saved by FAQ and cache
            <Definition id="saved" term="Saved by FAQ and cache" lines={["Answers served from an FAQ or the semantic cache in the period, times what one model answer cost on average in the same period.", "When no model answer was paid for in the period there is nothing to compare with, and the saving shows as $0."]} />
          </p>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{money(savings.savedMicros)}</p>
          <p className="text-xs text-slate-500">
            {savings.servedWithoutModel} of {savings.answers} answers
            {savings.avgModelAnswerMicros !== null ? ` × ${money(savings.avgModelAnswerMicros)} a model answer` : " (no paid model answer to compare with)"}
          </p>
        </Card>
        <Card>
          <p className="text-sm text-slate-600">
            Cost per resolved conversation
            <Definition id="per-resolution" term="Cost per resolved conversation" lines={["Every cost of the conversations the AI resolved (started in the period): its model calls, embeddings and channel charges, divided by their number.", "Resolved by the AI: the AI answered, no person replied or took over, and the customer did not write again on any channel within 72 hours."]} />
          </p>
          <p className="mt-1 text-2xl font-semibold tabular-nums">{perResolution.perConversationMicros === null ? "—" : money(perResolution.perConversationMicros)}</p>
          <p className="text-xs text-slate-500">
            {perResolution.conversations} resolved, {money(perResolution.micros)} in all. An assistant charging ${PER_RESOLUTION_PRICE_USD.toFixed(2)} per resolution would have
            cost {money(perResolution.perResolutionPriceMicros)}.
          </p>
        </Card>
      </div>

      <Card>
        <h2 className="font-medium">Spend by day</h2>
        <div className="mt-3">
          <StackedBars title="Spend by day" unit="usd" views={[toView("operation", "By operation"), toView("channel", "By channel"), toView("model", "By model")]} />
        </div>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <h2 className="font-medium">
            This month against the budget
            <Definition id="budget" term="This month against the budget" lines={["Spent: every cost event since the 1st of this month (local time, every channel). Pace: that, divided by the days gone.", "Projected: spent plus the pace for the days left. Runway: what is left of the budget divided by the pace."]} />
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            {money(budget.monthToDateMicros)} of {money(budget.limitMicros)} since {dateLabel(budget.periodStart)}.
          </p>
          <div className="mt-3 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow={Math.round(used * 100)} aria-valuemin={0} aria-valuemax={100} aria-label="Budget used">
            <div className={used >= 0.9 ? "h-full bg-red-600" : used >= 0.75 ? "h-full bg-amber-500" : "h-full bg-teal-600"} style={{ width: `${Math.min(100, Math.round(used * 100))}%` }} />
          </div>
          <dl className="mt-3 grid grid-cols-2 gap-2 text-sm">
            <dt className="text-slate-600">Pace</dt>
            <dd className="tabular-nums">{money(budget.dailyPaceMicros)} a day</dd>
            <dt className="text-slate-600">Projected month-end</dt>
            <dd className="tabular-nums">{money(budget.projectedMicros)}</dd>
            <dt className="text-slate-600">Runway</dt>
            <dd>
              {budget.runwayDays === null
                ? "Nothing is being spent"
                : budget.runwayDays === 0
                  ? "The budget is used up"
                  : budget.runsOutOn
                    ? `${budget.runwayDays} days (runs out ${dateLabel(budget.runsOutOn)})`
                    : `${budget.runwayDays} days: lasts the month`}
            </dd>
          </dl>
          <h3 className="mt-4 text-sm font-medium">When the budget runs low</h3>
          <ol className="mt-2 space-y-2 text-sm">
            {budget.steps.map((s) => (
              <li key={s.share} className={s === firstStep ? "rounded-md border border-amber-300 bg-amber-50 p-2" : "p-2"}>
                <span className="font-medium">
                  At {Math.round(s.share * 100)}% ({money(s.atMicros)}):
                </span>{" "}
                {s.what}{" "}
                <span className="text-slate-600">
                  {s.reached ? "Reached." : s.projectedOn ? `At this pace: ${dateLabel(s.projectedOn)}.` : "Not this month at this pace."}
                  {s === firstStep ? " This comes first." : ""}
                </span>
              </li>
            ))}
          </ol>
          <p className="mt-3 text-sm">
            <Link href={`/${slug}/settings/limits`} className="text-teal-700 hover:underline">
              Change the budget or auto-pause
            </Link>
          </p>
        </Card>

        <Card>
          <h2 className="font-medium">
            Answers by source
            <Definition id="tiers" term="Answers by source (hit rates)" lines={["Every answer the AI sent in the period, by where it came from: an FAQ, the semantic cache (by tier), the model, the offline responder, or a fallback or hand-off notice.", "The share is that source's answers divided by all of them."]} />
          </h2>
          {savings.answers === 0 ? (
            <p className="mt-2 text-sm text-slate-500">No answers in this period.</p>
          ) : (
            <table className="mt-2 w-full text-sm">
              <thead>
                <tr className="text-left text-slate-600">
                  <th className="py-1 font-medium">Source</th>
                  <th className="py-1 text-right font-medium">Answers</th>
                  <th className="py-1 text-right font-medium">Share</th>
                </tr>
              </thead>
              <tbody>
                {savings.tiers.map((t) => (
                  <tr key={t.tier} className="border-t border-slate-100">
                    <td className="py-1">{t.label}</td>
                    <td className="py-1 text-right tabular-nums">{t.answers}</td>
                    <td className="py-1 text-right tabular-nums">{percent(t.share)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </div>
  );
}
