import { decide, idf, novelty, questionTerms, type DecisionParams, type Neighbour, type TermStats } from "@/lib/cache/decision";

const PARAMS: DecisionParams = { neighbours: 10, floor: 0.55, agreementBonus: 0.15, minShare: 0.7, minMargin: 0.06, maxNovelty: 0.25, alone: 0.95 };
const stats: TermStats = { entries: 100, df: new Map([["card", 60], ["arriv", 20], ["week", 10], ["pin", 15], ["mortgag", 0]]) };
let n = 0;
const nb = (answerKey: string, similarity: number, terms = ["card", "arriv"]): Neighbour => ({ id: `e${++n}`, answerKey, similarity, terms });
const ask = (neighbours: Neighbour[], over: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ neighbours, queryTerms: ["card", "arriv"], stats, threshold: 0.88, params: PARAMS, ...over });

describe("the cache decision", () => {
  it("serves on agreement what the nearest entry alone could not", () => {
    const group = [nb("A", 0.8), nb("A", 0.78), nb("A", 0.7)];
    expect(ask(group.slice(0, 1))).toMatchObject({ serve: false, reason: "below_threshold", similarity: 0.8 });
    const d = ask([...group, nb("B", 0.5)]);
    expect(d).toMatchObject({ serve: true, reason: "agreement", answerKey: "A", entryId: group[0]!.id, agreeing: 3, share: 1, novelty: 0 });
    expect(d.score).toBeCloseTo(0.8 + 2 * 0.15);
    expect(d.margin).toBeCloseTo(0.3);
  });

  it("serves one unchallenged entry at the threshold, and a very close one even when challenged", () => {
    expect(ask([nb("A", 0.9)])).toMatchObject({ serve: true, reason: "nearest" });
    expect(ask([nb("A", 0.9), nb("B", 0.88)])).toMatchObject({ serve: false });
    expect(ask([nb("A", 0.96), nb("B", 0.94)])).toMatchObject({ serve: true, reason: "alone", answerKey: "A" });
  });

  it("misses when the neighbourhood is split or another answer is about as close", () => {
    expect(ask([nb("A", 0.8), nb("B", 0.79), nb("A", 0.78), nb("B", 0.77)])).toMatchObject({ serve: false, reason: "split" });
    expect(ask([nb("A", 0.8), nb("A", 0.79), nb("A", 0.78), nb("B", 0.77)])).toMatchObject({ serve: false, reason: "contested", answerKey: "A" });
    // the evidence below the floor does not vote, but a close rival still contests
    expect(ask([nb("A", 0.8), nb("A", 0.79), nb("C", 0.78, ["pin"])], { params: { ...PARAMS, floor: 0.785 } })).toMatchObject({ reason: "contested" });
  });

  it("misses a question that asks about something none of the agreeing paraphrases mention", () => {
    const group = [nb("A", 0.8), nb("A", 0.79), nb("A", 0.78, ["card", "arriv", "week"])];
    expect(ask(group, { queryTerms: ["card", "arriv", "week"] })).toMatchObject({ serve: true });
    const d = ask(group, { queryTerms: ["card", "arriv", "mortgag"] });
    expect(d).toMatchObject({ serve: false, reason: "novel", answerKey: "A" });
    expect(d.novelty).toBeGreaterThan(0.5);
    // even a near-identical entry may not serve a question with a new, rare word
    expect(ask([nb("A", 0.97)], { queryTerms: ["card", "arriv", "mortgag"] })).toMatchObject({ serve: false });
  });

  it("gets stricter as the business raises its threshold", () => {
    const group = [nb("A", 0.8), nb("A", 0.78), nb("A", 0.7)];
    expect(ask(group, { threshold: 1.09 })).toMatchObject({ serve: true });
    expect(ask(group, { threshold: 1.11 })).toMatchObject({ serve: false, reason: "below_threshold" });
    expect(ask([nb("A", 0.96)], { threshold: 0.97 })).toMatchObject({ serve: false });
  });

  it("misses with no evidence at all", () => {
    expect(ask([])).toMatchObject({ serve: false, reason: "no_neighbours" });
    expect(ask([nb("A", 0.3)])).toMatchObject({ serve: false, reason: "no_neighbours", answerKey: "A" });
  });

  it("weighs rare words more and reads questions as stemmed content words", () => {
    expect(idf(stats, "mortgag")).toBeGreaterThan(idf(stats, "week"));
    expect(idf(stats, "week")).toBeGreaterThan(idf(stats, "card"));
    expect(idf({ entries: 3, df: new Map([["card", 3]]) }, "card")).toBeGreaterThan(0);
    expect(novelty(["card", "mortgag"], new Set(["card"]), stats)).toBeCloseTo(idf(stats, "mortgag") / (idf(stats, "mortgag") + idf(stats, "card")));
    expect(novelty([], new Set(), stats)).toBe(0);
    expect(questionTerms("Why hasn't my card arrived yet?!").sort()).toEqual(["arriv", "card", "not", "why", "yet"]);
  });
});
