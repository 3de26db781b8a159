// The owner's rules and honest declines through the real pipeline (handleInbound) on the embedded
// defaults: the cases a new user found in the demo clinic, each hand-off rule before any FAQ, cache
// or model, follow-ups, and the languages a business serves (the second seeded business).
import { eq, sql } from "drizzle-orm";
import { getDbHandle, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { ESTATE_BUSINESS_ID, ESTATE_WEB_CHANNEL_ID, seedEstateAgent } from "@/lib/db/seed-estate";
import { embedPending } from "@/lib/knowledge/indexing";
import { handleInbound } from "@/lib/pipeline/inbound";
import type { InboundMessage } from "@/lib/pipeline/types";
import { closeDb, useDemoBusiness } from "../../helpers/demo";

const WEB = "00000000-0000-4000-8000-00000000c001";
const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task().catch(() => undefined));
const settle = async () => {
  while (tasks.length) await Promise.allSettled(tasks.splice(0));
};
let n = 0;
const msg = (text: string, from = `rules-visitor-${++n}`): InboundMessage => ({
  businessId: DEMO_BUSINESS_ID,
  channelId: WEB,
  channelKind: "web",
  from: { kind: "web", value: from },
  text,
});
const ask = async (text: string, from?: string) => {
  const r = await handleInbound(msg(text, from), { defer });
  await settle();
  return r;
};
const DONT_KNOW = /^I'm sorry, I don't know the answer to that from the information Riverside Dental Clinic has given me\. Would you like me to pass your question to a person on the team\?$/;
const CLARIFY = "Could you tell me a little more about what you'd like to know?";

beforeAll(async () => {
  await useDemoBusiness();
  await seedEstateAgent(await getDbHandle());
  await embedPending(ESTATE_BUSINESS_ID);
  await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 0 } }).where(eq(s.businesses.id, ESTATE_BUSINESS_ID)));
});
afterAll(async () => {
  await settle();
  await closeDb();
});

const conversationStatus = async (id: string) => (await withService((tx) => tx.select().from(s.conversations).where(eq(s.conversations.id, id))))[0]!.status;
const staffTold = async (conversationId: string) =>
  (await withService((tx) => rows(tx, sql`select 1 from outbox where payload->>'kind' = 'handoff' and payload->>'conversationId' = ${conversationId}`))).length;

describe("what a new user found in the demo", () => {
  it("a cleaning is a scale and polish, every time it is asked", async () => {
    for (const q of ["How much is a cleaning?", "How much is a cleaning?", "how much do you charge for a clean and polish?"]) {
      const r = await ask(q);
      expect([q, r.reply!.content]).toEqual([q, "A hygienist scale and polish costs £65 and takes about 30 minutes."]);
    }
  });

  it("says it does not know, and offers a person, instead of answering another question", async () => {
    for (const q of ["Do you take insurance?", "Is the dentist nice?", "How much does it cost to park on Wood Street?"]) {
      const r = await ask(q);
      expect([q, r.reply!.content, r.handedOff]).toEqual([q, expect.stringMatching(DONT_KNOW), false]);
    }
  });

  it("asks what they mean when there is nothing to answer", async () => {
    for (const q of ["one", "yes", "ok"]) expect([q, (await ask(q)).reply!.content]).toEqual([q, CLARIFY]);
  });

  it("a toothache gets the clinic's emergency advice at once, then a person", async () => {
    const r = await ask("I have a really bad toothache");
    expect(r.handedOff).toBe(true);
    expect(r.reply!.content).toMatch(/^If you are in severe pain.*020 7946 0000.*NHS 111/s);
    expect(r.reply!.content).toMatch(/alerted a person on the team/);
    expect(r.reply!.source).toBe("fallback");
    expect(await conversationStatus(r.conversationId)).toBe("waiting_human");
    expect(await staffTold(r.conversationId)).toBe(1);
    const trace = (r.reply!.metadata as { trace?: { gate?: string } }).trace;
    expect(trace?.gate).toBe("rule:emergency");
  });

  it("a complaint is handed over, with an apology", async () => {
    const r = await ask("I want to make a complaint, the dentist was rude");
    expect(r.handedOff).toBe(true);
    expect(r.reply!.content).toMatch(/^I'm sorry to hear that/);
    expect(await staffTold(r.conversationId)).toBe(1);
  });

  it("4,000 characters of Hello get an English greeting", async () => {
    const r = await ask("Hello ".repeat(667).trim());
    expect(r.reply!.content).toBe("Hello! What can I help you with?");
  });
});

describe("every rule runs before the FAQ, the cache and the model", () => {
  it("a complaint worded like an FAQ is still handed over", async () => {
    // "How much does a check-up cost?" is an FAQ; the complaint around it decides
    const r = await ask("How much does a check-up cost? I was overcharged last time and it's unacceptable");
    expect(r.handedOff).toBe(true);
    expect(r.reply!.source).toBe("fallback");
  });

  it("legal and medical questions and the owner's refund rule are handed over", async () => {
    for (const q of [
      "My filling was done badly and I will be speaking to my solicitor about it",
      "Which antibiotics should I take for a tooth infection?",
      "I'd like a refund for my crown, it fell off after a week",
    ]) {
      const r = await ask(q);
      expect([q, r.handedOff]).toEqual([q, true]);
    }
  });

  it("a yes to the offer of a person hands over; a yes to anything else does not", async () => {
    const who = "rules-offer";
    expect((await ask("Do you do veneers?", who)).reply!.content).toMatch(DONT_KNOW);
    const yes = await ask("yes please", who);
    expect(yes.handedOff).toBe(true);
    const other = "rules-no-offer";
    await ask("What are your opening hours?", other);
    expect((await ask("yes please", other)).handedOff).toBe(false);
  });

  it("a follow-up is answered with the question it follows", async () => {
    const who = "rules-follow";
    expect((await ask("What are your opening hours?", who)).reply!.content).toMatch(/Monday to Wednesday/);
    expect((await ask("and on Saturday?", who)).reply!.content).toContain("Saturday 9:00–13:00");
    const fee = "rules-fee";
    await ask("How do I cancel an appointment?", fee);
    expect((await ask("is there a fee?", fee)).reply!.content).toContain("£25");
  });
});

describe("the languages a business serves (Harbour & Hale: English and Spanish)", () => {
  // settled like ask(): the work after each answer (memories, the intelligence read) ends inside its
  // test, not after the suite's database is closed under it
  const estate = async (text: string, from = `estate-${++n}`) => {
    const r = await handleInbound({ businessId: ESTATE_BUSINESS_ID, channelId: ESTATE_WEB_CHANNEL_ID, channelKind: "web", from: { kind: "web", value: from }, text }, { defer });
    await settle();
    return r;
  };

  it("answers in Spanish from its Spanish answers", async () => {
    const r = await estate("¿Cuánto es el depósito de reserva?");
    expect(r.reply!.content).toMatch(/^El depósito de reserva es una semana de alquiler/);
  });

  it("tells a French or German customer, in their language, which languages it answers in", async () => {
    const fr = await estate("Bonjour, combien coûtent vos frais de gestion locative ?");
    expect(fr.reply).toMatchObject({ source: "fallback", content: "Désolé, nous ne pouvons vous répondre qu'en anglais et espagnol." });
    expect(fr.handedOff).toBe(false);
    const de = await estate("Guten Tag, haben Sie Wohnungen in Clifton zu vermieten?");
    expect(de.reply!.content).toBe("Entschuldigung, wir können Ihnen nur auf Englisch und Spanisch helfen.");
  });

  it("its own emergency advice and hand-off rules hold", async () => {
    const gas = await estate("I can smell gas in my flat");
    expect(gas.handedOff).toBe(true);
    expect(gas.reply!.content).toMatch(/^If you smell gas, leave the property and call the National Gas Emergency line on 0800 111 999 now\./);
    const heating = await estate("Our boiler's broken and we've had no heating for 3 days");
    expect(heating.handedOff).toBe(true);
    const mortgage = await estate("Can you recommend a good mortgage deal for a first time buyer?");
    expect(mortgage.handedOff).toBe(false);
    expect(mortgage.reply!.content).toMatch(/^I'm sorry, I can't help with mortgage advice here\./);
  });
});
