// The kv port: one table of behaviour run against the in-process store and against Upstash's REST
// protocol (the real @upstash/redis SDK → the stand-in → a real redis-server).
import crypto from "node:crypto";
import { resetEnvForTests } from "@/lib/env";
import { createUpstashRedis, getKv, MemoryKv, setKvForTests, UpstashKv, type Kv } from "@/lib/kv";
import { startUpstashServer, type UpstashStandIn } from "../../helpers/upstash-server";

let upstash: UpstashStandIn;

beforeAll(async () => {
  upstash = await startUpstashServer();
});

afterAll(async () => {
  await upstash?.stop();
});

const adapters: [string, () => Kv][] = [
  ["memory", () => new MemoryKv()],
  ["upstash", () => new UpstashKv(createUpstashRedis({ url: upstash.url, token: upstash.token }))],
];

describe.each(adapters)("kv (%s)", (name, make) => {
  let kv: Kv;
  let n = 0;
  const key = (k: string) => `test:${name}:${++n}:${k}`;

  beforeEach(() => {
    kv = make();
  });

  it("round-trips JSON values and keeps strings as strings", async () => {
    const k1 = key("obj");
    const k2 = key("str");
    const k3 = key("num");
    expect(await kv.get(k1)).toBeNull();
    expect(await kv.set(k1, { answer: "Open 9–5", tags: ["hours"], n: 2 })).toBe(true);
    expect(await kv.get(k1)).toEqual({ answer: "Open 9–5", tags: ["hours"], n: 2 });
    await kv.set(k2, "123");
    expect(await kv.get(k2)).toBe("123");
    await kv.set(k3, 42);
    expect(await kv.get(k3)).toBe(42);
  });

  it("set nx only writes once", async () => {
    const k = key("nx");
    expect(await kv.set(k, "first", { nx: true, ttlSeconds: 60 })).toBe(true);
    expect(await kv.set(k, "second", { nx: true, ttlSeconds: 60 })).toBe(false);
    expect(await kv.get(k)).toBe("first");
  });

  it("incr counts atomically, by any step, and can set the expiry in the same call", async () => {
    const k = key("counter");
    expect(await kv.incr(k)).toBe(1);
    expect(await kv.incr(k, { by: 4 })).toBe(5);
    expect(await kv.ttl(k)).toBe(-1);
    expect(await kv.incr(k, { ttlSeconds: 30 })).toBe(6);
    const ttl = await kv.ttl(k);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
    expect(await kv.get(k)).toBe(6);
    const results = await Promise.all(Array.from({ length: 20 }, () => kv.incr(k)));
    expect(new Set(results).size).toBe(20);
    expect(Math.max(...results)).toBe(26);
  });

  it("incr on a non-integer fails like Redis", async () => {
    const k = key("text");
    await kv.set(k, "hello");
    await expect(kv.incr(k)).rejects.toThrow(/not an integer/);
  });

  it("expires keys", async () => {
    const k = key("short");
    await kv.set(k, "soon gone", { ttlSeconds: 1 });
    expect(await kv.get(k)).toBe("soon gone");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await kv.get(k)).toBeNull();
    expect(await kv.ttl(k)).toBe(-2);
  });

  it("expire and del report what they did", async () => {
    const k = key("del");
    expect(await kv.expire(k, 10)).toBe(false);
    await kv.set(k, 1);
    expect(await kv.expire(k, 10)).toBe(true);
    expect(await kv.del(k, key("missing"))).toBe(1);
    expect(await kv.get(k)).toBeNull();
  });
});

describe("Upstash REST stand-in", () => {
  it("was spoken to with the SDK's real protocol (pipelines and multi-exec)", async () => {
    const kv = new UpstashKv(createUpstashRedis({ url: upstash.url, token: upstash.token }));
    await Promise.all([kv.set("proto:a", 1), kv.set("proto:b", 2)]); // auto-pipelined by the SDK
    await kv.incr("proto:c", { ttlSeconds: 5 });
    expect(upstash.requests["/pipeline"]).toBeGreaterThan(0);
    expect(upstash.requests["/multi-exec"]).toBeGreaterThan(0);
    expect(await upstash.redis.client().get("proto:b")).toBe("2");
  });

  it("loads and runs scripts by the SDK's own SHA, accepting Upstash's allow-key-locking flag", async () => {
    const redis = createUpstashRedis({ url: upstash.url, token: upstash.token });
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])";
    const sha = await redis.scriptLoad(script);
    expect(sha).toBe(crypto.createHash("sha1").update(script).digest("hex"));
    expect(await redis.evalsha(sha, ["script:n"], [5])).toBe(5);
    expect(await redis.eval(script, ["script:n"], [2])).toBe(7);
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("reports a failing command inside a pipeline without failing the others", async () => {
    const redis = createUpstashRedis({ url: upstash.url, token: upstash.token });
    await redis.set("pipe:text", "hello");
    const results = await redis.pipeline().incr("pipe:text").incr("pipe:count").exec({ keepErrors: true });
    expect(results[0]!.error).toMatch(/not an integer/);
    expect(results[1]).toEqual({ error: undefined, result: 1 });
  });

  it("rejects a wrong token", async () => {
    const kv = new UpstashKv(createUpstashRedis({ url: upstash.url, token: "wrong" }));
    await expect(kv.get("anything")).rejects.toThrow(/Unauthorized/);
  });
});

describe("getKv()", () => {
  afterEach(() => {
    delete process.env.UPSTASH_REDIS_REST_URL;
    delete process.env.UPSTASH_REDIS_REST_TOKEN;
    resetEnvForTests();
    setKvForTests(undefined);
  });

  it("is in-process with no environment", () => {
    setKvForTests(undefined);
    resetEnvForTests();
    expect(getKv().kind).toBe("memory");
  });

  it("is Upstash when UPSTASH_REDIS_REST_URL and _TOKEN are set", async () => {
    process.env.UPSTASH_REDIS_REST_URL = upstash.url;
    process.env.UPSTASH_REDIS_REST_TOKEN = upstash.token;
    resetEnvForTests();
    setKvForTests(undefined);
    const kv = getKv();
    expect(kv.kind).toBe("upstash");
    await kv.set("env:k", { ok: true });
    expect(JSON.parse((await upstash.redis.client().get("env:k"))!)).toEqual({ ok: true });
  });
});
