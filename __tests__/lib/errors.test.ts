// The one error mapper: every 429 it makes carries Retry-After, whoever threw it.
import { AppError, errorResponse, rateLimitedResponse } from "@/lib/errors";

describe("429s", () => {
  it("carry the limit's own wait, rounded up to whole seconds", async () => {
    const res = errorResponse(new AppError("rate_limited", "Slow down.", { retryAfterSeconds: 4.2 }));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toEqual({ error: { code: "rate_limited", message: "Slow down." } });
  });

  it("carry a minute when the thrower did not say", () => {
    expect(errorResponse(new AppError("rate_limited", "Slow down.")).headers.get("retry-after")).toBe("60");
    expect(rateLimitedResponse("Slow down.", { retryAfterSeconds: 0 }).headers.get("retry-after")).toBe("1");
  });

  it("keep extra body fields and headers", async () => {
    const res = rateLimitedResponse("Slow down.", { retryAfterSeconds: 3, extra: { message: { id: "m1" } }, headers: { "cache-control": "no-store" } });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ error: { code: "rate_limited", message: "Slow down." }, message: { id: "m1" } });
  });
});
