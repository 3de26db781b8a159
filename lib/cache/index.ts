// The semantic response cache (see semantic-cache.ts); the pipeline imports from here.
export { SemanticCache, getSemanticCache, normalizeQuestion, resetSemanticCacheForTests } from "./semantic-cache";
export type { CacheHit, CacheLookup, CacheStore, CacheTier, SemanticCacheOptions } from "./semantic-cache";
export { MemoryKv, UpstashKv, createCacheKv, type CacheKv, type RedisLike } from "./kv";
export { pruneResponseCache } from "./postgres-tier";
