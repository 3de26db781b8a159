// The embedded default's scheduler: runs each job on its interval inside the server process.
// In production QStash schedules call /api/jobs/<job> instead (one process cannot be assumed).
import { JOBS, type JobName } from "./index";

type Holder = { timers?: NodeJS.Timeout[] };
const holder: Holder = ((globalThis as { __prismJobs?: Holder }).__prismJobs ??= {});

export function startScheduler(): void {
  if (holder.timers) return;
  holder.timers = (Object.keys(JOBS) as JobName[]).map((name) => {
    let running = false;
    const timer = setInterval(async () => {
      if (running) return;
      running = true;
      try {
        await JOBS[name].run();
      } catch (err) {
        console.error(`[prismai] job ${name} failed`, err instanceof Error ? err.message : String(err));
      } finally {
        running = false;
      }
    }, JOBS[name].everySeconds * 1000);
    timer.unref();
    return timer;
  });
}

export function stopScheduler(): void {
  holder.timers?.forEach(clearInterval);
  holder.timers = undefined;
}
