// Job bodies by name: the QStash route and the in-process scheduler call the same code.
import { sweep } from "./sweeper";

export const JOBS = {
  sweep: { everySeconds: 60, run: () => sweep() },
} as const;

export type JobName = keyof typeof JOBS;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
