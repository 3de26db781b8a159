"use client";
import { useEffect, useRef } from "react";

/**
 * Calls `tick` every `intervalMs` while the page is visible (every `hiddenMs` while it is not), one
 * call at a time, and at once when the page becomes visible again (and on start with `immediate`). The live updates of the chat page
 * and the inbox: cursor polling against the database works the same on one machine and on many
 * stateless serverless instances.
 */
export function usePoll(tick: () => Promise<void> | void, opts: { intervalMs: number; hiddenMs?: number; enabled?: boolean; immediate?: boolean }) {
  const ref = useRef(tick);
  useEffect(() => {
    ref.current = tick;
  }, [tick]);
  const { intervalMs, hiddenMs = intervalMs * 5, enabled = true, immediate = false } = opts;

  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    const schedule = (now = false) => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(run, now ? 0 : document.visibilityState === "visible" ? intervalMs : hiddenMs);
    };
    const run = async () => {
      if (stopped || running) return;
      running = true;
      try {
        await ref.current();
      } catch {
        // the next tick tries again
      } finally {
        running = false;
        schedule();
      }
    };
    const onVisible = () => {
      if (document.visibilityState === "visible") void run();
    };
    schedule(immediate);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [intervalMs, hiddenMs, enabled, immediate]);
}
