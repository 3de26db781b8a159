// Shared set-up for suites that run the pipeline on the seeded demo clinic: a fresh database with
// the seed embedded, the provider stand-ins wired in through the environment exactly as production
// configures the real services, and the demo owner as the acting member.
// The use* names are jest set-up functions (called in beforeAll), not React hooks.
/* eslint-disable react-hooks/rules-of-hooks */
import { eq, sql } from "drizzle-orm";
import { resetEnvForTests } from "@/lib/env";
import { closeDb, getDbHandle, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { seedDemo } from "@/lib/db/seed";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { embedPending } from "@/lib/knowledge/indexing";
import { resetSemanticCacheForTests } from "@/lib/cache";
import { resetEmbedderForTests } from "@/lib/ai/embeddings";
import { resetLanguageModelForTests } from "@/lib/ai/get-model";
import { setLimiterForTests } from "@/lib/ratelimit";
import { setRetryPolicyForTests } from "@/lib/channels/common/retry";
import type { MemberCtx } from "@/lib/services/context";
import { useTestDb } from "./db";
import { startGeminiStandIn, type GeminiStandIn } from "./gemini-server";
import { startTwilioServer, type TwilioStandIn } from "./twilio-server";
import { TEST_ACCOUNT } from "../fixtures/twilio";

/** Resets every module that caches a choice made from the environment. */
export function resetAdapters(): void {
  resetEnvForTests();
  resetEmbedderForTests();
  resetLanguageModelForTests();
  resetSemanticCacheForTests();
}

/** Gemini's stand-in as the model and embedder (GEMINI_API_KEY + GEMINI_BASE_URL). */
export async function useGemini(): Promise<GeminiStandIn & { stop(): Promise<void> }> {
  const gemini = await startGeminiStandIn();
  process.env.GEMINI_API_KEY = "test-key";
  process.env.GEMINI_BASE_URL = gemini.url;
  resetAdapters();
  return Object.assign(gemini, {
    async stop() {
      await gemini.close();
      delete process.env.GEMINI_API_KEY;
      delete process.env.GEMINI_BASE_URL;
      resetAdapters();
    },
  });
}

/** Twilio's REST stand-in as the SMS/WhatsApp/voice provider, with quick retries. */
export async function useTwilio(retry = { attempts: 4, startingDelayMs: 5, maxDelayMs: 20 }): Promise<TwilioStandIn & { stop(): Promise<void> }> {
  const api = await startTwilioServer();
  api.addAccount(TEST_ACCOUNT.accountSid, TEST_ACCOUNT.authToken);
  process.env.TWILIO_ACCOUNT_SID = TEST_ACCOUNT.accountSid;
  process.env.TWILIO_AUTH_TOKEN = TEST_ACCOUNT.authToken;
  process.env.TWILIO_API_BASE = api.url;
  resetEnvForTests();
  setRetryPolicyForTests(retry);
  return Object.assign(api, {
    async stop() {
      await api.close();
      setRetryPolicyForTests(undefined);
      for (const k of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_BASE"]) delete process.env[k];
      resetEnvForTests();
    },
  });
}

/** A fresh database with the demo clinic seeded and, unless `embed` is false, its knowledge embedded. */
export async function useDemoDb({ embed = true }: { embed?: boolean } = {}): Promise<void> {
  await useTestDb();
  await seedDemo(await getDbHandle());
  if (embed) await embedPending(DEMO_BUSINESS_ID);
}

/**
 * A fresh database with the demo clinic seeded and embedded, in-process limits, and no minimum
 * interval between one customer's messages, since tests write faster than people do:
 * `customerMinIntervalSeconds` sets another, and null keeps the seed's limits as they are. Returns
 * the demo owner as a member context.
 */
export async function useDemoBusiness(opts: { customerMinIntervalSeconds?: number | null } = {}): Promise<MemberCtx> {
  resetSemanticCacheForTests();
  setLimiterForTests(undefined);
  await useDemoDb();
  const interval = opts.customerMinIntervalSeconds === undefined ? 0 : opts.customerMinIntervalSeconds;
  if (interval !== null) {
    await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: interval } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
  }
  return demoOwner();
}

export async function demoOwner(): Promise<MemberCtx> {
  const [owner] = await withService((tx) => rows<{ id: string }>(tx, sql`select user_id as id from members where business_id = ${DEMO_BUSINESS_ID} and role = 'owner'`));
  return { businessId: DEMO_BUSINESS_ID, actor: { type: "member", userId: owner!.id, role: "owner" } };
}

export { closeDb };
