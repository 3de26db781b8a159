import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { getLimitsSettings } from "@/lib/services/limits";
import { getDigestPhoneSettings } from "@/lib/services/digest-phone";
import Link from "next/link";
import { DigestPhoneForm } from "./digest-phone-client";
import { Card } from "@/components/ui/card";
import { LimitsForm, SpendChart } from "./limits-client";
import { SettingsNoAccess } from "../no-access";

export const metadata = { title: "Limits & budget" };

const money = (x: number) => `$${x.toFixed(2)}`;

export default async function LimitsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const [{ spend: summary, limits, digest }, digestPhone] = await Promise.all([getLimitsSettings({ ctx }), getDigestPhoneSettings({ ctx })]);
  const pct = Math.min(100, Math.round(summary.ratio * 100));
  const tone = pct >= 90 ? "bg-red-600" : pct >= 75 ? "bg-amber-500" : "bg-teal-600";
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-medium">This month&apos;s spend</h2>
        <p className="mt-1 text-sm text-slate-600">
          {money(summary.spentUsd)} of {money(summary.limitUsd)} since {summary.periodStart}
          {summary.reservedUsd > 0 && ` (${money(summary.reservedUsd)} held for answers in progress)`}.
        </p>
        <div className="mt-3 h-3 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label="Budget used">
          <div className={`h-full ${tone}`} style={{ width: `${pct}%` }} />
        </div>
        <ul className="mt-3 space-y-1 text-sm text-slate-600">
          <li>Alert at 75 %: {summary.alert75At ? `sent ${summary.alert75At.toISOString().slice(0, 10)}` : "not yet"}</li>
          <li>Alert at 90 %: {summary.alert90At ? `sent ${summary.alert90At.toISOString().slice(0, 10)}` : "not yet"}</li>
          <li>
            {summary.limitUsd === 0
              ? summary.autoPause
                ? "The budget is $0, so model answers are paused; FAQs and cached answers still serve. Enter a budget below to turn them on."
                : "The budget is $0 and auto-pause is off: answers continue and every one is over budget."
              : summary.exhausted
                ? summary.autoPause
                  ? "The budget is spent: model answers are paused; FAQs and cached answers still serve, other messages get your fallback reply and wait for a person."
                  : "The budget is spent; auto-pause is off, so answers continue and are charged."
                : summary.autoPause
                  ? "At 100 % model answers pause; FAQs and cached answers keep serving."
                  : "Auto-pause is off: at 100 % you are alerted but answers continue."}
          </li>
        </ul>
        <SpendChart data={summary.byDay} />
        {summary.byKind.length > 0 && (
          <table className="mt-4 w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1">Kind</th>
                <th className="py-1">Events</th>
                <th className="py-1 text-right">Cost</th>
              </tr>
            </thead>
            <tbody>
              {summary.byKind.map((k) => (
                <tr key={k.kind} className="border-t border-slate-100">
                  <td className="py-1">{k.kind}</td>
                  <td className="py-1">{k.events}</td>
                  <td className="py-1 text-right">${k.costUsd.toFixed(4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card>
        <h2 className="mb-4 font-medium">Limits</h2>
        <LimitsForm
          slug={slug}
          initial={{ ...limits, monthlyBudgetUsd: summary.limitUsd, autoPause: summary.autoPause, digest }}
        />
      </Card>
      <Card>
        <h2 className="font-medium">Digest by text message</h2>
        <p className="mt-1 mb-4 text-sm text-slate-600">
          A short copy of the digest (spend against the budget, AI resolutions, hand-offs waiting, the top 3 unanswered questions and a link to add them as FAQs), texted from
          this business&apos;s own number when the email goes out{digest === "off" ? " — choose daily or weekly above first" : ""}. Each text is charged like any message you send.
        </p>
        {digestPhone.kinds.length === 0 ? (
          <p className="text-sm text-slate-600">
            This business has no SMS or WhatsApp channel, so the digest can only go by email.{" "}
            <Link href={`/${slug}/channels`} className="text-teal-700 hover:underline">
              Connect one under Channels
            </Link>{" "}
            to have it texted to you.
          </p>
        ) : (
          <DigestPhoneForm slug={slug} kinds={digestPhone.kinds} phone={digestPhone.phone} />
        )}
      </Card>
    </div>
  );
}
