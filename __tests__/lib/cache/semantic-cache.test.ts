import { sql } from "drizzle-orm";
import { openPostgres, rows, type Db } from "@/lib/db/client";
import { LocalEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { MemoryKv, pruneResponseCache, SemanticCache, UpstashKv, type CacheKv, type DecisionParams, type RedisLike } from "@/lib/cache";
import { MemoryTier } from "@/lib/cache/memory-tier";
import { forgetTenantStats } from "@/lib/cache/postgres-tier";
import { testEngine, useTestDb } from "../../helpers/db";

/** A KV tier the test can inspect and empty. */
class MapKv implements CacheKv {
  readonly map = new Map<string, { value: string; ex: number }>();
  async get(key: string) {
    return this.map.get(key)?.value ?? null;
  }
  async set(key: string, value: string, options: { ex: number }) {
    this.map.set(key, { value, ex: options.ex });
  }
}

/** Counts embedding calls, so tests can see which lookups needed one. */
class CountingEmbedder implements Embedder {
  readonly model = "local-hash-768";
  calls = 0;
  private readonly inner = new LocalEmbedder();
  embed(texts: string[], purpose: "query" | "document") {
    this.calls++;
    return this.inner.embed(texts, purpose);
  }
}

let db: Db;
let close: () => Promise<void>;
let clinic: string;
let bakery: string;
const THRESHOLD = 0.8;
const QUESTION = "What are your opening hours on Saturday?";
const PARAPHRASE = "what are your Saturday opening hours";
const ANSWER = "We're open 9:00–13:00 on Saturdays.";

beforeAll(async () => {
  const handle = await useTestDb();
  db = handle.db;
  close = handle.close;
  const made = await rows<{ id: string; slug: string }>(
    db,
    sql`insert into businesses (slug, name) values ('clinic', 'Bright Smile Dental'), ('bakery', 'Crumbs Bakery') returning id, slug`,
  );
  clinic = made.find((b) => b.slug === "clinic")!.id;
  bakery = made.find((b) => b.slug === "bakery")!.id;
});
afterAll(() => close());
beforeEach(async () => {
  await db.execute(sql`delete from response_cache`);
  forgetTenantStats();
  jest.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => jest.restoreAllMocks());

const cacheWith = (over: Partial<ConstructorParameters<typeof SemanticCache>[0]> = {}) =>
  new SemanticCache({ embedder: new LocalEmbedder(), kv: new MapKv(), db, ...over });
const entry = (over: Partial<Parameters<SemanticCache["store"]>[0]> = {}) => ({
  businessId: clinic,
  question: QUESTION,
  answer: ANSWER,
  knowledgeVersion: 1,
  channelStyle: "chat",
  sourceMessageIds: [] as string[],
  ttlSeconds: 3600,
  ...over,
});
const ask = (question: string, over: Partial<Parameters<SemanticCache["lookup"]>[0]> = {}) => ({
  businessId: clinic,
  question,
  knowledgeVersion: 1,
  channelStyle: "chat",
  threshold: THRESHOLD,
  ...over,
});
const pgCount = async () => Number((await rows<{ n: number }>(db, sql`select count(*)::int as n from response_cache`))[0]!.n);

/** The fire-and-forget hit counter has landed. */
async function hitsOf(entryId: string, expected: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const [row] = await rows<{ hits: number }>(db, sql`select hits from response_cache_hits where entry_id = ${entryId}`);
    if (Number(row?.hits ?? 0) >= expected) return Number(row!.hits);
    await new Promise((r) => setTimeout(r, 20));
  }
  const [row] = await rows<{ hits: number }>(db, sql`select hits from response_cache_hits where entry_id = ${entryId}`);
  return Number(row?.hits ?? 0);
}

describe("semantic cache", () => {
  it("serves a paraphrase from Postgres, then the same wording from the LRU and from the shared KV", async () => {
    const kv = new MapKv();
    const a = cacheWith({ kv });
    const { entryId } = await a.store(entry({ sourceMessageIds: ["7f1e1d2c-0000-4000-8000-000000000001"] }));
    expect(await pgCount()).toBe(1);
    const [row] = await rows<{ question: string; source_message_ids: string[]; knowledge_version: number; terms: string[]; origin: string }>(
      db,
      sql`select question, source_message_ids, knowledge_version, terms, origin from response_cache where id = ${entryId}`,
    );
    expect(row).toMatchObject({ question: QUESTION, knowledge_version: 1, origin: "model" });
    expect(row!.source_message_ids).toEqual(["7f1e1d2c-0000-4000-8000-000000000001"]);
    expect([...row!.terms].sort()).toEqual(["hour", "open", "saturday"]);

    // the stored question itself: the LRU answers, no Postgres needed
    expect(await a.lookup(ask(QUESTION))).toMatchObject({ answer: ANSWER, tier: "memory", entryId, similarity: 1 });
    // a paraphrase is decided on Postgres's nearest entries, then remembered for that wording
    const first = await a.lookup(ask(PARAPHRASE));
    expect(first).toMatchObject({ answer: ANSWER, tier: "postgres", entryId });
    expect(first!.similarity).toBeGreaterThanOrEqual(THRESHOLD);
    expect(first!.similarity).toBeLessThan(1);
    expect(await a.lookup(ask(PARAPHRASE))).toMatchObject({ tier: "memory", entryId, similarity: first!.similarity });

    // another instance sharing Redis: the remembered wording comes from the KV tier
    const b = cacheWith({ kv });
    expect(await b.lookup(ask(PARAPHRASE))).toMatchObject({ tier: "kv", entryId, similarity: first!.similarity });
    expect(await b.lookup(ask("What are your opening hours on Saturday"))).toMatchObject({ tier: "kv", entryId, similarity: 1 });

    // a cold instance with an empty KV: Postgres again
    const cold = await cacheWith().lookup(ask(PARAPHRASE));
    expect(cold).toMatchObject({ answer: ANSWER, tier: "postgres", entryId });
    expect(cold!.similarity).toBeCloseTo(first!.similarity, 5);
    expect(await hitsOf(entryId, 6)).toBe(6);
  });

  it("counts hits in their own table, never rewriting the vector-indexed row", async () => {
    const a = cacheWith();
    const { entryId } = await a.store(entry());
    const version = async () => (await rows<{ v: string }>(db, sql`select xmin::text as v from response_cache where id = ${entryId}`))[0]!.v;
    const before = await version();
    for (let i = 0; i < 3; i++) await cacheWith().lookup(ask(PARAPHRASE));
    expect(await hitsOf(entryId, 3)).toBe(3);
    expect(await version()).toBe(before);
    // deleting the entry takes its counter with it
    await db.execute(sql`delete from response_cache where id = ${entryId}`);
    expect(await rows(db, sql`select 1 from response_cache_hits where entry_id = ${entryId}`)).toHaveLength(0);
  });

  it("misses below the threshold and for a different question", async () => {
    const a = cacheWith();
    await a.store(entry());
    expect(await a.lookup(ask("Do you accept Delta Dental insurance?"))).toBeNull();
    expect(await a.lookup(ask(PARAPHRASE, { threshold: 0.995 }))).toBeNull();
    expect(await cacheWith().lookup(ask(PARAPHRASE, { threshold: 0.995 }))).toBeNull();
    expect(await cacheWith().lookup(ask("Do you accept Delta Dental insurance?"))).toBeNull();
    // a KV mapping made at a low threshold does not serve a stricter one
    const kv = new MapKv();
    expect(await cacheWith({ kv }).lookup(ask(PARAPHRASE))).not.toBeNull();
    expect(await cacheWith({ kv }).lookup(ask(PARAPHRASE, { threshold: 0.995 }))).toBeNull();
  });

  it("never serves an entry of an older knowledge version, in any tier", async () => {
    const kv = new MapKv();
    const a = cacheWith({ kv });
    await a.store(entry());

    // Postgres only (a cold instance with an empty KV)
    expect(await cacheWith().lookup(ask(QUESTION))).toMatchObject({ tier: "postgres" });
    expect(await cacheWith().lookup(ask(QUESTION, { knowledgeVersion: 2 }))).toBeNull();

    // KV only (the row is gone, a new instance has an empty LRU)
    await db.execute(sql`delete from response_cache`);
    expect(await cacheWith({ kv }).lookup(ask(QUESTION))).toMatchObject({ tier: "kv" });
    expect(await cacheWith({ kv }).lookup(ask(QUESTION, { knowledgeVersion: 2 }))).toBeNull();

    // LRU only (KV emptied too): exact and paraphrase both refuse the old version
    kv.map.clear();
    expect(await a.lookup(ask(QUESTION))).toMatchObject({ tier: "memory" });
    expect(await a.lookup(ask(PARAPHRASE, { knowledgeVersion: 2 }))).toBeNull();
    expect(await a.lookup(ask(QUESTION, { knowledgeVersion: 2 }))).toBeNull();
    // and once the new version has been seen, the old entry is gone from the LRU for good
    expect(await a.lookup(ask(QUESTION))).toBeNull();
  });

  it("serves the new version's entries after a bump", async () => {
    const a = cacheWith();
    await a.store(entry());
    await a.store(entry({ knowledgeVersion: 2, answer: "Saturdays we now open 10:00–14:00." }));
    expect((await a.lookup(ask(PARAPHRASE, { knowledgeVersion: 2 })))!.answer).toBe("Saturdays we now open 10:00–14:00.");
    expect((await cacheWith().lookup(ask(PARAPHRASE, { knowledgeVersion: 2 })))!.answer).toBe("Saturdays we now open 10:00–14:00.");
  });

  it("expires entries after their TTL, in every tier", async () => {
    let now = Date.parse("2026-01-05T12:00:00Z");
    const clock = () => now;
    const kv = new MemoryKv({ now: clock });
    const a = cacheWith({ kv, now: clock });
    await a.store(entry({ ttlSeconds: 60 }));
    const [row] = await rows<{ expires_at: string | Date }>(db, sql`select expires_at from response_cache`);
    expect(new Date(row!.expires_at).toISOString()).toBe("2026-01-05T12:01:00.000Z");

    now += 30_000;
    expect(await a.lookup(ask(QUESTION))).toMatchObject({ tier: "memory" });
    expect(await cacheWith({ kv, now: clock }).lookup(ask(QUESTION))).toMatchObject({ tier: "kv" });
    expect(await cacheWith({ now: clock }).lookup(ask(PARAPHRASE))).toMatchObject({ tier: "postgres" });

    now += 31_000; // 61 s after storing
    expect(await a.lookup(ask(QUESTION))).toBeNull();
    expect(await a.lookup(ask(PARAPHRASE))).toBeNull();
    expect(await cacheWith({ kv, now: clock }).lookup(ask(QUESTION))).toBeNull();
    expect(await cacheWith({ now: clock }).lookup(ask(PARAPHRASE))).toBeNull();
  });

  it("passes each entry's TTL to the KV tier", async () => {
    const kv = new MapKv();
    await cacheWith({ kv }).store(entry({ ttlSeconds: 900 }));
    expect([...kv.map.values()].map((v) => v.ex)).toEqual([900]);
    await expect(cacheWith().store(entry({ ttlSeconds: 0 }))).rejects.toThrow(/TTL/);
    await expect(cacheWith().store(entry({ question: " ?! " }))).rejects.toThrow(/empty/);
  });

  it("keeps tenants apart: one business's answers never serve another", async () => {
    const kv = new MapKv();
    const a = cacheWith({ kv });
    await a.store(entry());
    expect(await a.lookup(ask(QUESTION, { businessId: bakery }))).toBeNull();
    expect(await a.lookup(ask(PARAPHRASE, { businessId: bakery }))).toBeNull();
    expect(await cacheWith({ kv }).lookup(ask(QUESTION, { businessId: bakery }))).toBeNull();
    expect(await cacheWith().lookup(ask(PARAPHRASE, { businessId: bakery }))).toBeNull();
    // the bakery's own entry for the same words serves only the bakery
    await a.store(entry({ businessId: bakery, answer: "We bake from 7:00 on Saturdays." }));
    expect((await cacheWith().lookup(ask(PARAPHRASE, { businessId: bakery })))!.answer).toBe("We bake from 7:00 on Saturdays.");
    expect((await cacheWith().lookup(ask(PARAPHRASE)))!.answer).toBe(ANSWER);
    for (const key of kv.map.keys()) expect(key).not.toContain("Saturday"); // no customer words in keys
  });

  it("keeps channel styles apart: an SMS answer does not serve email", async () => {
    const a = cacheWith();
    await a.store(entry({ channelStyle: "sms", answer: "Sat 9-13." }));
    expect(await a.lookup(ask(QUESTION, { channelStyle: "email" }))).toBeNull();
    expect(await cacheWith().lookup(ask(PARAPHRASE, { channelStyle: "email" }))).toBeNull();
    expect((await cacheWith().lookup(ask(PARAPHRASE, { channelStyle: "sms" })))!.answer).toBe("Sat 9-13.");
  });

  it("reuses a caller's embedding and skips embedding for exact repeats", async () => {
    const embedder = new CountingEmbedder();
    const a = cacheWith({ embedder });
    const { vector } = await a.embedQuestion(QUESTION);
    expect(embedder.calls).toBe(1);
    await a.store({ ...entry(), embedding: vector });
    await a.lookup(ask(QUESTION)); // exact repeat: LRU, no embedding
    await a.lookup({ ...ask(PARAPHRASE), embedding: (await new LocalEmbedder().embed([PARAPHRASE], "query")).vectors[0] });
    expect(embedder.calls).toBe(1);
    await a.lookup(ask(PARAPHRASE)); // remembered from the lookup before: no embedding
    expect(embedder.calls).toBe(1);
    await a.lookup(ask("Saturday opening hours, what are they?"));
    expect(embedder.calls).toBe(2);
  });

  it("treats a failing KV or database as a miss, not an error", async () => {
    const broken: CacheKv = { get: () => Promise.reject(new Error("down")), set: () => Promise.reject(new Error("down")) };
    const a = cacheWith({ kv: broken });
    await a.store(entry()); // KV write fails quietly; Postgres and the LRU still have it
    expect(await a.lookup(ask(QUESTION))).toMatchObject({ tier: "memory" });
    expect(await a.lookup(ask(PARAPHRASE))).toMatchObject({ tier: "postgres" });
    const noDb = cacheWith({ db: async () => Promise.reject(new Error("db down")) });
    expect(await noDb.lookup(ask(PARAPHRASE))).toBeNull();
    await expect(noDb.store(entry())).rejects.toThrow("db down");
  });

  it("finds the same nearest entry through HNSW for a large tenant as by exact scan, and still keeps tenants apart", async () => {
    const questions = [
      "Do you accept Delta Dental insurance?",
      "How much does a filling cost?",
      "Can I bring my child to my appointment?",
      "Where can I park?",
      QUESTION,
      "Do you offer teeth whitening?",
    ];
    // Index statistics are per server process and flushed on demand only for the calling one, so on
    // the server this test reads and counts through one connection rather than the pool.
    const single = testEngine() === "postgres" ? openPostgres(process.env.DATABASE_URL!, { max: 1 }) : undefined;
    const conn = single?.db ?? db;
    const cacheOn = (over: Partial<ConstructorParameters<typeof SemanticCache>[0]> = {}) => cacheWith({ db: conn, ...over });
    const a = cacheOn();
    for (const q of questions) await a.store(entry({ question: q, answer: `answer: ${q}` }));
    await a.store(entry({ businessId: bakery, question: PARAPHRASE, answer: "the bakery's hours" }));
    const probes = [PARAPHRASE, "is there parking", "price of a filling", "whitening for teeth?"];
    // how often the HNSW index was walked (statistics are flushed on demand first)
    const hnswScans = async () => {
      await conn.execute(sql`select pg_stat_force_next_flush()`);
      await conn.execute(sql`select pg_stat_clear_snapshot()`);
      const [r] = await rows<{ n: number }>(conn, sql`select idx_scan::int as n from pg_stat_user_indexes where indexrelname = 'response_cache_embedding_idx'`);
      return Number(r!.n);
    };
    const nearest = async (p: string, over: Partial<ConstructorParameters<typeof SemanticCache>[0]> = {}) => {
      const c = cacheOn(over);
      const { vector } = await c.embedQuestion(p);
      return (await c.evidence({ businessId: clinic, knowledgeVersion: 1, channelStyle: "chat", embedding: vector }, 3)).neighbours;
    };
    const scansBeforeExact = await hnswScans();
    const exact = await Promise.all(probes.map((p) => nearest(p)));
    expect(await hnswScans()).toBe(scansBeforeExact); // small tenant: exact scan, the HNSW index untouched
    forgetTenantStats();
    const before = await hnswScans();
    const viaHnsw = await Promise.all(probes.map((p) => nearest(p, { hnswMinEntries: 3 })));
    expect(await hnswScans()).toBe(before + probes.length);
    expect(exact.map((n) => n[0]!.answer)).toEqual([`answer: ${QUESTION}`, "answer: Where can I park?", "answer: How much does a filling cost?", "answer: Do you offer teeth whitening?"]);
    const shape = (ns: { id: string; similarity: number }[][]) => ns.map((n) => n.map((x) => [x.id, x.similarity.toFixed(6)]));
    expect(shape(viaHnsw)).toEqual(shape(exact));
    expect(exact.every((n) => n.length === 3)).toBe(true);
    // the bakery has one entry among the clinic's: the filtered index walk still finds it
    expect((await cacheOn({ hnswMinEntries: 1 }).lookup(ask(PARAPHRASE, { businessId: bakery })))!.answer).toBe("the bakery's hours");
    await single?.close();
  });

  it("prunes expired entries and entries of older knowledge versions", async () => {
    const a = cacheWith();
    await a.store(entry({ knowledgeVersion: 1 }));
    await a.store(entry({ knowledgeVersion: 2, question: "Do you open on Sundays?" }));
    await a.store(entry({ businessId: bakery, knowledgeVersion: 1, question: "Do you sell sourdough?", ttlSeconds: 60 }));
    await db.execute(sql`update businesses set knowledge_version = 2 where id = ${clinic}`);
    try {
      const removed = await pruneResponseCache(db, new Date(Date.now() + 120_000));
      expect(removed).toBe(2); // the clinic's v1 entry and the bakery's expired one
      const left = await rows<{ question: string }>(db, sql`select question from response_cache`);
      expect(left.map((r) => r.question)).toEqual(["Do you open on Sundays?"]);
    } finally {
      await db.execute(sql`update businesses set knowledge_version = 1 where id = ${clinic}`);
    }
  });
});

describe("deciding on agreement", () => {
  const PARAMS: DecisionParams = { neighbours: 10, floor: 0.55, agreementBonus: 0.15, minShare: 0.7, minMargin: 0.06, maxNovelty: 0.25, alone: 0.95 };
  const HOURS = [QUESTION, "When do you open on Saturdays?", "Are you open on Saturday morning?", "What time do you close on Saturday?", "Saturday opening times?"];
  const PASSWORD = ["How do I reset my password?", "I forgot my password, how can I reset it?", "Reset my password please", "How can I change my password?", "password reset"];
  const PASSWORD_ANSWER = "Use 'Forgot password' on the sign-in page of the patient portal.";
  // nearest stored question 0.78: under the 0.88 threshold on its own
  const AGREEING = "Which hours are you open on a Saturday?";
  const strict = (question: string, over: Partial<Parameters<SemanticCache["lookup"]>[0]> = {}) => ask(question, { threshold: 0.88, params: PARAMS, ...over });
  const fill = async (c: SemanticCache, questions: string[], answer: string, over: Partial<Parameters<SemanticCache["store"]>[0]> = {}) => {
    for (const question of questions) await c.store(entry({ question, answer, ...over }));
  };

  it("serves a question no single entry is close enough for when several paraphrases of one answer agree", async () => {
    const a = cacheWith();
    await a.store(entry());
    await a.store(entry({ question: "Where can I park?", answer: "There is free parking behind the clinic." }));
    expect(await cacheWith().lookup(strict(AGREEING))).toBeNull(); // one paraphrase: the old rule's miss
    await fill(a, HOURS.slice(1), ANSWER);
    const r = await cacheWith().resolve(strict(AGREEING));
    expect(r.hit).toMatchObject({ answer: ANSWER, tier: "postgres", agreeing: 4 });
    expect(r.hit!.similarity).toBeLessThan(0.88);
    expect(r.decision).toMatchObject({ serve: true, reason: "agreement", share: 1 });
  });

  it("never serves a near miss: a question asking about something its paraphrases never mention", async () => {
    const a = cacheWith();
    await fill(a, HOURS, ANSWER);
    await fill(a, PASSWORD, PASSWORD_ANSWER);
    expect((await cacheWith().lookup(strict("how to reset a password")))?.answer).toBe(PASSWORD_ANSWER);
    const wifi = await cacheWith().resolve(strict("How do I reset my wifi password?"));
    expect(wifi.hit).toBeNull();
    expect(wifi.decision).toMatchObject({ serve: false, reason: "novel", agreeing: 4 });
    expect(wifi.nearMiss).toMatchObject({ answer: PASSWORD_ANSWER, question: "How do I reset my password?" });
    expect(await cacheWith().lookup(strict("What are your opening hours on Sunday?"))).toBeNull();
  });

  it("misses when another answer is about as close", async () => {
    const a = cacheWith();
    await a.store(entry());
    await a.store(entry({ question: "What are your opening hours on Saturday?!", answer: "Saturdays: closed until further notice." }));
    const r = await cacheWith().resolve(strict(PARAPHRASE));
    expect(r.hit).toBeNull();
    expect(r.decision?.reason).toMatch(/split|contested/);
  });

  it("lets differently worded answers agree once they share a group, and only then", async () => {
    const a = cacheWith();
    await a.store(entry({ question: "Where can I park?", answer: "There is free parking behind the clinic." }));
    const answers = HOURS.map((_, i) => `Saturdays we are open 9 to 1 (${i}).`);
    for (const [i, question] of HOURS.entries()) await a.store(entry({ question, answer: answers[i]! }));
    expect(await cacheWith().lookup(strict(AGREEING))).toBeNull(); // five answers, none agreeing
    await db.execute(sql`delete from response_cache where answer like 'Saturdays we are open%'`);
    const { answerKey } = await a.store(entry({ question: HOURS[0], answer: answers[0]! }));
    for (const [i, question] of HOURS.slice(1).entries()) await a.store(entry({ question, answer: answers[i + 1]!, answerKey }));
    const hit = await cacheWith().lookup(strict(AGREEING));
    expect(hit).toMatchObject({ answerKey, agreeing: 4, answer: answers[0] });
  });

  it("keeps agreement within one business, version and style", async () => {
    const a = cacheWith();
    await fill(a, HOURS, ANSWER);
    await a.store(entry({ businessId: bakery, question: "Do you deliver cakes?", answer: "We deliver within 5 miles." }));
    const bakeryAsks = await cacheWith().resolve(strict(AGREEING, { businessId: bakery }));
    expect(bakeryAsks.hit).toBeNull();
    expect(bakeryAsks.nearMiss?.answer).not.toBe(ANSWER);
    expect(await cacheWith().lookup(strict(AGREEING, { channelStyle: "sms" }))).toBeNull();
    // after a knowledge change, the old version's paraphrases are no evidence for the new one
    await a.store(entry({ knowledgeVersion: 2, answer: "From next month: Saturdays 10 to 2." }));
    expect(await cacheWith().lookup(strict(AGREEING, { knowledgeVersion: 2 }))).toBeNull();
    expect((await cacheWith().lookup(strict(AGREEING)))?.answer).toBe(ANSWER);
  });

  it("says which entries were warmed, in every tier", async () => {
    const kv = new MapKv();
    const a = cacheWith({ kv });
    await a.store(entry({ origin: "warmed" }));
    expect(await a.lookup(ask(QUESTION))).toMatchObject({ tier: "memory", origin: "warmed" });
    expect(await cacheWith({ kv }).lookup(ask(QUESTION))).toMatchObject({ tier: "kv", origin: "warmed" });
    expect(await cacheWith().lookup(ask(PARAPHRASE))).toMatchObject({ tier: "postgres", origin: "warmed" });
  });
});

describe("memory tier", () => {
  it("keeps the most recently used wordings per business and style, of the current version only", () => {
    const tier = new MemoryTier({ perBucket: 2 });
    const put = (q: string, knowledgeVersion = 1) =>
      tier.put({ id: q, businessId: "b", channelStyle: "chat", knowledgeVersion, question: q, entryQuestion: q, answer: q, answerKey: q, origin: "model", similarity: 1, score: 1, expiresAt: 10_000 }, 0);
    put("a");
    put("b");
    expect(tier.exact("b", "chat", 1, "a", 0)?.id).toBe("a"); // touch a: b is now the oldest
    put("c");
    expect(tier.exact("b", "chat", 1, "b", 0)).toBeUndefined();
    expect(tier.exact("b", "sms", 1, "a", 0)).toBeUndefined();
    expect(tier.size).toBe(2);
    expect(tier.exact("b", "chat", 2, "a", 0)).toBeUndefined(); // another version: dropped, not skipped
    expect(tier.size).toBe(1);
    expect(tier.exact("b", "chat", 1, "c", 10_000)).toBeUndefined(); // expired
    put("d", 2);
    put("d", 1); // an older version's mapping never replaces a newer one
    expect(tier.exact("b", "chat", 2, "d", 0)?.knowledgeVersion).toBe(2);
    tier.forget("b");
    expect(tier.size).toBe(0);
  });
});

describe("Upstash KV adapter", () => {
  it("stores with an expiry and reads strings back, whatever the client deserialises", async () => {
    const calls: unknown[][] = [];
    const store = new Map<string, unknown>();
    const redis: RedisLike = {
      async get(key) {
        return store.get(key) ?? null;
      },
      async set(key, value, options) {
        calls.push([key, value, options]);
        store.set(key, JSON.parse(value)); // as a client with automatic deserialisation would return it
        return "OK";
      },
    };
    const kv = new UpstashKv(redis);
    await kv.set("k", JSON.stringify({ answer: "hi" }), { ex: 90.4 });
    expect(calls).toEqual([["k", '{"answer":"hi"}', { ex: 91 }]]);
    expect(await kv.get("k")).toBe('{"answer":"hi"}');
    expect(await kv.get("missing")).toBeNull();
  });
});
