import { analyze, answersQuestion, followUpOf, isContentFree, isFollowUp } from "@/lib/ai/evidence";

const ids = (q: string) => analyze(q).concepts.map((c) => c.id);

describe("what a question asks", () => {
  it("names its topics, numbers and the kind of answer it wants", () => {
    expect(analyze("How much is a cleaning?")).toMatchObject({ numbers: [], facets: ["price"] });
    expect(ids("How much is a cleaning?")).toEqual(["clean"]);
    // one topic however it is written
    expect(ids("what do u charge for a scale and polish")).toEqual(["clean"]);
    expect(ids("Can I drink alcohol after having a tooth out?").sort()).toEqual(["alcohol", "drink", "tooth out"]);
    expect(analyze("Do you have a 2 bed flat in Clifton?").numbers).toEqual(["2"]);
    expect(analyze("What time do you close on Thursdays?").facets).toEqual(["time"]);
    expect(analyze("How long should I bite on the gauze?").facets).toEqual(["duration"]);
    expect(analyze("How much notice do I have to give?").facets).toEqual(["duration"]);
    expect(analyze("Where's your office?").concepts.map((c) => c.id)).toEqual(["address"]);
    // an email's sign-off names nobody the question is about
    expect(ids("Could you tell me the price of a routine examination? Thanks, Jo")).not.toContain("jo");
  });

  it("has nothing to answer in filler", () => {
    for (const q of ["one", "yes", "ok", "?", "hmm not sure", "thanks"]) expect([q, isContentFree(analyze(q))]).toEqual([q, true]);
    expect(isContentFree(analyze("Is the dentist nice?"))).toBe(false);
  });
});

describe("follow-ups", () => {
  const now = new Date("2026-03-02T10:00:00Z");
  const earlier = (content: string, minutesAgo = 1) => ({ content, at: new Date(now.getTime() - minutesAgo * 60_000) });

  it("knows a message that only makes sense after the previous question", () => {
    for (const q of ["and on Saturday?", "is there a fee?", "does it hurt?", "what about dogs?", "how much is it?"]) expect([q, isFollowUp(q)]).toEqual([q, true]);
    for (const q of ["Do you take insurance?", "How much is a crown?", "is there parking nearby?"]) expect([q, isFollowUp(q)]).toEqual([q, false]);
  });

  it("finds the question it follows: the last one with a topic, within the hour", () => {
    expect(followUpOf("and on Saturday?", [earlier("What are your opening hours?"), earlier("thanks")], now)).toBe("What are your opening hours?");
    // a chain of follow-ups refers to the first question
    expect(followUpOf("and Sunday?", [earlier("What are your opening hours?", 3), earlier("and on Saturday?", 2)], now)).toBe("What are your opening hours?");
    expect(followUpOf("and on Saturday?", [earlier("What are your opening hours?", 61)], now)).toBeUndefined();
    expect(followUpOf("Do you take insurance?", [earlier("What are your opening hours?")], now)).toBeUndefined();
  });
});

describe("the FAQ shortcut's check", () => {
  it("an FAQ answers a question only when it holds every topic and the kind of answer", () => {
    const scale = { question: "How much is a scale and polish?", answer: "A hygienist scale and polish costs £65 and takes about 30 minutes." };
    const checkup = { question: "How much does a check-up cost?", answer: "A routine check-up with an examination costs £55 for private patients." };
    expect(answersQuestion("How much is a cleaning?", scale)).toBe(true);
    expect(answersQuestion("How much is a cleaning?", checkup)).toBe(false);
    expect(answersQuestion("How much is a check-up? and for children?", checkup)).toBe(false);
    expect(answersQuestion("Do you take insurance?", { question: "Do you take walk-ins?", answer: "We cannot guarantee walk-ins." })).toBe(false);
  });
});
