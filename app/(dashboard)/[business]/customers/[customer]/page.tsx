import Link from "next/link";
import { notFound } from "next/navigation";
import { BadgeCheck, Ban } from "lucide-react";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import { MANAGERS } from "@/lib/services/context";
import { getCustomerProfile } from "@/lib/services/customers";
import { Card, PageHeader } from "@/components/ui/card";
import { DetailsForm, MergePanel, ProfileActions } from "@/components/customers/profile-client";
import { TrustSparkline } from "@/components/customers/trust-sparkline-client";
import { LeadStageChip } from "@/components/customers/customer-table-client";
import { LeadStageMenu } from "@/components/customers/lead-client";
import { SentimentChip } from "@/components/inbox/insight-chips";

export const metadata = { title: "Customer" };

const KIND: Record<string, string> = { phone: "Phone", email: "Email", web: "Web visitor", telegram: "Telegram", instagram: "Instagram", whatsapp: "WhatsApp" };
const STATUS: Record<string, string> = { open: "Open", waiting_human: "Waiting for a person", closed: "Closed" };

export default async function CustomerPage({ params }: { params: Promise<{ business: string; customer: string }> }) {
  const { business: slug, customer: id } = await params;
  const { ctx } = await memberContext(slug);
  const profile = await getCustomerProfile({ ctx, input: { id } }).catch((err) => {
    if (err instanceof AppError && err.code === "not_found") notFound();
    throw err;
  });
  const { customer, displayName: name, identities, conversations, events, trust, lead, sentiment } = profile;
  const canManage = MANAGERS.includes(ctx.actor.role);

  return (
    <div className="max-w-5xl">
      <Link href={`/${slug}/customers`} className="text-sm text-teal-700 hover:underline">
        ← Customers
      </Link>
      <PageHeader title={name} description={`First seen ${customer.createdAt.toLocaleDateString()}${customer.lastSeenAt ? ` · last seen ${customer.lastSeenAt.toLocaleString()}` : ""}`}>
        <div className="flex gap-2">
          {customer.verified && (
            <span className="inline-flex items-center gap-1 rounded bg-teal-50 px-2 py-1 text-xs font-medium text-teal-800">
              <BadgeCheck className="h-3.5 w-3.5" aria-hidden /> Verified
            </span>
          )}
          {customer.blocked && (
            <span className="inline-flex items-center gap-1 rounded bg-red-50 px-2 py-1 text-xs font-medium text-red-800">
              <Ban className="h-3.5 w-3.5" aria-hidden /> Blocked
            </span>
          )}
        </div>
      </PageHeader>
      <ProfileActions slug={slug} id={customer.id} verified={customer.verified} blocked={customer.blocked} canManage={canManage} name={name} />

      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card>
          <h2 className="mb-3 font-medium">How to reach them</h2>
          {identities.length === 0 ? (
            <p className="text-sm text-slate-600">No identities: this customer has no phone, email or channel id on record.</p>
          ) : (
            <ul className="space-y-2 text-sm">
              {identities.map((i) => (
                <li key={i.id} className="flex justify-between gap-3">
                  <span className="text-slate-500">{KIND[i.kind] ?? i.kind}</span>
                  <span className="min-w-0 truncate font-medium">
                    {i.value}
                    {i.undeliverable && <span className="ml-2 text-xs text-red-600">undeliverable</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card>
          <div className="flex items-baseline justify-between">
            <h2 className="font-medium">Trust</h2>
            <span className="text-2xl font-semibold tabular-nums">
              {customer.trustScore}
              <span className="text-sm font-normal text-slate-500"> / 100</span>
            </span>
          </div>
          <TrustSparkline points={trust} />
          {events.length === 0 ? (
            <p className="text-xs text-slate-500">No abuse or trust events: the score is where it started.</p>
          ) : (
            <ul className="mt-2 max-h-40 space-y-1 overflow-y-auto text-xs">
              {[...events].reverse().map((e) => (
                <li key={e.id} className="flex justify-between gap-2">
                  <span className="text-slate-600">
                    {e.createdAt.toLocaleString()} · {e.kind} ({e.action})
                  </span>
                  <span className={`tabular-nums ${e.trustDelta < 0 ? "text-red-700" : "text-emerald-700"}`}>
                    {e.trustDelta > 0 ? "+" : ""}
                    {e.trustDelta}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card>
          <div className="flex items-baseline justify-between">
            <h2 className="font-medium">Lead</h2>
            <span className="text-2xl font-semibold tabular-nums" data-testid="lead-score">
              {lead.score}
              <span className="text-sm font-normal text-slate-500"> / 100</span>
            </span>
          </div>
          <p className="mb-2 mt-1">
            <LeadStageChip stage={lead.stage} score={lead.score} />
          </p>
          {lead.evidence.length === 0 ? (
            <p className="text-xs text-slate-500">No points yet: a point needs the customer&rsquo;s own words about budget, timing, need or authority.</p>
          ) : (
            <ul className="mb-3 space-y-1.5 text-sm" data-testid="lead-evidence">
              {lead.evidence.map((e) => (
                <li key={e.id}>
                  <span className="mr-1 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium capitalize text-slate-700">
                    {e.kind} +{e.points}
                  </span>
                  <q className="text-slate-800">{e.quote}</q>
                </li>
              ))}
            </ul>
          )}
          <LeadStageMenu slug={slug} id={customer.id} staffStage={lead.setByStaff ? lead.stage : null} />
        </Card>

        <Card>
          <h2 className="mb-3 font-medium">Sentiment, message by message</h2>
          {sentiment.length === 0 ? (
            <p className="text-xs text-slate-500">No message read yet.</p>
          ) : (
            <ol className="max-h-48 space-y-1 overflow-y-auto text-xs" data-testid="sentiment-history">
              {sentiment.map((m, i) => (
                <li key={`${m.at}-${i}`} className="flex items-center justify-between gap-2">
                  <span className="text-slate-600">
                    {new Date(m.at).toLocaleString()} · {m.channel} · {m.intent}
                  </span>
                  <SentimentChip now={m.sentiment} />
                </li>
              ))}
            </ol>
          )}
        </Card>

        <Card>
          <h2 className="mb-3 font-medium">Details</h2>
          <DetailsForm slug={slug} id={customer.id} initial={{ name: customer.name ?? "", tags: customer.tags.join(", "), notes: customer.notes ?? "" }} />
        </Card>

        <Card>
          <h2 className="mb-3 font-medium">Conversations on every channel</h2>
          {conversations.length === 0 ? (
            <p className="text-sm text-slate-600">No conversations yet.</p>
          ) : (
            <ul className="divide-y divide-slate-200 text-sm">
              {conversations.map((c) => (
                <li key={c.id} className="py-2">
                  <div className="flex justify-between gap-2">
                    <span className="font-medium">
                      {c.channelName} <span className="text-xs font-normal text-slate-500">({c.channelKind})</span>
                    </span>
                    <span className="text-xs text-slate-500">{STATUS[c.status] ?? c.status}</span>
                  </div>
                  {c.subject && <p className="text-slate-700">{c.subject}</p>}
                  {c.summary ? (
                    <p className="whitespace-pre-line text-slate-700" data-testid="conversation-summary">
                      {c.summary}
                    </p>
                  ) : (
                    c.lastMessage && <p className="line-clamp-2 text-slate-600">{c.lastMessage}</p>
                  )}
                  <p className="text-xs text-slate-500">
                    {c.messages} {c.messages === 1 ? "message" : "messages"} · last {c.lastMessageAt.toLocaleString()}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Card>

        {canManage && (
          <Card className="lg:col-span-2">
            <h2 className="mb-3 font-medium">Merge with another customer</h2>
            <MergePanel slug={slug} targetId={customer.id} targetName={name} />
          </Card>
        )}
      </div>
    </div>
  );
}
