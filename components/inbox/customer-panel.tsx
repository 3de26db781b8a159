import Link from "next/link";
import { ExternalLink, Globe, Mail, Phone, ShieldAlert, UserCheck } from "lucide-react";
import type { CustomerPanel as Panel } from "@/lib/services/conversations";
import { timeAgo } from "./format";

const IDENTITY_ICON = { email: Mail, phone: Phone } as const;
const IDENTITY_LABEL: Record<string, string> = { email: "Email", phone: "Phone", web: "Web", telegram: "Telegram", instagram: "Instagram", whatsapp: "WhatsApp" };

export function CustomerPanel({ slug, customer }: { slug: string; customer: Panel }) {
  const trustTone = customer.trustScore < 30 ? "bg-red-500" : customer.trustScore < 60 ? "bg-amber-500" : "bg-emerald-500";
  return (
    <section aria-label="Customer" className="space-y-4 text-sm" data-testid="customer-panel">
      <div>
        <h2 className="truncate text-base font-semibold text-slate-900" title={customer.displayName}>
          {customer.displayName}
        </h2>
        <Link href={`/${slug}/customers/${customer.id}`} className="mt-1 inline-flex items-center gap-1 text-xs font-medium text-teal-700 hover:underline">
          Customer profile <ExternalLink className="h-3 w-3" aria-hidden />
        </Link>
      </div>

      <div className="flex flex-wrap gap-1.5">
        {customer.blocked && (
          <span className="inline-flex items-center gap-1 rounded bg-red-50 px-1.5 py-0.5 text-xs font-medium text-red-700">
            <ShieldAlert className="h-3 w-3" aria-hidden /> Blocked
          </span>
        )}
        {!customer.blocked && customer.blockedUntil && new Date(customer.blockedUntil) > new Date() && (
          <span className="rounded bg-red-50 px-1.5 py-0.5 text-xs font-medium text-red-700">Paused until {new Date(customer.blockedUntil).toLocaleString()}</span>
        )}
        {customer.verified && (
          <span className="inline-flex items-center gap-1 rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-800">
            <UserCheck className="h-3 w-3" aria-hidden /> Verified
          </span>
        )}
      </div>

      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Contact</h3>
        <ul className="mt-1 space-y-1" data-testid="customer-identities">
          {customer.identities.length === 0 && <li className="text-slate-500">Nothing on file</li>}
          {customer.identities.map((i) => {
            const Icon = IDENTITY_ICON[i.kind as keyof typeof IDENTITY_ICON] ?? Globe;
            return (
              <li key={i.id} className="flex items-center gap-2">
                <Icon className="h-3.5 w-3.5 shrink-0 text-slate-400" aria-hidden />
                <span className="sr-only">{IDENTITY_LABEL[i.kind] ?? i.kind}: </span>
                <span className={`truncate ${i.undeliverable ? "text-slate-400 line-through" : "text-slate-800"}`} title={i.value}>
                  {i.value}
                </span>
              </li>
            );
          })}
        </ul>
      </div>

      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Trust</h3>
        <div className="mt-1 flex items-center gap-2">
          <div className="h-1.5 flex-1 rounded bg-slate-100" aria-hidden>
            <div className={`h-1.5 rounded ${trustTone}`} style={{ width: `${Math.max(0, Math.min(100, customer.trustScore))}%` }} />
          </div>
          <span className="tabular-nums text-slate-700">{customer.trustScore}/100</span>
        </div>
      </div>

      <div>
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Tags</h3>
        {customer.tags.length ? (
          <ul className="mt-1 flex flex-wrap gap-1">
            {customer.tags.map((t) => (
              <li key={t} className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-700">
                {t}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-slate-500">None</p>
        )}
      </div>

      <dl className="grid grid-cols-2 gap-x-2 gap-y-1 text-xs text-slate-600">
        <dt>Conversations</dt>
        <dd className="text-right tabular-nums">{customer.conversations}</dd>
        <dt>First seen</dt>
        <dd className="text-right" suppressHydrationWarning>
          {timeAgo(customer.createdAt)}
        </dd>
        <dt>Last seen</dt>
        <dd className="text-right" suppressHydrationWarning>
          {customer.lastSeenAt ? timeAgo(customer.lastSeenAt) : "—"}
        </dd>
      </dl>
    </section>
  );
}
