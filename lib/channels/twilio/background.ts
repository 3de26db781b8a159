import "server-only";
// Work that finishes after Twilio has its answer: Next's after() inside a request (the pipeline's
// deferAfterResponse, which every channel uses), tracked so tests and the simulator can wait for it.
import { deferredIdle } from "@/lib/pipeline/defer";

/** Resolves once every task started so far (and any they start) has finished. */
export const backgroundIdle = deferredIdle;

/** Twilio drops a webhook after 15 s; past this, the answer goes out through the REST API instead. */
export const DEFAULT_REPLY_DEADLINE_MS = 10_000;
let deadlineOverride: number | undefined;

export function replyDeadlineMs(): number {
  return deadlineOverride ?? DEFAULT_REPLY_DEADLINE_MS;
}

/** For tests: a shorter (or zero) deadline to take the slow path. */
export function setReplyDeadlineForTests(ms: number | undefined): void {
  deadlineOverride = ms;
}

/** The value if it settles within `ms`, else `timedOut` (the work goes on). */
export async function within<T>(work: Promise<T>, ms: number): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ timedOut: true }>((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), ms)));
  try {
    return await Promise.race([work.then((value) => ({ timedOut: false as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
