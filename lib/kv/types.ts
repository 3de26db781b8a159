// The kv port: the few Redis operations the app needs, with the same meaning on Upstash and in-process.

export type KvSetOptions = {
  /** expire after this many seconds */
  ttlSeconds?: number;
  /** only set when the key does not exist; set() then returns false if it did */
  nx?: boolean;
};

export type KvIncrOptions = {
  /** increment (default 1) */
  by?: number;
  /** (re)set the key's expiry in the same round trip */
  ttlSeconds?: number;
};

export interface Kv {
  readonly kind: "upstash" | "memory";
  /** The stored value (JSON round-tripped), or null. */
  get<T = unknown>(key: string): Promise<T | null>;
  /** Stores any JSON-serialisable value; false only when nx is set and the key existed. */
  set(key: string, value: unknown, options?: KvSetOptions): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /** Atomic increment; the new value. */
  incr(key: string, options?: KvIncrOptions): Promise<number>;
  expire(key: string, ttlSeconds: number): Promise<boolean>;
  /** Seconds to live: -2 when the key is missing, -1 when it has no expiry. */
  ttl(key: string): Promise<number>;
}
