import { Suspense } from "react";
import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { FlaskConical } from "lucide-react";
import { listBusinessChannels, type ChannelSummary } from "@/lib/channels/common/dashboard";
import { isSamplePage, sampleAvailable } from "@/lib/channels/common/samples";
import { MANAGERS } from "@/lib/services/context";
import { SampleButton } from "@/components/channels/sample-button-client";
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
  const { user, business, ctx } = await memberContext(slug);
  const connected = await listBusinessChannels(user.id, business.id);
  const owned = (entry: (typeof CHANNEL_CATALOG)[number]) => connected.filter((c) => c.kind === entry.kind && (entry.owns?.(c) ?? true));
  // Channels the simulator could play at once with sample values, and that are not connected yet.
  const tryable = CHANNEL_CATALOG.filter((e) => e.page && isSamplePage(e.page) && sampleAvailable(e.page) && owned(e).length === 0);
  return (
    <>
      {tryable.length > 0 && (
        <Card className="mb-4 border-teal-200 bg-teal-50/60">
          <h2 className="flex items-center gap-2 font-medium text-teal-900">
            <FlaskConical className="h-4 w-4" aria-hidden /> Try every channel now
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            No number or account yet? Connect {tryable.map((e) => e.label).join(", ")} in simulated mode with sample values nobody can reach, then open any of them
            and play a customer in its Channel simulator. Replace a sample with your own details whenever you are ready.
          </p>
          <div className="mt-3">
            {MANAGERS.includes(ctx.actor.role) ? (
              <SampleButton slug={slug} page="all" label="Try them all with samples" />
            ) : (
              <p className="text-sm text-slate-600">An owner or admin can connect them with samples.</p>
            )}
          </div>
        </Card>
      )}
      <ChannelCards slug={slug} owned={owned} />
    </>
  );
}

function ChannelCards({ slug, owned }: { slug: string; owned: (entry: (typeof CHANNEL_CATALOG)[number]) => ChannelSummary[] }) {
  return (
    <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2" aria-label="Channels">
      {CHANNEL_CATALOG.map((entry) => {
        const mine = owned(entry);
        const Icon = entry.icon;
        const live = mine.some((c) => c.enabled);
        const sample = mine.length > 0 && mine.every((c) => c.sample);
        return (
          <li key={entry.page ?? entry.kind} className="min-w-0">
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
                        sample && live ? "bg-teal-50 text-teal-800" : live ? "bg-emerald-50 text-emerald-800" : mine.length ? "bg-amber-50 text-amber-800" : "bg-slate-100 text-slate-600",
                      )}
                    >
                      {sample && live ? "Sample (simulated)" : live ? "Connected" : mine.length ? "Turned off" : "Not connected"}
                    </span>
                  </div>
                  <p className="mt-1 text-sm text-slate-600">{entry.description}</p>
                  <p className="mt-1 text-xs text-slate-500">Through {entry.provider}</p>
                </div>
              </div>
              {mine.length > 0 && (
                <ul className="space-y-1 text-sm">
                  {mine.map((c) => (
                    <li key={c.id} className="flex min-w-0 justify-between gap-2 rounded bg-slate-50 px-2 py-1">
                      <span className="min-w-0 truncate">{c.name}</span>
                      <span className="min-w-0 truncate font-mono text-xs text-slate-600">{c.address}</span>
                    </li>
                  ))}
                </ul>
              )}
              <div className="mt-auto">
                {entry.page ? (
                  <Link href={`/${slug}/channels/${entry.page}`} className="text-sm font-medium text-teal-700 hover:underline">
                    {sample ? "Try" : mine.length ? "Manage" : "Set up"} {entry.label} →
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
