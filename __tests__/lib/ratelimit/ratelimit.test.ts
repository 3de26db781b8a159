// Rate limits: one table run against both adapters — the real @upstash/ratelimit SDK over the Upstash REST
// stand-in and a real redis-server, and the in-process mirror. Time is driven by faking Date only, which
// both the SDK and the mirror read; timers and sockets stay real. redis-server still expires keys in real
// time, so windows here are long enough (≥ 30 s) that a slow, loaded machine cannot expire one mid-test.
import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { monthPeriod } from "@/lib/billing/period";
import type { Db } from "@/lib/db/client";
import { businesses, rateLimitRules } from "@/lib/db/schema";
import { createUpstashRedis, MemoryKv, MemoryStore, setKvForTests, UpstashKv } from "@/lib/kv";
import {
  checkLimits,
  DEFAULT_LIMITS,
  getLimiter,
  hashIp,
  loadLimits,
  MemoryLimiter,
  readBusinessLimits,
  setLimiterForTests,
  tightenForTrust,
  UpstashLimiter,
  type Algorithm,
  type Limiter,
  type LimitRules,
  type ResolvedLimits,
} from "@/lib/ratelimit";
import { useTestDb } from "../../helpers/db";
import { startUpstashServer, type UpstashStandIn } from "../../helpers/upstash-server";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

let upstash: UpstashStandIn;
let db: Db;
let closeDb: () => Promise<void>;

beforeAll(async () => {
  upstash = await startUpstashServer();
  const handle = await useTestDb();
  db = handle.db;
  closeDb = handle.close;
});

afterAll(async () => {
  jest.useRealTimers();
  await upstash?.stop();
  await closeDb?.();
});

function fakeDateOnly(now: number) {
  jest.useFakeTimers({
    now,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "requestIdleCallback",
      "cancelIdleCallback",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
}

afterEach(() => {
  jest.useRealTimers();
});

/** A UTC-day-aligned instant after the real clock (redis keys expire in real time, so stay ahead of it). */
function tomorrowAt(offsetMs: number): number {
  return (Math.floor(Date.now() / DAY) + 1) * DAY + offsetMs;
}

const adapters: [string, () => Limiter][] = [
  ["upstash", () => {
    const redis = createUpstashRedis({ url: upstash.url, token: upstash.token });
    // A generous timeout: on a loaded machine the SDK's fail-open timeout must not turn a denial into "ok".
    return new UpstashLimiter(redis, new UpstashKv(redis), 30_000);
  }],
  ["memory", () => new MemoryLimiter(new MemoryStore(), new MemoryKv())],
];

describe.each(adapters)("limiter algorithms (%s)", (_name, makeLimiter) => {
  let limiter: Limiter;
  let prefix: string;
  beforeEach(() => {
    limiter = makeLimiter();
    prefix = `test:${crypto.randomUUID()}`;
  });

  async function run(steps: [number, number][], algorithm: Algorithm, t0: number) {
    const out: string[] = [];
    for (const [at, times] of steps) {
      jest.setSystemTime(t0 + at);
      for (let i = 0; i < times; i++) {
        const r = await limiter.limit(prefix, "id", algorithm);
        out.push(`${r.success ? "ok" : "no"}:${r.remaining}`);
      }
    }
    return out;
  }

  it("fixedWindow: counts every request in its window, resets at the edge", async () => {
    const t0 = tomorrowAt(SECOND);
    fakeDateOnly(t0);
    const result = await run([[0, 4], [50 * SECOND, 1], [59 * SECOND, 1]], { kind: "fixedWindow", tokens: 3, windowMs: MINUTE }, t0);
    expect(result).toEqual(["ok:2", "ok:1", "ok:0", "no:0", "no:0", "ok:2"]);
  });

  it("slidingWindow: weighs the previous window and never counts denied requests", async () => {
    const t0 = tomorrowAt(59 * SECOND); // the last second of a minute
    fakeDateOnly(t0);
    const result = await run([[0, 11], [31 * SECOND, 6]], { kind: "slidingWindow", tokens: 10, windowMs: MINUTE }, t0);
    // 31 s later is half-way through the next minute: half of the previous 10 still count.
    expect(result).toEqual([
      "ok:9", "ok:8", "ok:7", "ok:6", "ok:5", "ok:4", "ok:3", "ok:2", "ok:1", "ok:0", "no:0",
      "ok:4", "ok:3", "ok:2", "ok:1", "ok:0", "no:0",
    ]);
  });

  it("tokenBucket: a burst of maxTokens, then refillRate per interval", async () => {
    const t0 = tomorrowAt(0);
    fakeDateOnly(t0);
    const result = await run(
      [[0, 5], [54 * SECOND, 1], [MINUTE, 3], [3.5 * MINUTE, 5]],
      { kind: "tokenBucket", refillRate: 2, intervalMs: MINUTE, maxTokens: 4 },
      t0,
    );
    expect(result).toEqual(["ok:3", "ok:2", "ok:1", "ok:0", "no:0", "no:0", "ok:1", "ok:0", "no:0", "ok:3", "ok:2", "ok:1", "ok:0", "no:0"]);
  });

  it("calendar: a fixed window that ends exactly at the period's end", async () => {
    const t0 = tomorrowAt(0);
    fakeDateOnly(t0);
    const algorithm: Algorithm = { kind: "calendar", tokens: 2, period: "p1", resetAt: t0 + DAY };
    const result = await run([[0, 3]], algorithm, t0);
    expect(result).toEqual(["ok:1", "ok:0", "no:0"]);
    const next = await run([[0, 1]], { ...algorithm, period: "p2", resetAt: t0 + 2 * DAY }, t0 + DAY);
    expect(next).toEqual(["ok:1"]);
  });
});

describe.each(adapters)("checkLimits (%s)", (name, makeLimiter) => {
  let limiter: Limiter;
  let businessId: string;
  let customerId: string;
  const limits = (rules: Partial<LimitRules> = {}, timeZone = "UTC"): ResolvedLimits => ({
    timeZone,
    rules: { ...DEFAULT_LIMITS, ...rules },
  });
  const check = (input: { customerId?: string; ip?: string; trustScore?: number; channelKind?: string }, resolved = limits()) =>
    checkLimits(db, { businessId, ...input }, { limiter, limits: resolved });

  beforeEach(() => {
    limiter = makeLimiter();
    businessId = crypto.randomUUID();
    customerId = crypto.randomUUID();
  });

  it("allows one message per interval per customer (the default interval is 2 s)", async () => {
    const t0 = tomorrowAt(HOURS(1));
    fakeDateOnly(t0);
    const resolved = limits({ customer_interval: { limit: 1, windowSeconds: 30 } });
    expect(await check({ customerId }, resolved)).toEqual({ ok: true });
    jest.setSystemTime(t0 + 12 * SECOND);
    const denied = await check({ customerId }, resolved);
    expect(denied).toMatchObject({ ok: false, scope: "customer_interval", retryAfterSeconds: 18, limit: 1, windowSeconds: 30 });
    expect(denied.ok === false && denied.message).toMatch(/wait/);
    expect(await check({ customerId: crypto.randomUUID() }, resolved)).toEqual({ ok: true }); // someone else is unaffected
    jest.setSystemTime(t0 + 30 * SECOND);
    expect(await check({ customerId }, resolved)).toEqual({ ok: true });
  });

  it("a caller on the phone is not held to the interval (the call paces itself), but still to the daily cap", async () => {
    const t0 = tomorrowAt(HOURS(1));
    fakeDateOnly(t0);
    const resolved = limits({ customer_interval: { limit: 1, windowSeconds: 30 }, customer_day: { limit: 3, windowSeconds: 86_400 } });
    for (let i = 0; i < 3; i++) {
      jest.setSystemTime(t0 + i * SECOND);
      expect(await check({ customerId, channelKind: "voice" }, resolved)).toEqual({ ok: true });
    }
    expect(await check({ customerId, channelKind: "voice" }, resolved)).toMatchObject({ ok: false, scope: "customer_day" });
    // The same pace in text is refused by the interval.
    const texter = crypto.randomUUID();
    expect(await check({ customerId: texter, channelKind: "sms" }, resolved)).toEqual({ ok: true });
    expect(await check({ customerId: texter, channelKind: "sms" }, resolved)).toMatchObject({ ok: false, scope: "customer_interval" });
  });

  it("allows 50 messages a day per customer, then says when to come back", async () => {
    const t0 = tomorrowAt(HOURS(1));
    fakeDateOnly(t0);
    for (let i = 0; i < 50; i++) {
      jest.setSystemTime(t0 + i * 2 * SECOND);
      expect([i, await check({ customerId })]).toEqual([i, { ok: true }]);
    }
    jest.setSystemTime(t0 + 50 * 2 * SECOND);
    const denied = await check({ customerId });
    expect(denied).toMatchObject({ ok: false, scope: "customer_day", limit: 50 });
    expect(denied.ok === false && denied.retryAfterSeconds).toBeGreaterThan(HOURS(20) / 1000);
    jest.setSystemTime(t0 + 2 * DAY);
    expect(await check({ customerId })).toEqual({ ok: true });
  });

  it("halves a low-trust customer's limits (and doubles the interval)", async () => {
    const t0 = tomorrowAt(HOURS(1));
    fakeDateOnly(t0);
    const resolved = limits({
      customer_day: { limit: 6, windowSeconds: 86_400 },
      customer_interval: { limit: 1, windowSeconds: 30 },
    });
    for (let i = 0; i < 3; i++) {
      jest.setSystemTime(t0 + i * MINUTE);
      expect(await check({ customerId, trustScore: 20 }, resolved)).toEqual({ ok: true });
    }
    jest.setSystemTime(t0 + 3 * MINUTE);
    expect(await check({ customerId, trustScore: 20 }, resolved)).toMatchObject({ ok: false, scope: "customer_day", limit: 3 });

    const other = crypto.randomUUID();
    jest.setSystemTime(t0 + 10 * MINUTE);
    expect(await check({ customerId: other, trustScore: 20 }, resolved)).toEqual({ ok: true });
    jest.setSystemTime(t0 + 10 * MINUTE + 40 * SECOND);
    expect(await check({ customerId: other, trustScore: 20 }, resolved)).toMatchObject({
      ok: false,
      scope: "customer_interval",
      windowSeconds: 60,
    });
    // The same pace is fine at normal trust.
    const trusted = crypto.randomUUID();
    jest.setSystemTime(t0 + 20 * MINUTE);
    expect(await check({ customerId: trusted, trustScore: 50 }, resolved)).toEqual({ ok: true });
    jest.setSystemTime(t0 + 20 * MINUTE + 40 * SECOND);
    expect(await check({ customerId: trusted, trustScore: 50 }, resolved)).toEqual({ ok: true });
  });

  it("limits unidentified web visitors to 30 a minute per IP", async () => {
    const t0 = tomorrowAt(HOURS(2) + SECOND);
    fakeDateOnly(t0);
    for (let i = 0; i < 30; i++) expect(await check({ ip: "203.0.113.7" })).toEqual({ ok: true });
    expect(await check({ ip: "203.0.113.7" })).toMatchObject({ ok: false, scope: "ip_minute", limit: 30 });
    expect(await check({ ip: "203.0.113.8" })).toEqual({ ok: true });
    jest.setSystemTime(t0 + 2 * MINUTE);
    expect(await check({ ip: "203.0.113.7" })).toEqual({ ok: true });
  });

  it("caps a business's messages per calendar month in its time zone", async () => {
    const tz = "America/New_York";
    const t0 = tomorrowAt(HOURS(3));
    fakeDateOnly(t0);
    const resolved = limits({ business_month: { limit: 3, windowSeconds: 2_592_000 } }, tz);
    for (let i = 0; i < 3; i++) expect(await check({ customerId: crypto.randomUUID() }, resolved)).toEqual({ ok: true });
    const denied = await check({ customerId: crypto.randomUUID() }, resolved);
    const period = monthPeriod(tz, new Date(t0));
    expect(denied).toMatchObject({ ok: false, scope: "business_month" });
    expect(denied.ok === false && denied.retryAfterSeconds).toBe(Math.ceil((period.endsAt.getTime() - t0) / 1000));
    jest.setSystemTime(period.endsAt.getTime() + SECOND);
    expect(await check({ customerId: crypto.randomUUID() }, resolved)).toEqual({ ok: true });
  });

  it("a limit of 0 turns a scope off", async () => {
    const t0 = tomorrowAt(HOURS(4));
    fakeDateOnly(t0);
    const resolved = limits({ customer_interval: { limit: 0, windowSeconds: 1 } });
    for (let i = 0; i < 5; i++) expect(await check({ customerId }, resolved)).toEqual({ ok: true });
  });

  if (name === "upstash") {
    it("runs the SDK's Lua scripts on the real redis-server, by SHA once loaded", () => {
      const count = (name: string) => upstash.commands.filter((c) => c === name).length;
      // One EVAL per distinct script (after EVALSHA's NOSCRIPT), every later call by EVALSHA.
      expect(count("eval")).toBeGreaterThan(0);
      expect(count("eval")).toBeLessThanOrEqual(3);
      expect(count("evalsha")).toBeGreaterThan(100);
    });

    it("lets messages through when Redis refuses (fails open)", async () => {
      const redis = createUpstashRedis({ url: upstash.url, token: "not-the-token" });
      const broken = new UpstashLimiter(redis, new UpstashKv(redis));
      const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
      expect(await checkLimits(db, { businessId, customerId }, { limiter: broken, limits: limits() })).toEqual({ ok: true });
      expect(warn).toHaveBeenCalled();
      warn.mockRestore();
    });
  }
});

function HOURS(n: number) {
  return n * 60 * MINUTE;
}

describe("limit rules", () => {
  it("rule rows override the business's limits column, which overrides the defaults", async () => {
    const [biz] = await db
      .insert(businesses)
      .values({
        slug: `rules-${crypto.randomUUID().slice(0, 8)}`,
        name: "Rules Dental",
        timeZone: "Europe/Berlin",
        limits: { customerPerDay: 5, ipPerMinute: 10, businessPerMonth: "lots", customerMinIntervalSeconds: 0 },
      })
      .returning();
    await db.insert(rateLimitRules).values({ businessId: biz!.id, scope: "ip_minute", limit: 2, windowSeconds: 60 });
    await db.insert(rateLimitRules).values({ businessId: biz!.id, scope: "not_a_scope", limit: 1, windowSeconds: 1 });

    const resolved = await loadLimits(db, biz!.id);
    expect(resolved).toEqual({
      timeZone: "Europe/Berlin",
      rules: {
        customer_interval: { limit: 0, windowSeconds: 1 }, // turned off in the column
        customer_day: { limit: 5, windowSeconds: 86_400 }, // from the column
        ip_minute: { limit: 2, windowSeconds: 60 }, // the row beats the column's 10
        business_month: DEFAULT_LIMITS.business_month, // "lots" is not a number: default
      },
    });
    expect(await loadLimits(db, crypto.randomUUID())).toBeNull();

    // Through the database end to end, with the in-process limiter.
    const limiter = new MemoryLimiter(new MemoryStore(), new MemoryKv());
    const customerId = crypto.randomUUID();
    for (let i = 0; i < 5; i++) expect(await checkLimits(db, { businessId: biz!.id, customerId }, { limiter })).toEqual({ ok: true });
    expect(await checkLimits(db, { businessId: biz!.id, customerId }, { limiter })).toMatchObject({ ok: false, scope: "customer_day" });

    await db.update(businesses).set({ limits: {} }).where(eq(businesses.id, biz!.id));
    expect((await loadLimits(db, biz!.id))!.rules.customer_day).toEqual(DEFAULT_LIMITS.customer_day);
  });

  it("checkLimits refuses an unknown business", async () => {
    await expect(checkLimits(db, { businessId: crypto.randomUUID(), customerId: crypto.randomUUID() })).rejects.toThrow(
      /does not exist/,
    );
  });

  it("defaults to 1 message per 2 s and 50 a day per customer, 30 a minute per IP, 10,000 a month per business", () => {
    expect(DEFAULT_LIMITS).toEqual({
      customer_interval: { limit: 1, windowSeconds: 2 },
      customer_day: { limit: 50, windowSeconds: 86_400 },
      ip_minute: { limit: 30, windowSeconds: 60 },
      business_month: { limit: 10_000, windowSeconds: 2_592_000 },
    });
  });

  it("reads the limits column leniently and tightens only below trust 30", () => {
    expect(readBusinessLimits({ customerPerDay: -1, autoPause: false, monthlyBudgetUsd: 20 })).toEqual({
      autoPause: false,
      monthlyBudgetUsd: 20,
    });
    expect(readBusinessLimits("nonsense")).toEqual({});
    const day = { limit: 50, windowSeconds: 86_400 };
    expect(tightenForTrust(day, 29)).toEqual({ limit: 25, windowSeconds: 86_400 });
    expect(tightenForTrust(day, 30)).toEqual(day);
    expect(tightenForTrust(day, undefined)).toEqual(day);
    expect(tightenForTrust({ limit: 1, windowSeconds: 2 }, 5)).toEqual({ limit: 1, windowSeconds: 4 });
  });

  it("hashes IPs with the app's key, so keys never hold a raw address", () => {
    expect(hashIp("203.0.113.7")).toBe(hashIp(" 203.0.113.7 "));
    expect(hashIp("203.0.113.7")).not.toContain("203");
    expect(hashIp("203.0.113.7")).not.toBe(hashIp("203.0.113.8"));
  });
});

describe("getLimiter()", () => {
  afterEach(() => {
    setKvForTests(undefined);
    setLimiterForTests(undefined);
  });

  it("follows the kv port: in-process over MemoryKv, @upstash/ratelimit over UpstashKv", () => {
    setKvForTests(new MemoryKv());
    expect(getLimiter().kind).toBe("memory");
    const redis = createUpstashRedis({ url: upstash.url, token: upstash.token });
    setKvForTests(new UpstashKv(redis));
    expect(getLimiter().kind).toBe("upstash");
    const mine = new MemoryLimiter(new MemoryStore(), new MemoryKv());
    setLimiterForTests(mine);
    expect(getLimiter()).toBe(mine);
  });
});
