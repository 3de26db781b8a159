// Analytics: conversations over time by channel, the AI's resolution rate, hand-offs and why, first
// response times of the AI and of staff, resolution time. Each number links to its conversations in
// the inbox and has its definition one click away. Owners and admins only (the loader checks it too).
import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { isManager } from "@/lib/services/context";
import { getAnalyticsReport, HANDOFF_REASON_DEFINITION, HANDOFF_REASON_LABEL, type AnalyticsReport } from "@/lib/services/analytics";
import { CHANNEL_LABEL } from "@/lib/services/costs";
import { filterQuery } from "@/lib/services/report-filters";
import type { ReportSet } from "@/lib/db/reports";
import { NoAccess } from "@/components/dashboard/no-access";
import { Card, PageHeader } from "@/components/ui/card";
import { BadFilters, ReportFiltersForm } from "@/components/reports/filters";
import { Definition } from "@/components/reports/definition";
import { duration, money, percent } from "@/components/reports/format";
import { getTopicsReport } from "@/lib/services/topics";
import { StackedBars } from "@/components/reports/stacked-bars-client";

export const metadata = { title: "Analytics" };
export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

/** the reasons the definition always explains; the rarer ones (AI paused, the AI's judgement) when they occur */
const HANDOFF_REASONS_SHOWN = ["person", "rule", "low_confidence", "budget", "staff"];
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const strings = (raw: SearchParams) => Object.fromEntries(Object.entries(raw).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));

function Metric({
  label,
  value,
  detail,
  href,
  definition,
  linkTitle = "Open these conversations in the inbox",
}: {
  label: string;
  value: string;
  detail: string;
  href: string;
  definition: React.ReactNode;
  linkTitle?: string;
}) {
  return (
    <Card className="min-w-0">
      <p className="text-sm text-slate-600">
        {label}
        {definition}
      </p>
      <p className="mt-1 text-2xl font-semibold tabular-nums">
        <Link href={href} className="hover:underline" title={linkTitle}>
          {value}
        </Link>
      </p>
      <p className="text-xs text-slate-500">{detail}</p>
    </Card>
  );
}

export default async function Page({ params, searchParams }: { params: Promise<{ business: string }>; searchParams?: Promise<SearchParams> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  // Analytics include costs per answer and per channel: owners and admins only.
  if (!isManager(ctx)) return <NoAccess slug={slug} section="Analytics" reason="Only owners and admins can see this business's analytics." />;
  const input = strings((await searchParams) ?? {});
  let report: AnalyticsReport;
  try {
    report = await getAnalyticsReport({ ctx, input });
  } catch (err) {
    if (err instanceof AppError && err.code === "bad_request") {
      return (
        <div>
          <PageHeader title="Analytics" />
          <BadFilters message={err.message} href={`/${slug}/analytics`} />
        </div>
      );
    }
    throw err;
  }
  const f = report.filters;
  const s = report.summary;
  const inbox = (set: ReportSet, reason?: string) => {
    const p = new URLSearchParams({ status: "all", set, from: f.from, to: f.to });
    if (f.channel) p.set("channel", f.channel);
    if (reason) p.set("reason", reason);
    return `/${slug}/inbox?${p}`;
  };
  const hours = report.returnWindowHours;
  const topics = await getTopicsReport({ ctx, input });

  return (
    <div className="space-y-6">
      <PageHeader title="Analytics" description={`Conversations started ${f.from} to ${f.to} (${f.timeZone}).`}>
        <ReportFiltersForm
          action={`/${slug}/analytics`}
          values={{ period: f.period, from: f.from, to: f.to, channel: f.channel }}
          csvHref={`/api/businesses/${slug}/analytics/export?${filterQuery(f)}`}
        />
      </PageHeader>

      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Metric
          label="Conversations"
          value={String(s.conversations)}
          detail={`AI involved in ${percent(s.aiInvolvement)} (${s.ai_answered}); staff replied in ${s.staff_replied}${s.campaign_conversations ? `; ${s.campaign_conversations} began with a campaign message` : ""}`}
          href={inbox("conversations")}
          definition={
            <Definition
              id="conversations"
              term="Conversations"
              lines={[
                "Conversations started in the period (a customer's thread on one channel), on the chosen channel.",
                "AI involved: the share of them the AI replied to (an answer or a notice). Staff replied: those a person wrote in.",
                "Conversations staff had with the agent from Settings → Test your agent are not counted.",
              ]}
            />
          }
        />
        <Metric
          label="Resolved by the AI"
          value={percent(s.aiResolutionRate)}
          detail={`${s.ai_resolved} of ${s.conversations - s.pending} conversations; ${s.returned} came back within ${hours} h, ${s.pending} too recent to tell`}
          href={inbox("ai_resolved")}
          definition={
            <Definition
              id="ai-resolution"
              term="Resolved by the AI"
              lines={[
                `A conversation counts when the AI answered it (from an FAQ, the cache or the model), no person replied or took it over, it was not handed to a person, and the same customer did not write again on ANY channel within ${hours} hours of the AI's last answer.`,
                `The rate is those conversations divided by all conversations of the period except the ones whose last AI answer is less than ${hours} hours old (too early to tell).`,
              ]}
            />
          }
        />
        <Metric
          label="Handed to a person"
          value={percent(s.handoffRate)}
          detail={`${s.handed_off} of ${s.conversations} conversations`}
          href={inbox("handed_off")}
          definition={
            <Definition
              id="handoff"
              term="Handed to a person"
              lines={[
                "A conversation the AI or one of your rules handed to a person, that staff took over, or that a person replied in.",
                "The rate is those conversations divided by all conversations of the period.",
              ]}
            />
          }
        />
        <Metric
          label="Resolution time (median)"
          value={duration(s.resolution_median_s)}
          detail={`${s.resolution_count} resolved conversations`}
          href={inbox("resolved")}
          definition={
            <Definition
              id="resolution-time"
              term="Resolution time"
              lines={[
                "From the customer's first message to the resolution: the AI's last answer for a conversation the AI resolved, the closing for one staff answered and closed.",
                "The median: half the resolved conversations took less, half took more.",
              ]}
            />
          }
        />
        <Metric
          label="Customer satisfaction (CSAT)"
          value={s.csatAverage === null ? "—" : `${s.csatAverage.toFixed(1)} / 5`}
          detail={`${percent(s.csatSatisfiedShare)} rated 4 or 5; ${s.csat_answered} of ${s.csat_sent} surveys answered (${percent(s.csatResponseRate)})`}
          href={inbox("csat_answered")}
          definition={
            <Definition
              id="csat"
              term="Customer satisfaction (CSAT)"
              lines={[
                "When staff close a conversation, the customer is asked once how it went, on a scale of 1 (poor) to 5 (excellent): rating buttons in web chat, \"reply 1–5\" by SMS and WhatsApp (only within 24 hours of their last message), a link by email. Customers who opted out are never asked.",
                "The score is the average rating of the surveys answered; the share is how many of those rated 4 or 5.",
                "Answered: surveys with a rating divided by surveys sent, for conversations started in the period.",
              ]}
            />
          }
        />
        <Metric
          label="Booked (conversions)"
          value={percent(s.bookingRate)}
          detail={`${s.booked} of ${s.conversations} conversations ended in a booking`}
          href={`/${slug}/calendar`}
          linkTitle="Open the calendar"
          definition={
            <Definition
              id="booked"
              term="Booked (conversions)"
              lines={[
                "A conversation counts when a booking was made from it (by the AI or by staff) and it still stands: confirmed, or kept in the calendar as a no-show. Holds that ran out and cancelled bookings do not count.",
                "The rate is those conversations divided by all conversations of the period, on the chosen channel. A booking is also a campaign's goal when the campaign asks for one.",
              ]}
            />
          }
        />
      </div>

      <Card>
        <h2 className="font-medium">Conversations over time</h2>
        <div className="mt-3">
          <StackedBars
            title="Conversations over time"
            unit="count"
            views={[
              {
                id: "channel",
                label: "By channel",
                keys: report.channels.map((c) => ({ key: c, label: CHANNEL_LABEL[c] ?? c, total: report.byDay.reduce((n, d) => n + (d.values[c] ?? 0), 0) })),
                days: report.byDay,
              },
            ]}
          />
        </div>
      </Card>

      <Card>
        <h2 className="font-medium">
          Topics
          <Definition
            id="topics"
            term="Topics"
            lines={[
              `The period's customer questions (the newest ${topics.questions === 1000 ? "1,000" : topics.questions}) grouped by meaning; a topic needs two questions or more, and is named by the words its questions share.`,
              "Resolved by the AI: the first reply came from the AI itself (an answer from the model, the cache, a FAQ or the offline responder) and did not hand the conversation to a person.",
              "Cost: what the AI's replies to these questions cost; \u201cof it failing\u201d is the part spent on questions it did not resolve.",
            ]}
          />
        </h2>
        {topics.topics.length === 0 ? (
          <p className="mt-2 text-sm text-slate-500">Not enough questions in this period to group.</p>
        ) : (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full text-sm" data-testid="topics">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">Topic</th>
                  <th className="py-1 pr-3 text-right font-medium">Questions</th>
                  <th className="py-1 pr-3 text-right font-medium">Resolved by the AI</th>
                  <th className="py-1 text-right font-medium">Cost (of it failing)</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {topics.topics.map((t) => (
                  <tr key={`${t.name}-${t.example}`}>
                    <td className="py-1.5 pr-3">
                      <span className="font-medium">{t.name}</span>
                      {t.resolutionRate < 0.5 && t.failingCostMicros > 0 && <span className="ml-2 rounded bg-red-50 px-1.5 py-0.5 text-xs text-red-700">costs money and still fails</span>}
                      <span className="block truncate text-xs text-slate-500">&ldquo;{t.example}&rdquo;</span>
                    </td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{t.questions}</td>
                    <td className="py-1.5 pr-3 text-right tabular-nums">{percent(t.resolutionRate)}</td>
                    <td className="py-1.5 text-right tabular-nums">
                      {money(t.costMicros)} ({money(t.failingCostMicros)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card>
        <h2 className="font-medium">Intents over time</h2>
        <div className="mt-3">
          <StackedBars title="Intents over time" unit="count" views={[{ id: "intent", label: "By intent", keys: topics.intents, days: topics.intentsByDay }]} />
        </div>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card className="min-w-0">
          <h2 className="font-medium">
            First response time (median)
            <Definition
              id="first-response"
              term="First response time"
              lines={[
                "AI: from the customer's first message to the AI's first reply (an answer or a notice), in conversations the AI replied to.",
                "Staff: from the moment a person was needed (the AI's hand-off) to the first reply written by staff; when staff stepped in without a hand-off, from the customer's first message.",
                "The median: half the conversations were answered faster, half slower.",
              ]}
            />
          </h2>
          <dl className="mt-3 grid grid-cols-2 gap-4">
            <div>
              <dt className="text-sm text-slate-600">AI</dt>
              <dd className="text-2xl font-semibold tabular-nums">
                <Link href={inbox("ai_answered")} className="hover:underline">
                  {duration(s.ai_frt_median_s)}
                </Link>
              </dd>
              <dd className="text-xs text-slate-500">{s.ai_frt_count} conversations</dd>
            </div>
            <div>
              <dt className="text-sm text-slate-600">Staff</dt>
              <dd className="text-2xl font-semibold tabular-nums">
                <Link href={inbox("staff_replied")} className="hover:underline">
                  {duration(s.staff_frt_median_s)}
                </Link>
              </dd>
              <dd className="text-xs text-slate-500">{s.staff_frt_count} conversations</dd>
            </div>
          </dl>
        </Card>

        <Card className="min-w-0">
          <h2 className="font-medium">
            Why conversations went to a person
            <Definition
              id="handoff-reasons"
              term="Hand-off reasons"
              lines={[
                "The reason of the first hand-off in each conversation handed to a person:",
                ...[...new Set([...HANDOFF_REASONS_SHOWN, ...report.reasons.map((x) => x.reason)])].filter((r) => HANDOFF_REASON_DEFINITION[r]).map((r) => `${capitalize(HANDOFF_REASON_LABEL[r]!)}: ${HANDOFF_REASON_DEFINITION[r]}.`),
              ]}
            />
          </h2>
          {report.reasons.length === 0 ? (
            <p className="mt-2 text-sm text-slate-500">No conversation went to a person in this period.</p>
          ) : (
            <ul className="mt-2 space-y-1 text-sm">
              {report.reasons.map((r) => (
                <li key={r.reason} className="flex items-center justify-between gap-3 border-t border-slate-100 py-1 first:border-t-0">
                  <span className="min-w-0">{capitalize(r.label)}</span>
                  <Link href={inbox("handed_off", r.reason)} className="shrink-0 tabular-nums text-teal-700 hover:underline">
                    {r.conversations}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}
