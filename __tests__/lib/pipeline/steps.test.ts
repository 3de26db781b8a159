// The answer chain's decisions, each called alone (lib/pipeline/steps.ts): what a customer would
// notice if one went wrong — a reply to a blocked customer, an FAQ answering the wrong question, a
// cached answer that names another customer.
import { AiSettings } from "@/lib/ai/prompts";
import { afterHoursReply, dearestModel, earlierMessages, faqAnswer, firstGate, mayCache, namesCustomer } from "@/lib/pipeline/steps";
import type { ClaimedMessage } from "@/lib/pipeline/answer";
import type { Message } from "@/lib/pipeline/types";

type GateInput = Pick<ClaimedMessage, "message" | "conversation" | "customer" | "channel">;

function loaded(over: { content?: string; metadata?: Record<string, unknown>; status?: string; blocked?: boolean; blockedUntil?: Date | null; consent?: unknown; channel?: string } = {}): GateInput {
  return {
    message: { id: "m1", content: over.content ?? "Do you have parking?", metadata: over.metadata ?? {} },
    conversation: { status: over.status ?? "open" },
    customer: { blocked: over.blocked ?? false, blockedUntil: over.blockedUntil ?? null, consent: over.consent ?? {} },
    channel: { kind: over.channel ?? "sms" },
  } as unknown as GateInput;
}

describe("the gates that read only the loaded message", () => {
  const now = new Date("2026-12-07T12:00:00Z");

  it("lets an ordinary question through", () => {
    expect(firstGate(loaded(), now)).toBeNull();
  });

  it("stops each case a reply must not be sent for, in order", () => {
    expect(firstGate(loaded({ metadata: { csatRating: 4 } }), now)).toBe("csat_rating");
    expect(firstGate(loaded({ status: "waiting_human" }), now)).toBe("waiting_human");
    expect(firstGate(loaded({ blocked: true }), now)).toBe("blocked");
    expect(firstGate(loaded({ consent: { sms: { optedOut: true } } }), now)).toBe("opted_out");
    expect(firstGate(loaded({ content: "  \n " }), now)).toBe("empty");
    // a waiting conversation wins over a blocked customer: staff are told the customer wrote again
    expect(firstGate(loaded({ status: "waiting_human", blocked: true }), now)).toBe("waiting_human");
  });

  it("a block that has run out no longer stops the customer; one still running does", () => {
    expect(firstGate(loaded({ blockedUntil: new Date("2026-12-07T11:59:00Z") }), now)).toBeNull();
    expect(firstGate(loaded({ blockedUntil: new Date("2026-12-07T12:01:00Z") }), now)).toBe("blocked");
  });

  it("an opt-out on one channel does not silence the customer on another", () => {
    expect(firstGate(loaded({ consent: { sms: { optedOut: true } }, channel: "whatsapp" }), now)).toBeNull();
  });
});

describe("the after-hours message", () => {
  const settings = AiSettings.parse({ afterHours: "message", afterHoursMessage: "We are closed; back at 9.", hours: { enabled: true } });

  it("is sent outside opening hours and not inside them (in the business's zone)", () => {
    // Monday 20:00 in London: closed (09:00–17:00 by default)
    expect(afterHoursReply(settings, "Europe/London", new Date("2026-12-07T20:00:00Z"))).toBe("We are closed; back at 9.");
    // Monday 10:00 in London: open
    expect(afterHoursReply(settings, "Europe/London", new Date("2026-12-07T10:00:00Z"))).toBeNull();
    // 20:00 UTC is 12:00 in Los Angeles: open there
    expect(afterHoursReply(settings, "America/Los_Angeles", new Date("2026-12-07T20:00:00Z"))).toBeNull();
  });

  it("is never sent when the owner chose to keep answering after hours", () => {
    expect(afterHoursReply(AiSettings.parse({ hours: { enabled: true } }), "Europe/London", new Date("2026-12-07T20:00:00Z"))).toBeNull();
  });
});

describe("the FAQ shortcut", () => {
  const faq = (question: string, answer: string, similarity: number) => ({ id: question, question, answer, similarity, score: similarity, textRank: null, wordMatch: null });
  const scale = faq("How much is a scale and polish?", "A hygienist scale and polish costs £65 and takes about 30 minutes.", 0.9);
  const checkup = faq("How much does a check-up cost?", "A routine check-up with an examination costs £55 for private patients.", 0.9);

  it("answers with the closest FAQ when it is close enough and about the question", () => {
    expect(faqAnswer([scale, checkup], "How much is a cleaning?", 0.85)?.id).toBe(scale.id);
  });

  it("does not answer below the threshold, nor with an FAQ about something else however close", () => {
    expect(faqAnswer([{ ...scale, similarity: 0.8 }], "How much is a cleaning?", 0.85)).toBeNull();
    expect(faqAnswer([checkup], "How much is a cleaning?", 0.85)).toBeNull();
    expect(faqAnswer([], "How much is a cleaning?", 0.85)).toBeNull();
  });
});

describe("what the model may leave in the cache for other customers", () => {
  const general = { source: "model" as const, handoff: false, lowTrust: false, campaign: false, remembered: 0, earlier: 0, text: "We open at 9.", customerName: "Maria Lopez" };

  it("a first question's general answer is cached", () => {
    expect(mayCache(general)).toBe(true);
  });

  it("never an answer that is personal, handed off, suspicious or from a campaign", () => {
    expect(mayCache({ ...general, text: "Hi Maria, we open at 9." })).toBe(false);
    expect(mayCache({ ...general, handoff: true })).toBe(false);
    expect(mayCache({ ...general, lowTrust: true })).toBe(false);
    expect(mayCache({ ...general, campaign: true, reusable: true })).toBe(false);
    expect(mayCache({ ...general, source: "fallback" })).toBe(false);
  });

  it("with history or memories, only when the model says the answer is reusable", () => {
    expect(mayCache({ ...general, earlier: 3 })).toBe(false);
    expect(mayCache({ ...general, remembered: 2 })).toBe(false);
    expect(mayCache({ ...general, earlier: 3, reusable: true })).toBe(true);
    expect(mayCache({ ...general, reusable: false })).toBe(false);
  });

  it("a name is matched as a whole word, in any case, and short names are ignored", () => {
    expect(namesCustomer("Thanks, MARIA!", "Maria")).toBe(true);
    expect(namesCustomer("Our Mariachi night is Friday", "Maria")).toBe(false);
    expect(namesCustomer("Jo will call", "Jo")).toBe(false);
    expect(namesCustomer("Anything", null)).toBe(false);
  });
});

describe("the prompt's history and the budget's model", () => {
  it("shows the ten messages before this one, not this one", () => {
    const history = Array.from({ length: 12 }, (_, i) => ({ id: `m${i}` }) as Message);
    const earlier = earlierMessages(history, "m11");
    expect(earlier.map((m) => m.id)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"]);
  });

  it("holds the budget for the dearest model the router may fall back to", () => {
    expect(dearestModel(["gemini-2.5-flash-lite", "gemini-2.5-pro", "gemini-2.5-flash"])).toBe("gemini-2.5-pro");
  });
});
