import { AiSettings, DEFAULT_AI_SETTINGS } from "@/lib/ai/prompts";
import { checkRules, matchOwnerRule, matchProhibitedTopic, ruleClauses, ruleReply } from "@/lib/ai/rules";

const clinic = AiSettings.parse({
  prohibitedTopics: ["medical diagnosis", "prescriptions"],
  emergencyAdvice: "Call us now on 020 7946 0000. Out of hours, call NHS 111.",
});
const agency = AiSettings.parse({
  languages: ["en", "es"],
  emergencyAdvice: "If you smell gas, call 0800 111 999 now.",
  prohibitedTopics: ["mortgage advice"],
  escalationRules: [
    "The customer wants to make an offer on a property.",
    "A tenant reports a repair that makes the home unsafe, such as a gas leak, flooding or no heating.",
  ],
});
const check = (text: string, settings = clinic, extra: { lastReply?: string; language?: string } = {}) => checkRules({ text, settings, ...extra });
const category = (text: string, settings = clinic) => {
  const d = check(text, settings);
  return d?.kind === "handoff" ? d.category : d?.kind ?? null;
};

describe("hand-off rules that hold for every business", () => {
  it("a person, asked for or accepted", () => {
    expect(category("Can I talk to a real person?")).toBe("person");
    const offer = "I'm sorry, I don't know the answer to that. Would you like me to pass your question to a person on the team?";
    expect(check("yes please", clinic, { lastReply: offer })).toMatchObject({ kind: "handoff", category: "offer_accepted" });
    expect(check("sí", clinic, { lastReply: "Lo siento, no lo sé. ¿Quiere que pase su pregunta a una persona del equipo?" })).toMatchObject({ category: "offer_accepted" });
    // a yes to anything else is not a hand-off
    expect(check("yes please", clinic, { lastReply: "A scale and polish costs £65." })).toBeNull();
    expect(check("yes")).toBeNull();
  });

  it("emergencies: reported ones, not questions about them", () => {
    for (const text of [
      "I have a really bad toothache",
      "my face is really swollen and it hurts to swallow",
      "Help, my gum won't stop bleeding after my extraction",
      "my son's tooth got knocked out playing rugby what do we do",
      "i think i have an abscess, the pain is unbearable",
      "I can smell gas in my flat",
      "There's water pouring through my kitchen ceiling!!",
      "this is an emergency",
      "my kitchen is flooded",
      "we've been burgled and the front door is smashed",
    ]) {
      expect([text, category(text)]).toEqual([text, "emergency"]);
    }
    for (const text of [
      "Do you offer emergency appointments?",
      "How much is an emergency appointment?",
      "What should I do if I knocked out a tooth?",
      "Does whitening hurt?",
      "Is a root canal painful?",
      "Do you have a gas safety certificate for the flat?",
      "Is the flat in a flood zone?",
      "Do you check for gas leaks?",
      "Do you treat abscesses?",
      "Do you fit carbon monoxide alarms?",
      "Are your tenants insured against burglary?",
    ]) {
      expect([text, category(text)]).toEqual([text, null]);
    }
  });

  it("complaints and upset customers", () => {
    for (const text of [
      "I want to make a complaint, the dentist was rude",
      "I'm not happy at all with how I was treated at my appointment yesterday.",
      "This is ridiculous, I've been waiting 3 weeks for someone to call me back",
      "I was overcharged and I'm really disappointed",
    ]) {
      expect([text, category(text)]).toEqual([text, "complaint"]);
    }
    expect(category("Is whitening bad for your teeth?")).toBeNull();
  });

  it("legal and medical risk", () => {
    expect(category("My filling was done badly and I will be speaking to my solicitor about it")).toBe("legal");
    expect(category("My landlord is trying to evict me without notice, is that even legal?", agency)).toBe("legal");
    expect(category("Which antibiotics should I take for a tooth infection?")).toBe("medical");
    expect(category("I'm pregnant, is it safe for me to have a dental x-ray?")).toBe("medical");
    expect(category("Can I take ibuprofen with my blood pressure tablets?")).toBe("medical");
    // telling us about an allergy is not asking for medical advice
    expect(category("Just so you know, I'm allergic to penicillin")).toBeNull();
  });
});

describe("the owner's own rules and topics", () => {
  it("reads a rule as alternatives of words that must all appear", () => {
    const [rule] = agency.escalationRules.slice(1);
    expect(ruleClauses(rule!).map((c) => c.map((term) => term[0]!.join(" ")))).toEqual([["repair", "make", "home", "unsaf"], ["gas", "leak"], ["flood"], ["no", "heat"]]);
    // "something only staff can change" describes; it names nothing to look for
    expect(ruleClauses(DEFAULT_AI_SETTINGS.escalationRules[1]!).map((c) => c[0]![0]![0])).toEqual(["refund", "exception"]);
  });

  it("hands off on what the owner wrote in Settings → AI", () => {
    expect(check("Our boiler's broken and we've had no heating for 3 days", agency)).toMatchObject({ kind: "handoff", category: "owner_rule", reason: agency.escalationRules[1] });
    expect(category("I'd like to make an offer on the flat in Redland", agency)).toBe("owner_rule");
    expect(category("I'd like a refund for my crown, it fell off after a week", DEFAULT_AI_SETTINGS)).toBe("owner_rule");
    // the same words in an ordinary question do not
    expect(category("Do you offer free valuations on my house?", agency)).toBeNull();
    expect(category("Who pays for the heating?", agency)).toBeNull();
    expect(matchOwnerRule("what do you charge for a scale and polish", DEFAULT_AI_SETTINGS.escalationRules)).toBeUndefined();
  });

  it("declines a prohibited topic, without a hand-off", () => {
    expect(check("Can you recommend a good mortgage deal for a first time buyer?", agency)).toEqual({ kind: "prohibited", topic: "mortgage advice" });
    expect(matchProhibitedTopic("Can you diagnose what is wrong with my tooth?", clinic.prohibitedTopics)).toBe("medical diagnosis");
    expect(matchProhibitedTopic("How much is a check-up?", clinic.prohibitedTopics)).toBeUndefined();
    expect(ruleReply({ kind: "prohibited", topic: "mortgage advice" }, agency, "en")).toBe(
      "I'm sorry, I can't help with mortgage advice here. Would you like me to pass your question to a person on the team?",
    );
  });
});

describe("languages and replies", () => {
  it("answers only in the languages the business serves, and says which in the customer's", () => {
    expect(check("Bonjour, combien coûtent vos frais de gestion ?", agency, { language: "fr" })).toEqual({ kind: "language", language: "fr" });
    expect(check("¿Cuánto es el depósito de reserva?", agency, { language: "es" })).toBeNull();
    expect(check("Bonjour, combien coûtent vos frais de gestion ?", clinic, { language: "fr" })).toBeNull(); // any language
    expect(check("ok", agency)).toBeNull(); // nothing to tell it by
    expect(ruleReply({ kind: "language", language: "fr" }, agency, "fr")).toBe("Désolé, nous ne pouvons vous répondre qu'en anglais et espagnol.");
  });

  it("gives an emergency the owner's advice at once, then says a person is coming, in the customer's language", () => {
    const emergency = check("I can smell gas in my flat", agency)!;
    expect(ruleReply(emergency, agency, "en")).toBe("If you smell gas, call 0800 111 999 now.\n\nI've also alerted a person on the team, who will reply here as soon as they can.");
    expect(ruleReply(emergency, agency, "es")).toMatch(/^If you smell gas, call 0800 111 999 now\.\n\nTambién he avisado a una persona del equipo/);
    expect(ruleReply(check("the dentist was rude")!, clinic, "en")).toMatch(/^I'm sorry to hear that/);
  });
});
