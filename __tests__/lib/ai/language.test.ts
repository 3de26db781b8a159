import { conversationLanguage, detectLanguage, phrasesFor, servedLanguagesNote } from "@/lib/ai/language";

describe("detectLanguage", () => {
  it("tells the language of ordinary messages", () => {
    expect(detectLanguage("¿Cuál es su horario de apertura?")).toBe("es");
    expect(detectLanguage("Bonjour, je voudrais prendre rendez-vous")).toBe("fr");
    expect(detectLanguage("Haben Sie am Samstag geöffnet?")).toBe("de");
    expect(detectLanguage("What time do you open tomorrow?")).toBe("en");
  });

  it("is not fooled by repetition: 4,000 characters of Hello are English", () => {
    expect(detectLanguage("Hello ".repeat(667))).toBe("en");
    expect(detectLanguage("Hello Hello Hello Hello Hello Hello Hello Hello")).toBe("en");
    expect(detectLanguage("hola hola hola hola hola hola hola hola hola")).toBe("es");
    // letters without a language
    expect(detectLanguage("a".repeat(5000))).toBeUndefined();
  });

  it("knows the short words tinyld cannot, and leaves other short text undetected", () => {
    expect(detectLanguage("yes")).toBe("en");
    expect(detectLanguage("Hola")).toBe("es");
    expect(detectLanguage("Bonjour !")).toBe("fr");
    expect(detectLanguage("danke schön")).toBe("de");
    expect(detectLanguage("obrigado")).toBe("pt");
    expect(detectLanguage("one")).toBeUndefined();
    expect(detectLanguage("£65?")).toBeUndefined();
  });

  it("follows the conversation when the latest message is too short to tell", () => {
    expect(conversationLanguage("ok", ["¿Cuánto cuesta una limpieza dental?"])).toBe("es");
    expect(conversationLanguage("one", ["What are your opening hours on Saturday?", "¿Cuánto cuesta una limpieza dental?"])).toBe("es");
    expect(conversationLanguage("one", [])).toBeUndefined();
    expect(conversationLanguage("Do you have parking near the clinic?", ["¿Cuánto cuesta una limpieza dental?"])).toBe("en");
  });
});

describe("fixed lines", () => {
  it("says which languages a business serves, in the customer's own language", () => {
    expect(servedLanguagesNote("fr", ["en", "es"])).toBe("Désolé, nous ne pouvons vous répondre qu'en anglais et espagnol.");
    expect(servedLanguagesNote("de", ["en", "es"])).toBe("Entschuldigung, wir können Ihnen nur auf Englisch und Spanisch helfen.");
    expect(servedLanguagesNote("pt", ["en"])).toBe("Desculpe, só podemos ajudar em inglês.");
    expect(servedLanguagesNote("ja", ["en", "es"])).toMatch(/^申し訳ありませんが.*英語.*スペイン語/);
    // a language with no line of its own gets the English one
    expect(servedLanguagesNote("sw", ["en"])).toBe("Sorry, we can only help in English.");
  });

  it("falls back to English phrases for a language it has none for", () => {
    expect(phrasesFor("es").language).toBe("es");
    expect(phrasesFor("ko")).toMatchObject({ language: "en", phrases: { clarify: "Could you tell me a little more about what you'd like to know?" } });
    expect(phrasesFor(undefined).language).toBe("en");
  });
});
