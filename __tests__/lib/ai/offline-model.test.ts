import { matchContext, OfflineLanguageModel } from "@/lib/ai/offline-model";
import { asksForHuman } from "@/lib/ai/intents";
import { detectLanguage } from "@/lib/ai/language";
import type { ContextChunk, ContextFaq, GenerateRequest } from "@/lib/ai/model";

const faqs: ContextFaq[] = [
  { question: "What are your opening hours?", answer: "We're open Monday to Friday, 8:00 to 18:00, and Saturday 9:00 to 13:00." },
  { question: "Do you accept insurance?", answer: "Yes — we accept most major dental insurance plans. Bring your card to your visit." },
  { question: "How much does a cleaning cost?", answer: "A standard cleaning is $95 without insurance." },
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

describe("offline responder", () => {
  it("answers from the FAQ that matches, at zero cost", async () => {
    const r = await ask("when are you open?");
    expect(r.text).toBe(faqs[0]!.answer);
    expect(r).toMatchObject({ tokensIn: 0, tokensOut: 0, model: "offline", provider: "offline", handoff: { needed: false } });
    expect((await ask("How much is a cleaning")).text).toBe(faqs[2]!.answer);
  });

  it("answers from the knowledge chunk that matches, quoting the relevant sentences", async () => {
    const r = await ask("Is there parking near you?");
    expect(r.text).toContain("Free parking is available behind the building");
    expect(r.text).not.toContain("Late cancellations");
    const fee = await ask("Is there a fee if I cancel late?");
    expect(fee.text).toContain("$25");
  });

  it("says plainly when it does not know, and offers a person", async () => {
    const r = await ask("Do you do teeth whitening for dogs?");
    expect(r.text).toMatch(/I don't know the answer to that from the information Bright Smile Dental has given me/);
    expect(r.text).toMatch(/person on the team\?$/);
    expect(r.handoff.needed).toBe(false);
    const empty = await ask("Do you sell gift cards?", { context: { businessName: "Bright Smile Dental" } });
    expect(empty.text).toMatch(/don't know/);
  });

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

  it("replies in the customer's language when it can, and says so plainly when it cannot", async () => {
    const unknown = await ask("¿Cuál es su horario de apertura los sábados?");
    expect(unknown.text).toMatch(/^Por ahora solo puedo responder en inglés\. Lo siento, no sé la respuesta/);
    expect(unknown.text).toMatch(/persona del equipo\?$/);

    const found = await ask("¿Hay parking en Mill Lane?");
    expect(found.text).toMatch(/^Por ahora solo puedo responder en inglés\.\n\n/);
    expect(found.text).toContain("Free parking is available behind the building");

    const human = await ask("Je voudrais parler à quelqu'un, s'il vous plaît");
    expect(human.handoff.needed).toBe(true);
    expect(human.text).toMatch(/^Bien sûr/);

    // a language it has no phrases for still gets a plain statement, in English
    const japanese = await ask("歯のクリーニングはいくらですか？");
    expect(japanese.text).toMatch(/^I can only answer in English at the moment\. I'm sorry, I don't know/);
  });

  it("does not add a language note when the answer is already in the customer's language", async () => {
    const r = await ask("¿Cuál es el horario?", {
      context: { businessName: "Clínica Sonrisa", faqs: [{ question: "¿Cuál es el horario?", answer: "Abrimos de lunes a viernes de 8:00 a 18:00 horas." }] },
    });
    expect(r.text).toBe("Abrimos de lunes a viernes de 8:00 a 18:00 horas.");
  });

  it("is deterministic and keeps within the output budget", async () => {
    const a = await ask("Is there parking near you?");
    const b = await ask("Is there parking near you?");
    expect(a).toEqual(b);
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

describe("matching and intents", () => {
  it("prefers an FAQ over a chunk and finds nothing for an unrelated question", () => {
    expect(matchContext("opening hours?", faqs, chunks)).toMatchObject({ kind: "faq", faq: faqs[0] });
    expect(matchContext("what's the capital of France", faqs, chunks)).toEqual({ kind: "none" });
  });

  it("recognises a request for a person without firing on ordinary questions", () => {
    for (const yes of ["talk to a human", "agent", "I want to speak with someone", "can you connect me to a real person", "quiero hablar con una persona", "Ich möchte mit einem Mitarbeiter sprechen"]) {
      expect([yes, asksForHuman(yes)]).toEqual([yes, true]);
    }
    for (const no of ["Is someone available on Saturday?", "how many people can I bring", "what are your hours"]) {
      expect([no, asksForHuman(no)]).toEqual([no, false]);
    }
  });

  it("detects the language of a message and leaves short ones undetected", () => {
    expect(detectLanguage("¿Cuál es su horario de apertura?")).toBe("es");
    expect(detectLanguage("Bonjour, je voudrais prendre rendez-vous")).toBe("fr");
    expect(detectLanguage("What time do you open tomorrow?")).toBe("en");
    expect(detectLanguage("yes")).toBeUndefined();
  });
});
