import { matchContext, OfflineLanguageModel } from "@/lib/ai/offline-model";
import { asksForHuman } from "@/lib/ai/intents";
import type { ContextChunk, ContextFaq, ContextMessage, GenerateRequest } from "@/lib/ai/model";

const faqs: ContextFaq[] = [
  { question: "What are your opening hours?", answer: "We're open Monday to Friday, 8:00 to 18:00, and Saturday 9:00 to 13:00." },
  { question: "Do you accept insurance?", answer: "Yes — we accept most major dental insurance plans. Bring your card to your visit." },
  { question: "How much is a scale and polish?", answer: "A hygienist scale and polish costs $95 and takes about 30 minutes." },
  { question: "How much does a check-up cost?", answer: "A routine check-up costs $60." },
  { question: "Do you take walk-ins?", answer: "We cannot guarantee walk-ins, but call us and we will fit you in if a dentist is free." },
];
const chunks: ContextChunk[] = [
  {
    heading: "Parking and directions",
    content:
      "Bright Smile Dental is at 12 Harbour Street, second floor. Free parking is available behind the building; enter from Mill Lane. The number 7 bus stops outside.",
  },
  {
    heading: "Cancellations",
    content: "Please cancel at least 24 hours before your appointment. Late cancellations are charged a $25 fee. You can cancel by phone or by replying to your reminder text.",
  },
  {
    heading: "Prices › Crowns and implants",
    content: "A porcelain crown is $900. A single implant with its crown is typically $3,800.",
  },
];

const model = new OfflineLanguageModel();
const ask = (text: string, over: Partial<GenerateRequest> = {}) =>
  model.generate({
    system: "ignored by the offline responder",
    messages: [{ role: "user", text }],
    model: "gemini-2.5-flash-lite",
    context: { businessName: "Bright Smile Dental", faqs, chunks },
    ...over,
  });
const DONT_KNOW = /I don't know the answer to that from the information Bright Smile Dental has given me/;
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);
const said = (content: string, channel = "web", minutesAgo = 2, role: ContextMessage["role"] = "customer"): ContextMessage => ({ role, channel, content, at: at(minutesAgo) });

describe("offline responder: answers only from evidence", () => {
  it("answers from the FAQ that holds the answer, at zero cost", async () => {
    const r = await ask("when are you open?");
    expect(r.text).toBe(faqs[0]!.answer);
    expect(r).toMatchObject({ tokensIn: 0, tokensOut: 0, model: "offline", provider: "offline", handoff: { needed: false } });
  });

  it("knows the words customers use: a cleaning is a scale and polish, never a check-up", async () => {
    for (const q of ["How much is a cleaning?", "what do u charge for a clean and polish", "Price of a hygienist visit?"]) {
      expect([q, (await ask(q)).text]).toEqual([q, faqs[2]!.answer]);
    }
    expect((await ask("How much is a check-up?")).text).toBe(faqs[3]!.answer);
  });

  it("answers from the knowledge chunk that holds the answer, quoting only the relevant sentences", async () => {
    const r = await ask("Is there parking near you?");
    expect(r.text).toContain("Free parking is available behind the building");
    expect(r.text).not.toContain("Late cancellations");
    const fee = await ask("Is there a fee if I cancel late?");
    expect(fee.text).toContain("$25");
    const crown = await ask("how much is a crown");
    expect(crown.text).toBe("A porcelain crown is $900.");
  });

  it("declines when no passage is about what was asked, however similar the words", async () => {
    // "dentist" is in the walk-ins answer, "nice" nowhere
    expect((await ask("Is the dentist nice?")).text).toMatch(DONT_KNOW);
    // a price asked where the passage gives none
    expect((await ask("How much does the bus cost?")).text).toMatch(DONT_KNOW);
    // a number asked that the passage does not state
    expect((await ask("Does the number 12 bus stop outside?")).text).toMatch(DONT_KNOW);
    const r = await ask("Do you do teeth whitening for dogs?");
    expect(r.text).toMatch(DONT_KNOW);
    expect(r.text).toMatch(/person on the team\?$/);
    expect(r.handoff.needed).toBe(false);
    expect((await ask("Do you sell gift cards?", { context: { businessName: "Bright Smile Dental" } })).text).toMatch(/don't know/);
  });

  it("declines rather than guess between two passages that state different facts", () => {
    const rivals: ContextFaq[] = [
      { question: "How much is a deposit?", answer: "The holding deposit is $200." },
      { question: "What deposit do you take?", answer: "We take a $500 deposit." },
    ];
    expect(matchContext("How much is the deposit?", rivals)).toEqual({ kind: "none", reason: "ambiguous" });
    expect(matchContext("what's the capital of France", faqs, chunks)).toMatchObject({ kind: "none" });
  });

  it("asks what they mean when a message has nothing to answer, unless it follows a question", async () => {
    for (const q of ["one", "yes", "ok", "?", "hmm not sure"]) {
      expect([q, (await ask(q)).text]).toEqual([q, "Could you tell me a little more about what you'd like to know?"]);
    }
    expect((await ask("When is my next appointment?")).text).toMatch(DONT_KNOW);
    expect((await ask("Hello Hello Hello Hello")).text).toBe("Hello! What can I help you with?");
    expect((await ask("Just so you know, I'm allergic to penicillin")).text).toMatch(/added this to your messages/);
  });

  it("answers a follow-up with the question it follows", async () => {
    const history = [said("What are your opening hours?"), said(faqs[0]!.answer, "web", 2, "assistant")];
    const saturday = await ask("and on Saturday?", { context: { businessName: "Bright Smile Dental", faqs, chunks, history } });
    expect(saturday.text).toContain("Saturday 9:00 to 13:00");
    const fee = await ask("is there a fee?", { context: { businessName: "Bright Smile Dental", faqs, chunks, history: [said("How do I cancel my appointment?")] } });
    expect(fee.text).toContain("$25");
    // an hour later the same words have nothing to follow
    const stale = await ask("is there a fee?", { context: { businessName: "Bright Smile Dental", faqs, chunks, history: [said("How do I cancel my appointment?", "web", 90)] } });
    expect(stale.text).toBe("Could you tell me a little more about what you'd like to know?");
  });

  it("keeps within the output budget and is deterministic", async () => {
    const a = await ask("Is there parking near you?");
    expect(await ask("Is there parking near you?")).toEqual(a);
    const short = await ask("Do you do teeth whitening for dogs?", { maxOutputTokens: 20 });
    expect(short.text.length).toBeLessThanOrEqual(80);
    expect(short.text.endsWith("…")).toBe(true);
  });

  it("streams the same answer word by word", async () => {
    const deltas: string[] = [];
    let final = "";
    for await (const e of model.stream({ system: "", model: "offline", messages: [{ role: "user", text: "when are you open?" }], context: { faqs } })) {
      if (e.type === "delta") deltas.push(e.text);
      else final = e.result.text;
    }
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(final);
    expect(final).toBe(faqs[0]!.answer);
  });

  it("refuses output modes it cannot produce", async () => {
    await expect(ask("when are you open?", { output: "text" })).rejects.toMatchObject({ kind: "bad_request" });
  });
});

describe("offline responder: people, languages, memory", () => {
  it("hands off when the customer asks for a person, or accepts the offer of one", async () => {
    const r = await ask("Can I speak to a real person please?");
    expect(r.handoff).toEqual({ needed: true, reason: "The customer asked for a person." });
    expect(r.text).toMatch(/person on the team/);

    const offer = (await ask("Do you do teeth whitening for dogs?")).text;
    const accepted = await model.generate({
      system: "",
      model: "offline",
      messages: [
        { role: "user", text: "Do you do teeth whitening for dogs?" },
        { role: "model", text: offer },
        { role: "user", text: "yes please" },
      ],
    });
    expect(accepted.handoff.needed).toBe(true);
    // "yes" with no offer on the table is not a hand-off
    expect((await ask("yes")).handoff.needed).toBe(false);
  });

  it("speaks the customer's language, and says so when the answer is only in another", async () => {
    const unknown = await ask("¿Tienen citas libres el sábado por la mañana?");
    expect(unknown.text).toMatch(/^Lo siento, no sé la respuesta/);
    expect(unknown.text).toMatch(/persona del equipo\?$/);

    const found = await ask("Hola, ¿abren los sábados?");
    expect(found.text).toMatch(/^Solo tengo esta información en inglés:\n\n/);
    expect(found.text).toContain("Saturday 9:00 to 13:00");

    const human = await ask("Je voudrais parler à quelqu'un, s'il vous plaît");
    expect(human.handoff.needed).toBe(true);
    expect(human.text).toMatch(/^Bien sûr/);
    expect((await ask("Hola")).text).toBe("¡Hola! ¿En qué puedo ayudarle?");
    // a short reply stays in the language of the conversation
    const ok = await ask("ok", { context: { businessName: "Bright Smile Dental", faqs, history: [said("¿Cuánto cuesta una limpieza dental, por favor?")] } });
    expect(ok.text).toBe("¿Podría contarme un poco más sobre lo que quiere saber?");
    // 4,000 characters of "Hello" are English, not Italian
    expect((await ask("Hello ".repeat(667))).text).toBe("Hello! What can I help you with?");
  });

  it("does not add a language note when the answer is already in the customer's language", async () => {
    const r = await ask("¿Cuál es el horario?", {
      context: { businessName: "Clínica Sonrisa", faqs: [{ question: "¿Cuál es el horario?", answer: "Abrimos de lunes a viernes de 8:00 a 18:00 horas." }] },
    });
    expect(r.text).toBe("Abrimos de lunes a viernes de 8:00 a 18:00 horas.");
  });

  it("answers what the customer told us on another channel, from their history and older messages", async () => {
    const history = [said("Hi, can I move my check-up to next Tuesday afternoon?", "sms", 300), said("Thanks!", "whatsapp", 5)];
    const recalled = [said("Just so you know, I'm allergic to penicillin", "whatsapp", 60 * 24 * 30)];
    const context = { businessName: "Bright Smile Dental", faqs, chunks, history, recalled };
    const sms = await ask("What did I ask you by SMS?", { context });
    expect(sms.text).toMatch(/^Here is what you wrote to us:\n“Hi, can I move my check-up to next Tuesday afternoon\?” \(SMS, /);
    const allergy = await ask("did you note my allergy?", { context });
    expect(allergy.text).toContain("“Just so you know, I'm allergic to penicillin” (WhatsApp, ");
    const none = await ask("What did I ask you on Instagram?", { context });
    expect(none.text).toBe("I can't find that in your messages to us. Would you like me to pass your question to a person on the team?");
    expect((await ask("Did I tell you my budget?", { context })).text).toMatch(/^I can't find that/);
  });
});

describe("intents", () => {
  it("recognises a request for a person without firing on ordinary questions", () => {
    for (const yes of [
      "talk to a human",
      "agent",
      "I want to speak with someone",
      "can you connect me to a real person",
      "can I get a human",
      "human please",
      "quiero hablar con una persona",
      "Ich möchte mit einem Mitarbeiter sprechen",
    ]) {
      expect([yes, asksForHuman(yes)]).toEqual([yes, true]);
    }
    for (const no of ["Is someone available on Saturday?", "how many people can I bring", "what are your hours"]) {
      expect([no, asksForHuman(no)]).toEqual([no, false]);
    }
  });
});
