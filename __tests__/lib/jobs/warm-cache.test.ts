// The warm-cache job on the demo clinic with Gemini's stand-in as the model: after FAQ or knowledge
// changes (debounced) and nightly, the most asked questions are answered once into the cache, within
// the budget, never for a paused business, and never again while they are warm.
import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { requestCacheWarming } from "@/lib/db/cache-warming";
import { handleInbound } from "@/lib/pipeline/inbound";
import type { InboundMessage } from "@/lib/pipeline/types";
import { OfflineLanguageModel } from "@/lib/ai/offline-model";
import { priceModelCall } from "@/lib/billing/prices";
import { warmBusiness, warmCache } from "@/lib/jobs/warm-cache";
import { createFaq } from "@/lib/services/faqs";
import { createArticle } from "@/lib/services/knowledge";
import { POST as jobRoute } from "@/app/api/jobs/[job]/route";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness, useGemini } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
const EVENINGS = "Do you have appointments after work on weekdays?";
const PARKING = "Is there parking near the clinic for patients?";
const VOUCHERS = "Do you sell gift vouchers for a cleaning?";
let gemini: Awaited<ReturnType<typeof useGemini>>;
let ctx: MemberCtx;
const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task().catch(() => undefined));
const settle = async () => {
  while (tasks.length) await Promise.allSettled(tasks.splice(0));
};
let n = 0;
const msg = (text: string): InboundMessage => ({ businessId: DEMO_BUSINESS_ID, channelId: WEB, channelKind: "web", from: { kind: "web", value: `warm-visitor-${++n}` }, text });
const reply = (text: string, usage = { promptTokenCount: 1200, candidatesTokenCount: 80 }) => ({ kind: "json" as const, value: { reply: text, handoff: false, reusable: true }, usage });
const generated = () => gemini.calls().filter((c) => c.action.includes("enerate")).length;
const warming = async () => (await withService((tx) => tx.select().from(s.cacheWarming).where(eq(s.cacheWarming.businessId, DEMO_BUSINESS_ID))))[0];
const version = async () => (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${DEMO_BUSINESS_ID}`)))[0]!.v;
const warmedEntries = async () =>
  withService((tx) =>
    rows<{ question: string; answer: string; knowledge_version: number; source_message_ids: string[] }>(
      tx,
      sql`select question, answer, knowledge_version, source_message_ids from response_cache where business_id = ${DEMO_BUSINESS_ID} and origin = 'warmed' order by question`,
    ),
  );

/**
 * A time zone where it is midday now: the job's nightly run (02:00–05:00 in the business's zone)
 * must not be what makes the business due in the tests of debounced warming, whatever the hour CI runs.
 */
function middayZone(): string {
  let offset = 12 - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

beforeAll(async () => {
  gemini = await useGemini();
  ctx = await useDemoBusiness();
  await withService((tx) => tx.update(s.businesses).set({ timeZone: middayZone() }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
  // Customers asked: the evening question three times, parking twice, vouchers once (the model answered
  // the first of each, the cache the repeats).
  gemini.script("*", reply("Yes: Tuesdays and Thursdays until 8pm."), reply("There is free parking behind the clinic."), reply("Not yet, sorry."));
  for (const text of [EVENINGS, PARKING, VOUCHERS]) {
    await handleInbound(msg(text), { defer });
    await settle();
  }
  for (const text of [EVENINGS, EVENINGS, PARKING]) expect((await handleInbound(msg(text), { defer })).reply?.source).toBe("cache");
  await settle();
});
beforeEach(() => gemini.reset());
afterAll(async () => {
  await settle();
  await closeDb();
  await gemini.stop();
});

describe("warming after a change", () => {
  it("is requested by an FAQ or knowledge change, answered once the edits settle, and never inline", async () => {
    const before = await version();
    const t0 = Date.now();
    await createFaq({ ctx, input: { question: "Do you take new patients?", answer: "Yes, we are taking new patients." } });
    const requested = (await warming())!.requestedAt!;
    expect(requested.getTime()).toBeGreaterThanOrEqual(t0 - 5_000);
    await createArticle({ ctx, input: { title: "Evening surgery", content: "We see patients on Tuesdays and Thursdays until 8pm." } });
    expect((await warming())!.requestedAt!.getTime()).toBeGreaterThanOrEqual(requested.getTime());
    expect(await version()).toBe(before + 2);
    expect(generated()).toBe(0); // the saves only asked

    // not yet: the last edit is too recent
    expect(await warmCache({ debounceSeconds: 3600 })).toMatchObject({ businesses: 0 });
    expect(generated()).toBe(0);

    const budgetBefore = await spent();
    gemini.script("*", reply("Yes: Tuesdays and Thursdays until 8pm, by appointment."), reply("Free parking is behind the clinic."));
    const run = await warmCache({ debounceSeconds: 0 });
    expect(run).toMatchObject({ businesses: 1, warmed: 2 });
    expect(run.results[0]).toMatchObject({ businessId: DEMO_BUSINESS_ID, warmed: 2, alreadyWarm: 0 });
    expect(generated()).toBe(2); // the once-asked voucher question is not worth it
    const entries = await warmedEntries();
    expect(entries.map((e) => [e.question, e.answer, e.knowledge_version])).toEqual([
      [EVENINGS, "Yes: Tuesdays and Thursdays until 8pm, by appointment.", before + 2],
      [PARKING, "Free parking is behind the clinic.", before + 2],
    ]);
    // the customers whose words they are: deleting one deletes the entry
    expect(entries[0]!.source_message_ids).toHaveLength(3);
    // spend counts: two model calls recorded and charged
    const events = await withService((tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from cost_events where business_id = ${DEMO_BUSINESS_ID} and kind = 'model' and message_id is null`),
    );
    expect(events[0]!.n).toBe(2);
    expect(await spent()).toBeGreaterThan(budgetBefore);
    expect(await warming()).toMatchObject({ lastRun: expect.objectContaining({ warmed: 2 }) });

    // the next customer gets the warmed answer at no cost, and the tier says so
    const next = await handleInbound(msg(EVENINGS), { defer });
    expect(next.reply).toMatchObject({ source: "cache", costUsd: 0, content: "Yes: Tuesdays and Thursdays until 8pm, by appointment." });
    expect((next.reply!.metadata as { trace: { cache: { origin: string } } }).trace.cache.origin).toBe("warmed");
    expect(generated()).toBe(2);
  });

  it("is idempotent: a second run finds everything warm and calls no model", async () => {
    expect(await warmCache({ debounceSeconds: 0 })).toMatchObject({ businesses: 0 }); // nothing asked since
    const again = await warmBusiness(DEMO_BUSINESS_ID);
    expect(again).toMatchObject({ warmed: 0, alreadyWarm: 2, notReusable: 0 });
    expect(generated()).toBe(0);
    expect(await warmedEntries()).toHaveLength(2);
  });

  it("runs nightly in the business's own night, and not in its day", async () => {
    const tz = (await withService((tx) => rows<{ tz: string }>(tx, sql`select time_zone as tz from businesses where id = ${DEMO_BUSINESS_ID}`)))[0]!.tz;
    // 03:00 and 12:00 in the business's time zone, two days from now (so the last run is over 12 hours before)
    const at = (hour: number) => {
      const day = new Date(Date.now() + 2 * 86_400_000);
      for (let h = 0; h < 48; h++) {
        const d = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0) + h * 3_600_000);
        if (Number(new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "numeric", hourCycle: "h23" }).format(d)) === hour) return d;
      }
      throw new Error("no such hour");
    };
    expect(await warmCache({ now: at(12) })).toMatchObject({ businesses: 0 });
    const night = await warmCache({ now: at(3) });
    expect(night).toMatchObject({ businesses: 1, warmed: 0 });
    expect(night.results[0]!.alreadyWarm).toBe(2);
    expect(generated()).toBe(0);
    expect(await warmCache({ now: new Date(at(3).getTime() + 3_600_000) })).toMatchObject({ businesses: 0 }); // once a night
  });
});

async function spent(): Promise<number> {
  const [b] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
  return b?.spentUsd ?? 0;
}

/** A new knowledge version, as an edit makes, so everything is cold again. */
async function bump() {
  await withService(async (tx) => {
    await tx.execute(sql`update businesses set knowledge_version = knowledge_version + 1 where id = ${DEMO_BUSINESS_ID}`);
    await requestCacheWarming(tx, DEMO_BUSINESS_ID);
  });
}

describe("what warming never does", () => {
  it("skips a paused business", async () => {
    await bump();
    // as if it had never run: only the pause keeps the job away
    await withService((tx) => tx.execute(sql`update cache_warming set started_at = null, finished_at = null where business_id = ${DEMO_BUSINESS_ID}`));
    await withService((tx) => tx.execute(sql`update businesses set status = 'paused' where id = ${DEMO_BUSINESS_ID}`));
    try {
      expect(await warmCache({ debounceSeconds: 0 })).toMatchObject({ businesses: 0 });
      expect(await warmBusiness(DEMO_BUSINESS_ID)).toMatchObject({ warmed: 0, stopped: "paused" });
      expect(generated()).toBe(0);
    } finally {
      await withService((tx) => tx.execute(sql`update businesses set status = 'active' where id = ${DEMO_BUSINESS_ID}`));
    }
  });

  it("spends within the budget, and stops before customers' share of it", async () => {
    await bump();
    // each call costs about $0.009; the month's budget holds one call and a bit: after one, over 80 % is spent
    const perCall = priceModelCall("gemini-2.5-flash-lite", 90_000, 80);
    const limit = Number((perCall * 1.1).toFixed(6));
    await withService(async (tx) => {
      await tx.execute(sql`update businesses set limits = limits || ${JSON.stringify({ monthlyBudgetUsd: limit, autoPause: true })}::jsonb where id = ${DEMO_BUSINESS_ID}`);
      await tx.execute(sql`update budgets set limit_usd = ${limit}, spent_usd = 0, reserved_usd = 0 where business_id = ${DEMO_BUSINESS_ID}`);
    });
    gemini.script("*", reply("Tuesdays and Thursdays until 8pm.", { promptTokenCount: 90_000, candidatesTokenCount: 80 }), reply("Parking is free.", { promptTokenCount: 90_000, candidatesTokenCount: 80 }));
    const [{ since }] = (await withService((tx) => rows<{ since: string }>(tx, sql`select clock_timestamp()::text as since`))) as [{ since: string }];
    try {
      const r = await warmBusiness(DEMO_BUSINESS_ID);
      expect(r).toMatchObject({ warmed: 1, stopped: "budget_reserved_for_customers" });
      expect(generated()).toBe(1);
      const [budget] = await withService((tx) => tx.select().from(s.budgets).where(eq(s.budgets.businessId, DEMO_BUSINESS_ID)));
      // the model call and the embedding of the asked questions, both charged
      const [embedding] = await withService((tx) =>
        rows<{ usd: number }>(tx, sql`select coalesce(sum(cost_usd), 0)::float8 as usd from cost_events where business_id = ${DEMO_BUSINESS_ID} and kind = 'embedding' and message_id is null and created_at >= ${since}::timestamptz`),
      );
      expect(embedding!.usd).toBeGreaterThan(0);
      expect(budget!.spentUsd).toBeCloseTo(perCall + embedding!.usd, 6);
      expect(r.costUsd).toBeCloseTo(perCall + embedding!.usd, 6);
      expect(budget!.spentUsd).toBeLessThanOrEqual(limit);
      expect(budget!.reservedUsd).toBe(0);
      expect(budget!.exhaustedAt).toBeNull(); // warming never takes the budget from customers
      // over 80 % spent: the rest is for customers, warming does not start
      expect(await warmBusiness(DEMO_BUSINESS_ID)).toMatchObject({ warmed: 0, stopped: "budget_reserved_for_customers" });
      expect(generated()).toBe(1);
    } finally {
      await withService(async (tx) => {
        await tx.execute(sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 50}'::jsonb where id = ${DEMO_BUSINESS_ID}`);
        await tx.execute(sql`update budgets set limit_usd = 50, exhausted_at = null where business_id = ${DEMO_BUSINESS_ID}`);
      });
    }
  });

  it("stores nothing the model says depends on a customer, and nothing when the model is the free offline responder", async () => {
    await bump();
    gemini.script("*", { kind: "json", value: { reply: "Your next appointment is on Tuesday.", handoff: false, reusable: false } }, reply("Parking is free."));
    const r = await warmBusiness(DEMO_BUSINESS_ID);
    expect(r).toMatchObject({ warmed: 1, notReusable: 1 });
    expect((await warmedEntries()).map((e) => e.answer)).not.toContain("Your next appointment is on Tuesday.");
    expect(await warmBusiness(DEMO_BUSINESS_ID, { model: new OfflineLanguageModel() })).toMatchObject({ warmed: 0, stopped: "offline_model" });
  });

  it("is served at POST /api/jobs/warm-cache like the other jobs", async () => {
    // a caller on this machine, as the socket says (embedded mode's jobs are local only)
    const headers = { [SOCKET_ADDRESS_HEADER]: "127.0.0.1" };
    const res = await jobRoute(new Request("http://localhost:3000/api/jobs/warm-cache", { method: "POST", body: "{}", headers }), { params: Promise.resolve({ job: "warm-cache" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, job: "warm-cache", result: { businesses: expect.any(Number) } });
  });
});
