import { Suspense } from "react";
import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { listBusinessChannels } from "@/lib/channels/twilio/dashboard";
import { Card, PageHeader } from "@/components/ui/card";
import { CHANNEL_CATALOG } from "@/components/channels/catalog";
import { cn } from "@/components/ui/cn";

export const metadata = { title: "Channels" };

export default async function ChannelsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  await memberContext(slug);
  return (
    <div className="max-w-4xl">
      <PageHeader title="Channels" description="Every way customers reach you. Each one goes through the same assistant, with the same memory of the customer." />
      <Suspense fallback={<ChannelListSkeleton />}>
        <ChannelList slug={slug} />
      </Suspense>
    </div>
  );
}

async function ChannelList({ slug }: { slug: string }) {
  const { user, business } = await memberContext(slug);
  const connected = await listBusinessChannels(user.id, business.id);
  return (
    <ul className="grid gap-3 sm:grid-cols-2" aria-label="Channels">
      {CHANNEL_CATALOG.map((entry) => {
        const mine = connected.filter((c) => c.kind === entry.kind && (entry.owns?.(c) ?? true));
        const Icon = entry.icon;
        const live = mine.some((c) => c.enabled);
        return (
          <li key={entry.page ?? entry.kind}>
            <Card className="flex h-full flex-col gap-3">
              <div className="flex items-start gap-3">
                <span className="rounded-md bg-slate-100 p-2 text-slate-700">
                  <Icon className="h-5 w-5" aria-hidden />
                </span>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <h2 className="font-medium text-slate-900">{entry.label}</h2>
                    <span
                      className={cn(
                        "rounded-full px-2 py-0.5 text-xs font-medium",
                        live ? "bg-emerald-50 text-emerald-800" : mine.length ? "bg-amber-50 text-amber-800" : "bg-slate-100 text-slate-600",
                      )}
                    >
                      {live ? "Connected" : mine.length ? "Turned off" : "Not connected"}
                    </span>
                  </div>
                  <p className="mt-1 text-sm text-slate-600">{entry.description}</p>
                  <p className="mt-1 text-xs text-slate-500">Through {entry.provider}</p>
                </div>
              </div>
              {mine.length > 0 && (
                <ul className="space-y-1 text-sm">
                  {mine.map((c) => (
                    <li key={c.id} className="flex justify-between gap-2 rounded bg-slate-50 px-2 py-1">
                      <span className="truncate">{c.name}</span>
                      <span className="shrink-0 font-mono text-xs text-slate-600">{c.address}</span>
                    </li>
                  ))}
                </ul>
              )}
              <div className="mt-auto">
                {entry.page ? (
                  <Link href={`/${slug}/channels/${entry.page}`} className="text-sm font-medium text-teal-700 hover:underline">
                    {mine.length ? "Manage" : "Set up"} {entry.label} →
                  </Link>
                ) : (
                  !mine.length && <p className="text-xs text-slate-500">Not available in this version yet.</p>
                )}
              </div>
            </Card>
          </li>
        );
      })}
    </ul>
  );
}

function ChannelListSkeleton() {
  return (
    <ul className="grid gap-3 sm:grid-cols-2" aria-busy="true" aria-label="Loading channels">
      {CHANNEL_CATALOG.map((e) => (
        <li key={e.page ?? e.kind} className="h-40 animate-pulse rounded-lg border border-slate-200 bg-slate-50" />
      ))}
    </ul>
  );
}
