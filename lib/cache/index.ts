// The semantic response cache (see semantic-cache.ts); the pipeline imports from here.
export { SemanticCache, answerKeyOf, getSemanticCache, normalizeQuestion, resetSemanticCacheForTests } from "./semantic-cache";
export type { CacheHit, CacheLookup, CacheOrigin, CacheResolution, CacheStore, CacheTier, SemanticCacheOptions } from "./semantic-cache";
export { CACHE_DECISION, decide, questionTerms, type Decision, type DecisionParams } from "./decision";
export { MemoryKv, UpstashKv, createCacheKv, type CacheKv, type RedisLike } from "./kv";
export { pruneResponseCache } from "./postgres-tier";
