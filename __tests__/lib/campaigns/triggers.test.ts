// Triggered campaigns at a fixed clock, through the real job against the local Twilio REST stand-in:
// no contact for N days, a date on the customer (7 days before "checkup_due"), and the day after a
// conversation was resolved. Each customer is enrolled once per occurrence however often the job runs,
// only customers of the audience are, and a triggered campaign keeps running until it is stopped.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { storeInbound } from "@/lib/pipeline/inbound";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { localDate } from "@/lib/billing/period";
import { recordConsent } from "@/lib/campaigns/consent";
import { runCampaigns } from "@/lib/campaigns/send";
import { controlCampaign, getCampaign, listCampaigns, previewCampaign, saveCampaign, startCampaign } from "@/lib/campaigns/service";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness, useTwilio } from "../../helpers/demo";
import { OUR_NUMBER } from "../../fixtures/twilio";

const DAY = 86_400_000;
// yesterday 15:00 UTC: 10:00 in New York, where every customer here lives
const NOW = new Date(Math.floor((Date.now() - DAY) / DAY) * DAY + 15 * 3600_000);
const at = (days: number, hours = 0) => new Date(NOW.getTime() + days * DAY + hours * 3600_000);

let api: Awaited<ReturnType<typeof useTwilio>>;
let ctx: MemberCtx;
let smsChannel: string;
let zone: string;
let n = 0;

/** A customer of this suite's audience who texted once and agreed to offers by text. */
async function customer(name: string, opts: { tags?: string[]; lastSeenAt?: Date; tag?: string } = {}) {
  const stored = await storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: smsChannel, channelKind: "sms", from: { kind: "phone", value: `+1212555${String(3000 + ++n)}` }, name, text: "Hello" });
  await withService(async (tx) => {
    await tx
      .update(s.customers)
      .set({ name, tags: [opts.tag ?? "triggered", ...(opts.tags ?? [])], lastSeenAt: opts.lastSeenAt ?? at(-1) })
      .where(eq(s.customers.id, stored.customerId));
    await tx.update(s.messages).set({ createdAt: opts.lastSeenAt ?? at(-1) }).where(eq(s.messages.customerId, stored.customerId));
    await recordConsent(tx, { businessId: DEMO_BUSINESS_ID, customerId: stored.customerId, channelKind: "sms", granted: true, source: "contact_form", wording: "Text me reminders and offers" });
  });
  return { id: stored.customerId, conversationId: stored.conversationId };
}

const input = (name: string, trigger: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  name,
  audience: { tags: ["triggered"], consent: true },
  channelKinds: ["sms"],
  body: "Hi {{first_name}}, it has been a while. {{business}} would love to see you.",
  trigger,
  ...over,
});

const recipientsOf = (campaignId: string) =>
  withService((tx) => tx.select().from(s.campaignRecipients).where(eq(s.campaignRecipients.campaignId, campaignId)).orderBy(s.campaignRecipients.createdAt));

/** What Twilio was asked to send to each number, for one campaign's messages. */
async function textsOf(campaignId: string): Promise<Map<string, string[]>> {
  const list = await withService((tx) =>
    rows<{ customer_id: string; body: string }>(
      tx,
      sql`select m.customer_id, o.body from outbox o join messages m on m.id = o.message_id where o.payload->>'campaignId' = ${campaignId} and o.status = 'sent' order by o.created_at`,
    ),
  );
  const out = new Map<string, string[]>();
  for (const r of list) out.set(r.customer_id, [...(out.get(r.customer_id) ?? []), r.body]);
  return out;
}

beforeAll(async () => {
  api = await useTwilio({ attempts: 2, startingDelayMs: 5, maxDelayMs: 10 });
  ctx = await useDemoBusiness();
  smsChannel = (await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, accountSid: process.env.TWILIO_ACCOUNT_SID, authToken: process.env.TWILIO_AUTH_TOKEN } })).id;
  await withService((tx) => setMonthlyBudget(tx, DEMO_BUSINESS_ID, { limitUsd: 500 }));
  const [b] = await withService((tx) => tx.select({ timeZone: s.businesses.timeZone }).from(s.businesses).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
  zone = b!.timeZone;
});
afterAll(async () => {
  await closeDb();
  await api.stop();
});

describe("the trigger is checked where it is saved", () => {
  it("refuses a silence of zero days, a field that is not a name, and an unknown trigger, each in words", async () => {
    await expect(saveCampaign({ ctx, input: { campaign: input("Bad", { kind: "no_contact", days: 0 }) } })).rejects.toThrow("The silence is at least 1 day.");
    await expect(saveCampaign({ ctx, input: { campaign: input("Bad", { kind: "date_field", field: "check up!", offsetDays: -7 }) } })).rejects.toThrow(/Name the date field as it appears/);
    await expect(saveCampaign({ ctx, input: { campaign: input("Bad", { kind: "birthday" }) } })).rejects.toThrow(/Choose what starts the campaign/);
  });
});

describe("no contact for 30 days", () => {
  let id: string;
  let lapsing: { id: string }, later: { id: string }, longGone: { id: string }, outside: { id: string };

  it("enrols whoever reaches 30 days from the day it starts, once each; not those long past it, nor those outside the audience", async () => {
    lapsing = await customer("Lena Lapsing", { lastSeenAt: at(-30, -1) });
    later = await customer("Leo Later", { lastSeenAt: at(-29) });
    longGone = await customer("Gus Gone", { lastSeenAt: at(-200) });
    outside = await customer("Otis Outside", { lastSeenAt: at(-30, -1), tag: "someone-else" });
    id = (await saveCampaign({ ctx, input: { campaign: input("We miss you", { kind: "no_contact", days: "30" }) } })).id;
    const { estimate } = await previewCampaign({ ctx, input: { id, now: NOW } });
    // today's enrolment is Lena alone; a triggered campaign enrolling few today is not refused
    expect(estimate.sending).toBe(1);
    expect((await startCampaign({ ctx, input: { id, now: NOW } })).recipients).toBe(1);
    expect((await listCampaigns({ ctx })).find((c) => c.id === id)!.trigger).toBe("When a customer has not written for 30 days");

    // the job every 30 seconds, then on the next days
    for (const t of [NOW, at(0, 1), at(1, 1), at(1, 2), at(2)]) await runCampaigns({ now: t, campaignId: id });
    const list = await recipientsOf(id);
    expect(list.map((r) => r.customerId).sort()).toEqual([lapsing.id, later.id].sort());
    const texts = await textsOf(id);
    expect(texts.get(lapsing.id)).toEqual(["Hi Lena, it has been a while. Riverside Dental Clinic would love to see you. Reply STOP to opt out."]);
    expect(texts.get(later.id)).toHaveLength(1);
    expect(texts.has(longGone.id)).toBe(false);
    expect(texts.has(outside.id)).toBe(false);
    // Leo's 30 days ended at NOW + 1 day; he was texted on the first run after it
    expect(list.find((r) => r.customerId === later.id)!.sentAt!.toISOString()).toBe(at(1, 1).toISOString());
    // everyone enrolled so far was sent to, and the campaign still runs
    expect((await getCampaign({ ctx, input: { id } })).campaign.status).toBe("sending");
  });

  it("a customer who writes again and then falls silent for another 30 days is a new occurrence: a second message, once", async () => {
    await withService((tx) => tx.update(s.customers).set({ lastSeenAt: at(3) }).where(eq(s.customers.id, lapsing.id)));
    await runCampaigns({ now: at(20), campaignId: id });
    expect((await textsOf(id)).get(lapsing.id)).toHaveLength(1);
    for (const t of [at(33, 1), at(33, 2), at(34)]) await runCampaigns({ now: t, campaignId: id });
    expect((await textsOf(id)).get(lapsing.id)).toHaveLength(2);
    const rowsFor = (await recipientsOf(id)).filter((r) => r.customerId === lapsing.id);
    expect(rowsFor.map((r) => r.occurrence)).toEqual([`no_contact:${at(-30, -1).toISOString()}`, `no_contact:${at(3).toISOString()}`]);
  });

  it("paused, it enrols nobody; cancelled, it stops", async () => {
    await controlCampaign({ ctx, input: { id, action: "pause" } });
    const quiet = await customer("Paula Paused", { lastSeenAt: at(10) });
    await runCampaigns({ now: at(41), campaignId: id });
    expect((await recipientsOf(id)).some((r) => r.customerId === quiet.id)).toBe(false);
    await controlCampaign({ ctx, input: { id, action: "cancel" } });
    expect((await getCampaign({ ctx, input: { id } })).campaign.status).toBe("cancelled");
  });
});

describe("a date on the customer: 7 days before checkup_due", () => {
  it("texts each customer once, a week before their date, with the date in the message; a past or malformed date never", async () => {
    const day = (d: number) => localDate(at(d), zone);
    const dueSoon = await customer("Dora Due", { tag: "checkups", tags: [`checkup_due:${day(7)}`] });
    const dueLater = await customer("Dan Later", { tag: "checkups", tags: [`checkup_due:${day(10)}`] });
    const past = await customer("Pip Past", { tag: "checkups", tags: [`checkup_due:${day(-30)}`] });
    const malformed = await customer("Mal Formed", { tag: "checkups", tags: ["checkup_due:next spring"] });
    const id = (
      await saveCampaign({
        ctx,
        input: { campaign: input("Check-up reminder", { kind: "date_field", field: "Checkup_Due", offsetDays: -7 }, { audience: { tags: ["checkups"], consent: true }, body: "Hi {{first_name}}, your check-up is due on {{checkup_due}}." }) },
      })
    ).id;
    expect((await startCampaign({ ctx, input: { id, now: NOW } })).recipients).toBe(1);
    for (const t of [NOW, at(1), at(2), at(3), at(3, 1), at(4), at(12)]) await runCampaigns({ now: t, campaignId: id });
    const texts = await textsOf(id);
    expect(texts.get(dueSoon.id)).toEqual([`Hi Dora, your check-up is due on ${day(7)}. Reply STOP to opt out.`]);
    expect(texts.get(dueLater.id)).toEqual([`Hi Dan, your check-up is due on ${day(10)}. Reply STOP to opt out.`]);
    expect(texts.has(past.id)).toBe(false);
    expect(texts.has(malformed.id)).toBe(false);
    const dan = (await recipientsOf(id)).find((r) => r.customerId === dueLater.id)!;
    expect(dan.occurrence).toBe(`date:checkup_due:${day(10)}`);
    // Dan's week-before day began at local midnight; the first run after it, at NOW + 3 days, sent it
    expect(dan.sentAt!.toISOString()).toBe(at(3).toISOString());
  });
});

describe("the day after a conversation was resolved", () => {
  it("texts the next day, at an allowed hour, once per day of resolutions", async () => {
    const resolved = await customer("Rita Resolved", { tag: "aftercare" });
    const stillOpen = await customer("Owen Open", { tag: "aftercare" });
    const id = (
      await saveCampaign({ ctx, input: { campaign: input("How did it go?", { kind: "resolved" }, { audience: { tags: ["aftercare"], consent: true }, body: "Hi {{first_name}}, how did everything go yesterday?" }) } })
    ).id;
    await startCampaign({ ctx, input: { id, now: NOW } });
    await withService((tx) =>
      tx
        .update(s.conversations)
        .set({ status: "closed", closedAt: at(0, 1) })
        .where(and(eq(s.conversations.id, resolved.conversationId), eq(s.conversations.businessId, DEMO_BUSINESS_ID))),
    );
    // the same day: nothing yet
    await runCampaigns({ now: at(0, 2), campaignId: id });
    expect(await recipientsOf(id)).toHaveLength(0);
    // the next day, once however often the job runs
    for (const t of [at(1), at(1, 0.5), at(2)]) await runCampaigns({ now: t, campaignId: id });
    const texts = await textsOf(id);
    expect(texts.get(resolved.id)).toEqual(["Hi Rita, how did everything go yesterday? Reply STOP to opt out."]);
    expect(texts.has(stillOpen.id)).toBe(false);
    const [rita] = await recipientsOf(id);
    expect(rita!.occurrence).toBe(`resolved:${localDate(at(0, 1), zone)}`);
  });
});
