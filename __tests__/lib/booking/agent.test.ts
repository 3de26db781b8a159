// The AI books: the offline dialogue (intent → service → day → times → hold → confirm; move, cancel,
// list) and Gemini function calling against the REST stand-in, at a fixed clock, on both engines.
import { and, eq, gt } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { bookingTurn, type BookingTurnInput } from "@/lib/booking/agent";
import { book, expireHolds } from "@/lib/booking/bookings";
import { handleInbound } from "@/lib/pipeline/inbound";
import { useTestDb } from "../../helpers/db";
import { useGemini } from "../../helpers/demo";
import { makeTenant, makeUser } from "../../helpers/fixtures";

// Monday 7 December 2026, 08:00 in London
const NOW = new Date("2026-12-07T08:00:00Z");
const GMT = "(Greenwich Mean Time, Europe/London)";

let business: typeof s.businesses.$inferSelect;
let customerId: string;
let web: { channelId: string; conversationId: string };
let sms: { channelId: string; conversationId: string };
let haircut: string;
let otherCustomer: string;

async function say(text: string, where = web, now = NOW) {
  const input: BookingTurnInput = { business, customerId, conversationId: where.conversationId, channelId: where.channelId, messageId: crypto.randomUUID(), text, history: [] };
  return bookingTurn(input, { now });
}

const liveBookings = () =>
  withService((tx) => tx.select().from(s.bookings).where(and(eq(s.bookings.businessId, business.id), eq(s.bookings.customerId, customerId), gt(s.bookings.startsAt, NOW))));

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const owner = await makeUser(tx, "owner@salon.test");
    const t = await makeTenant(tx, "salon", owner.id);
    // no pause required between a customer's messages (the tests write quickly)
    await tx.update(s.businesses).set({ timeZone: "Europe/London", name: "Salon", limits: { customerMinIntervalSeconds: 0 } }).where(eq(s.businesses.id, t.businessId));
    [business] = await tx.select().from(s.businesses).where(eq(s.businesses.id, t.businessId)) as [typeof s.businesses.$inferSelect];
    customerId = t.customerId;
    web = { channelId: t.channelId, conversationId: t.conversationId };
    // the same customer on SMS (their phone number merged into this customer): a second conversation
    const [ch] = await tx.insert(s.channels).values({ businessId: t.businessId, kind: "sms", name: "SMS", address: "+15550001111" }).returning();
    const [co] = await tx.insert(s.conversations).values({ businessId: t.businessId, customerId, channelId: ch!.id }).returning();
    sms = { channelId: ch!.id, conversationId: co!.id };
    const [h] = await tx.insert(s.bookingServices).values({ businessId: t.businessId, name: "Haircut", durationMinutes: 30, price: 25 }).returning();
    await tx.insert(s.bookingServices).values({ businessId: t.businessId, name: "Colour", durationMinutes: 90, price: 80 });
    haircut = h!.id;
    const [sam] = await tx.insert(s.bookingResources).values({ businessId: t.businessId, name: "Sam" }).returning();
    await tx.insert(s.bookingHours).values([0, 1, 2, 3, 4, 5].map((weekday) => ({ businessId: t.businessId, resourceId: sam!.id, weekday, opensMinute: 540, closesMinute: 1020 })));
    // the fixture's room (every service, the business's hours) and its dialogue are not part of this salon
    await tx.update(s.bookingResources).set({ active: false }).where(eq(s.bookingResources.id, t.bookingResourceId));
    await tx.delete(s.bookingDialogues).where(eq(s.bookingDialogues.businessId, t.businessId));
    const [other] = await tx.insert(s.customers).values({ businessId: t.businessId, name: "Someone else" }).returning();
    otherCustomer = other!.id;
  });
});

afterAll(() => closeDb());

describe("the offline booking dialogue", () => {
  it("is silent for messages that are not about bookings", async () => {
    expect(await say("What are your opening hours?")).toBeNull();
    expect(await say("Can you waive the missed-appointment charge?")).toBeNull();
  });

  it("books: asks the service and the day, holds the time and reads it back with the time zone, then confirms", async () => {
    expect((await say("Hi, I'd like to book an appointment"))!.reply).toBe("Which service would you like to book: Colour (90 min), Haircut (30 min)?");
    expect((await say("A haircut please"))!.reply).toBe("Haircut it is. Which day would suit you?");
    const held = await say("tomorrow at 10");
    expect(held).toMatchObject({ source: "offline", details: { costUsd: 0 } });
    expect(held!.reply).toBe(`I'm holding Haircut with Sam for you on Tuesday, 8 December 2026 at 10:00 ${GMT} for 10 minutes. Shall I book it? (yes/no)`);
    expect((await liveBookings()).map((b) => b.status)).toEqual(["held"]);
    expect((await say("yes please"))!.reply).toBe(`You're booked: Haircut with Sam on Tuesday, 8 December 2026 at 10:00 ${GMT}. See you then!`);
    const [row] = await liveBookings();
    expect(row).toMatchObject({ status: "confirmed", conversationId: web.conversationId, channelId: web.channelId, source: "ai" });
    // the dialogue is over: the next unrelated message goes back to the answer chain
    expect(await say("Thanks! Do you sell shampoo?")).toBeNull();
  });

  it("offers times for a part of the day, and another day when that one is full", async () => {
    const offered = await say("Can I book a haircut next Saturday afternoon?");
    // next Saturday from Monday 7 December is the 19th (chrono's "next")
    expect(offered!.reply).toBe(`For Haircut on Saturday, 19 December 2026 I can offer 12:00, 12:30, 13:30, 14:30, 15:00, 16:00 ${GMT}. Which time suits you?`);
    expect((await say("never mind"))!.reply).toBe("No problem, I've left your bookings as they were.");
    // Sunday: Sam does not work; the next free day is offered
    const sunday = await say("I want to book a haircut on Sunday");
    expect(sunday!.reply).toMatch(new RegExp(`^Nothing is free for Haircut on Sunday, 13 December 2026\\. The next free day is Monday, 14 December 2026: 09:00, .* \\(Greenwich Mean Time, Europe/London\\)\\. Which time suits you\\?$`));
    expect((await say("stop"))!.reply).toBe("No problem, I've left your bookings as they were.");
  });

  it("from the same customer's SMS: can't make it → new times → moved; the bookings are found by who they are", async () => {
    expect((await say("I can't make it tomorrow", sms))!.reply).toBe(`No problem. Your Haircut is on Tuesday, 8 December 2026 at 10:00 ${GMT}. Which other day would suit you?`);
    const offered = await say("Thursday afternoon", sms);
    expect(offered!.reply).toMatch(/^For Haircut on Thursday, 10 December 2026 I can offer 12:00, .*14:30.* \(Greenwich Mean Time, Europe\/London\)\. Which time suits you\?$/);
    expect((await say("14:30", sms))!.reply).toBe(`Shall I move your Haircut to Thursday, 10 December 2026 at 14:30 ${GMT}? (yes/no)`);
    expect((await say("yes", sms))!.reply).toBe(`Done: your Haircut is now on Thursday, 10 December 2026 at 14:30 ${GMT}.`);
    expect((await say("what are my bookings?"))!.reply).toBe(`Your upcoming bookings: Haircut on Thursday, 10 December 2026 at 14:30 ${GMT}.`);
  });

  it("a time taken by someone else between the offer and the pick: the customer hears so and gets new times", async () => {
    await say("book a haircut on Friday the 11th", sms);
    await book({ ctx: { businessId: business.id, actor: { type: "customer", customerId: otherCustomer } }, input: { serviceId: haircut, start: "2026-12-11T09:00:00.000Z" } }, { now: NOW });
    const lost = await say("09:00", sms);
    expect(lost!.reply).toBe(`Sorry, that time was just taken. Please choose another time. For Haircut on Friday, 11 December 2026 I can offer 09:30, 10:30, 12:00, 13:00, 14:30, 15:30 ${GMT}. Which time suits you?`);
    const picked = await say("the first one", sms);
    expect(picked!.reply).toBe(`I'm holding Haircut with Sam for you on Friday, 11 December 2026 at 09:30 ${GMT} for 10 minutes. Shall I book it? (yes/no)`);
    // the hold runs out before the yes: nothing is booked and the customer is told
    const late = await say("yes", sms, new Date(NOW.getTime() + 11 * 60_000));
    expect(late!.reply).toBe("That hold has run out and the time may have gone. Please choose a time again.");
    // the hold job marks it expired (the later tests' clock is back at NOW)
    expect(await expireHolds(new Date(NOW.getTime() + 11 * 60_000))).toBe(1);
  });

  it("cancels after asking, and the time is free again", async () => {
    expect((await say("please cancel my appointment"))!.reply).toBe(`Shall I cancel your Haircut on Thursday, 10 December 2026 at 14:30 ${GMT}? (yes/no)`);
    expect((await say("yes"))!.reply).toBe(`Done: your Haircut on Thursday, 10 December 2026 at 14:30 ${GMT} is cancelled.`);
    expect((await say("my bookings"))!.reply).toBe("You have no upcoming bookings.");
  });

  it("a business with nothing to book: the answer chain carries on", async () => {
    await withService((tx) => tx.update(s.bookingServices).set({ active: false }).where(eq(s.bookingServices.businessId, business.id)));
    expect(await say("I'd like to book a haircut tomorrow")).toBeNull();
    await withService((tx) => tx.update(s.bookingServices).set({ active: true }).where(eq(s.bookingServices.businessId, business.id)));
  });
});

describe("through the answer chain", () => {
  it("a web chat message asking to book is answered by the booking dialogue and stored as the reply", async () => {
    const r = await handleInbound({ businessId: business.id, channelId: web.channelId, channelKind: "web", from: { kind: "web", value: "visitor-chain" }, text: "I'd like to book a haircut" }, { defer: () => undefined });
    expect(r.reply?.content).toMatch(/^I can book Haircut for you\. Which day would suit you\?|^Which service would you like to book/);
    expect(r.reply?.source).toBe("offline");
  });
});

describe("Gemini function calling", () => {
  let gemini: Awaited<ReturnType<typeof useGemini>>;
  beforeAll(async () => {
    gemini = await useGemini();
  });
  afterAll(() => gemini.stop());

  it("finds slots, holds one and reads it back; the next turn books it; every tool result goes back to the model", async () => {
    gemini.script(
      "*",
      { kind: "call", calls: [{ name: "find_slots", args: { service: "Haircut", day: "Wednesday" } }] },
      { kind: "call", calls: [{ name: "hold_slot", args: { service: "Haircut", start: "2026-12-09T11:00:00.000Z" } }] },
      { kind: "text", text: `I'm holding Haircut on Wednesday, 9 December 2026 at 11:00 ${GMT}. Shall I book it?` },
    );
    const first = await say("Could I book a haircut on Wednesday around 11?");
    expect(first).toMatchObject({ source: "model", reply: `I'm holding Haircut on Wednesday, 9 December 2026 at 11:00 ${GMT}. Shall I book it?` });
    expect(first!.details.tokensIn).toBeGreaterThan(0);
    expect(first!.details.costUsd).toBeGreaterThan(0);
    const calls = gemini.calls("generateContent");
    expect(calls).toHaveLength(3);
    expect(calls[0]!.body.tools[0].functionDeclarations.map((d: { name: string }) => d.name)).toEqual(["find_slots", "hold_slot", "book", "reschedule", "cancel", "my_bookings"]);
    const found = calls[1]!.body.contents.at(-1).parts[0].functionResponse;
    expect(found.name).toBe("find_slots");
    expect(found.response.slots[0]).toEqual({ start: "2026-12-09T09:00:00.000Z", label: `Wednesday, 9 December 2026 at 09:00 ${GMT}` });
    const heldResult = calls[2]!.body.contents.at(-1).parts[0].functionResponse.response.booking;
    expect(heldResult).toMatchObject({ status: "held", label: `Wednesday, 9 December 2026 at 11:00 ${GMT}` });

    gemini.reset();
    gemini.script("*", { kind: "call", calls: [{ name: "book", args: { booking_id: heldResult.id } }] }, { kind: "text", text: "Booked!" });
    expect((await say("yes"))!.reply).toBe("Booked!");
    const [row] = await withService((tx) => tx.select().from(s.bookings).where(eq(s.bookings.id, heldResult.id)));
    expect(row!.status).toBe("confirmed");
  });

  it("a tool error (a time just taken) goes back to the model as a result, not as a failure", async () => {
    gemini.reset();
    gemini.script(
      "*",
      { kind: "call", calls: [{ name: "hold_slot", args: { service: "Haircut", start: "2026-12-09T11:00:00.000Z" } }] },
      { kind: "text", text: "Sorry, 11:00 was just taken. Would 11:30 work?" },
    );
    expect((await say("Book me a haircut Wednesday 11:00", sms))!.reply).toBe("Sorry, 11:00 was just taken. Would 11:30 work?");
    expect(gemini.calls("generateContent")[1]!.body.contents.at(-1).parts[0].functionResponse.response).toEqual({ error: "Sorry, that time was just taken. Please choose another time." });
  });

  it("through the answer chain: a message that is not about bookings goes back to the chain (NOT_BOOKING)", async () => {
    gemini.reset();
    gemini.script("*", { kind: "call", calls: [{ name: "my_bookings", args: {} }] }, { kind: "text", text: "You have no bookings yet. Shall I find you a time?" });
    const from = { kind: "web" as const, value: "visitor-gemini" };
    const first = await handleInbound({ businessId: business.id, channelId: web.channelId, channelKind: "web", from, text: "Do I have any appointments?" }, { defer: () => undefined });
    expect(first.reply).toMatchObject({ content: "You have no bookings yet. Shall I find you a time?", source: "model" });
    gemini.reset();
    gemini.script("*", { kind: "text", text: "NOT_BOOKING" });
    const second = await handleInbound({ businessId: business.id, channelId: web.channelId, channelKind: "web", from, text: "Do you sell shampoo?" }, { defer: () => undefined });
    expect([second.noReply, second.reply?.content]).toEqual([undefined, "Default reply from gemini-2.5-flash-lite."]);
    const calls = gemini.calls();
    expect(calls[0]!.body.tools).toBeDefined();
    expect(calls.at(-1)!.body.tools).toBeUndefined();
  });

  it("my_bookings finds the customer's bookings from another channel without asking who they are", async () => {
    gemini.reset();
    gemini.script("*", { kind: "call", calls: [{ name: "my_bookings", args: {} }] }, { kind: "text", text: "You have a haircut on Wednesday." });
    await say("When is my appointment?", sms);
    const listed = gemini.calls("generateContent")[1]!.body.contents.at(-1).parts[0].functionResponse.response.bookings;
    expect(listed.map((b: { label: string; status: string }) => [b.label, b.status])).toEqual([[`Wednesday, 9 December 2026 at 11:00 ${GMT}`, "confirmed"]]);
  });
});
