// Set-up for suites of the pushed channels: each provider's local stand-in wired in through the
// environment exactly as production configures the real service, quick retries, and a way to start
// every test from a quiet stand-in (answers of the previous test sent, its requests forgotten).
// The use* names are jest set-up functions (called in beforeAll), not React hooks.
import { resetEnvForTests } from "@/lib/env";
import { setRetryPolicyForTests } from "@/lib/channels/common/retry";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { setTelegramSleepForTests } from "@/lib/channels/telegram/api";
import { RESEND_KEY, startResendServer, type ResendStandIn } from "./resend-server";
import { startMetaServer, type MetaStandIn } from "./meta-server";
import { startTelegramServer, type TelegramStandIn } from "./telegram-server";
import { WEBHOOK_SECRET } from "../fixtures/resend";
import { APP_SECRET } from "../fixtures/meta";

type Stoppable = { close(): Promise<void> };

async function wire<T extends Stoppable>(api: T, vars: Record<string, string>): Promise<T & { stop(): Promise<void> }> {
  Object.assign(process.env, vars);
  resetEnvForTests();
  setRetryPolicyForTests({ attempts: 3, startingDelayMs: 5, maxDelayMs: 20 });
  return Object.assign(api, {
    async stop() {
      await backgroundIdle();
      await api.close();
      setRetryPolicyForTests(undefined);
      for (const k of Object.keys(vars)) delete process.env[k];
      resetEnvForTests();
    },
  });
}

/** Resend's stand-in as the email provider (RESEND_API_KEY, RESEND_WEBHOOK_SECRET, EMAIL_FROM, RESEND_API_BASE). */
export async function useResend() {
  const api: ResendStandIn = await startResendServer();
  return wire(api, { RESEND_API_KEY: RESEND_KEY, RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET, EMAIL_FROM: "PrismAI <notifications@prismai.test>", RESEND_API_BASE: api.url });
}

/** Meta's Graph stand-in (META_GRAPH_BASE) and the platform's app secret (META_APP_SECRET). */
export async function useMeta() {
  const api: MetaStandIn = await startMetaServer();
  return wire(api, { META_APP_SECRET: APP_SECRET, META_GRAPH_BASE: api.url });
}

/** The Bot API stand-in (TELEGRAM_API_BASE); the waits a 429 asks for are recorded, not slept. */
export async function useTelegram(waits: number[]) {
  const api: TelegramStandIn = await startTelegramServer();
  setTelegramSleepForTests(async (ms) => void waits.push(ms));
  const wired = await wire(api, { TELEGRAM_API_BASE: api.url });
  const stop = wired.stop;
  return Object.assign(wired, {
    async stop() {
      await stop();
      setTelegramSleepForTests(undefined);
    },
  });
}

/** For beforeEach: let the previous test's answers go out, then forget what the stand-in saw. */
export function quiet(api: () => { reset(): void }) {
  return async () => {
    await backgroundIdle();
    api().reset();
  };
}
