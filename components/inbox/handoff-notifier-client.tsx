"use client";
// Tells staff on any dashboard page that a conversation started waiting for a person: a browser
// notification (once permission is given in the inbox) and the count in the tab's title. Polls the
// inbox list for waiting conversations every few seconds; the inbox page itself does this with its
// own, faster polling.
import { useCallback, useEffect, useRef, useState } from "react";
import { usePathname } from "next/navigation";
import { usePoll } from "@/hooks/use-poll";
import { useHandoffNotifications } from "@/hooks/use-handoff-notifications";
import type { WaitingItem } from "@/lib/services/conversations";

/** Mounted by the dashboard layout; stands aside on the inbox, which notifies with its own list. */
export function HandoffNotifier({ slug }: { slug: string }) {
  const pathname = usePathname();
  return pathname.startsWith(`/${slug}/inbox`) ? null : <WaitingWatcher slug={slug} />;
}

function WaitingWatcher({ slug }: { slug: string }) {
  const [waiting, setWaiting] = useState<WaitingItem[] | null>(null);
  const tick = useCallback(async () => {
    const res = await fetch(`/api/businesses/${slug}/conversations?status=waiting_human&assignee=unassigned`, { cache: "no-store" });
    if (res.ok) setWaiting(((await res.json()) as { waiting: WaitingItem[] }).waiting);
  }, [slug]);
  usePoll(tick, { intervalMs: 5000, hiddenMs: 15000, immediate: true });
  const href = useCallback((id: string) => `/${slug}/inbox?c=${id}`, [slug]);
  useHandoffNotifications(waiting, href);

  const baseTitle = useRef<string | null>(null);
  const count = waiting?.length ?? 0;
  useEffect(() => {
    baseTitle.current = document.title.replace(/^\(\d+\)\s*/, "");
    document.title = count ? `(${count}) ${baseTitle.current}` : baseTitle.current;
  }, [count]);
  return null;
}
