// Server start-up: validate the environment (one message naming what is wrong), prepare the
// database, close it on shutdown.
import { env, EnvError } from "@/lib/env";
import { closeDb } from "@/lib/db/client";
import { prepareDatabase } from "@/lib/db/startup";

export async function startServer(): Promise<void> {
  try {
    env();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  await prepareDatabase();
  const e = env();
  if (e.adapters.jobs === "local" && !e.DISABLE_SCHEDULER) {
    const { startScheduler } = await import("@/lib/jobs/scheduler");
    startScheduler();
  }
  const shutdown = () => {
    void closeDb().finally(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
