"use client";
import { useCallback, useEffect, useRef, useState } from "react";

export type WaitingConversation = { id: string; customerName: string; channel: string };

type Permission = "unsupported" | "default" | "granted" | "denied";

function currentPermission(): Permission {
  if (typeof window === "undefined" || !("Notification" in window)) return "unsupported";
  return Notification.permission as Permission;
}

/**
 * A browser notification when a conversation starts waiting for a person, while the dashboard is
 * open. `waiting` is the latest list of conversations waiting with nobody assigned (null until the
 * first load): the first list is taken as known, every id that appears later notifies once — and
 * again if it leaves the list (handed back, picked up) and comes back.
 */
export function useHandoffNotifications(waiting: WaitingConversation[] | null, href: (id: string) => string) {
  const known = useRef<Set<string> | null>(null);
  const [permission, setPermission] = useState<Permission>("unsupported");

  useEffect(() => {
    // Notification.permission exists only in the browser: read it after mounting.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setPermission(currentPermission());
  }, []);

  useEffect(() => {
    if (!waiting) return;
    const ids = new Set(waiting.map((w) => w.id));
    if (known.current === null) {
      known.current = ids;
      return;
    }
    const fresh = waiting.filter((w) => !known.current!.has(w.id));
    known.current = ids;
    if (!fresh.length || currentPermission() !== "granted") return;
    for (const w of fresh.slice(0, 3)) {
      const n = new Notification(`${w.customerName} is waiting for a person`, {
        body: "The AI has stopped answering this conversation. Open the inbox to reply.",
        tag: `prismai-waiting-${w.id}`,
      });
      n.onclick = () => {
        window.focus();
        window.location.assign(href(w.id));
      };
    }
  }, [waiting, href]);

  const request = useCallback(async () => {
    if (currentPermission() === "unsupported") return;
    setPermission((await Notification.requestPermission()) as Permission);
  }, []);

  return { permission, request };
}
