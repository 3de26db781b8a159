// Work after the response: Next's after() inside a request, a detached promise elsewhere.
import { after } from "next/server";

export type Defer = (task: () => Promise<unknown>) => void;

export const deferAfterResponse: Defer = (task) => {
  const run = () =>
    task().catch((err) => console.error("[prismai] deferred task failed", err instanceof Error ? err.message : String(err)));
  try {
    after(run);
  } catch {
    // Outside a request (jobs, scripts): run detached; the sweeper catches anything lost.
    void run();
  }
};
