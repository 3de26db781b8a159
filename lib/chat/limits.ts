import "server-only";
// The chat API's own limits, in front of the pipeline's: they stop a flood before anything is stored
// (the pipeline stores every message it is given, then decides whether to answer it). Per visitor
// they are fixed; per IP they follow the business's "messages per IP per minute" (0 turns them off).
// Same limiter as the pipeline (Upstash in production, in-process embedded), own key space.
import { AppError } from "@/lib/errors";
import { getLimiter, hashIp, type ResolvedLimits } from "@/lib/ratelimit";

export type ChatCall = "session" | "send" | "poll" | "contact" | "rate";

const PREFIX = "prism:rl:chat";

/** Per visitor (or per IP for new sessions), per minute. */
const PER_VISITOR: Record<Exclude<ChatCall, "session">, number> = {
  send: 20,
  // one poll a second, with room for a second tab
  poll: 150,
  contact: 10,
  rate: 10,
};

/** Multiples of the business's per-IP message limit: polls are many and cheap, sessions few. */
const IP_FACTOR: Record<ChatCall, number> = { session: 1, send: 1, poll: 20, contact: 1, rate: 1 };

async function hit(scope: string, identifier: string, tokens: number, message: string, windowMs = 60_000): Promise<void> {
  if (tokens <= 0) return;
  let result;
  try {
    result = await getLimiter().limit(`${PREFIX}:${scope}`, identifier, { kind: "slidingWindow", tokens, windowMs });
  } catch (err) {
    // The same rule as the pipeline's limits: a limiter outage must not turn customers away.
    console.warn(`[prismai] chat limiter unavailable for ${scope}`, err instanceof Error ? err.name : "");
    return;
  }
  if (!result.success) {
    throw new AppError("rate_limited", message, { retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)) });
  }
}

/** Counts one chat API call; throws a 429 AppError with a message the widget shows. */
export async function guardChatCall(input: {
  businessId: string;
  limits: ResolvedLimits;
  call: ChatCall;
  visitorHash?: string | null;
  ip?: string | null;
}): Promise<void> {
  const { businessId, call } = input;
  if (call !== "session" && input.visitorHash) {
    await hit(`${call}:visitor`, `${businessId}:${input.visitorHash}`, PER_VISITOR[call], "You're sending messages a little fast. Please wait a moment and try again.");
  }
  if (input.ip) {
    const rule = input.limits.rules.ip_minute;
    await hit(
      `${call}:ip`,
      `${businessId}:${hashIp(input.ip)}`,
      rule.limit * IP_FACTOR[call],
      "Too many messages from your network. Please wait a minute and try again.",
      rule.windowSeconds * 1000,
    );
  }
}
