// Work after the response: Next's after() inside a request, a detached promise elsewhere. Every task
// is tracked, so a test, the simulator or a script can wait until the work it started is done.
import { after } from "next/server";

export type Defer = (task: () => Promise<unknown>) => void;

const running = new Set<Promise<void>>();

export const deferAfterResponse: Defer = (task) => {
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  running.add(done);
  const run = () =>
    task()
      .catch((err) => console.error("[prismai] deferred task failed", err instanceof Error ? err.message : String(err)))
      .finally(() => {
        running.delete(done);
        settle();
      });
  try {
    after(run);
  } catch {
    // Outside a request (jobs, scripts): run detached; the sweeper catches anything lost.
    void run();
  }
};

/** Work already started that nobody awaits (bookkeeping off the answer's path): tracked like a deferred task. */
export function track(work: Promise<unknown>): void {
  const done = work.then(
    () => undefined,
    () => undefined,
  );
  running.add(done);
  void done.finally(() => running.delete(done));
}

/** Resolves once every task deferred so far (and any they defer) has finished. */
export async function deferredIdle(): Promise<void> {
  while (running.size) await Promise.all([...running]);
}
