// Budgets on the real migrated schema (PGlite): arithmetic, the concurrency race, alerts once each, exhaustion.
import crypto from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import {
  budgetState,
  charge,
  release,
  releaseStaleReservations,
  reserve,
  setMonthlyBudget,
  settle,
  spendSummary,
  type Reservation,
} from "@/lib/billing/budgets";
import { recordCost } from "@/lib/billing/costs";
import { localDate } from "@/lib/billing/period";
import { rows, type Db } from "@/lib/db/client";
import { budgets, businesses, costEvents, members, outbox, users } from "@/lib/db/schema";
import { useTestDb } from "../../helpers/db";

let db: Db;
let close: () => Promise<void>;

beforeAll(async () => {
  const handle = await useTestDb();
  db = handle.db;
  close = handle.close;
});

afterAll(async () => {
  await close?.();
});

async function makeBusiness(limits: Record<string, unknown> = {}, timeZone = "UTC") {
  const tag = crypto.randomUUID().slice(0, 8);
  const [biz] = await db
    .insert(businesses)
    .values({ slug: `clinic-${tag}`, name: `Bright Smile ${tag}`, timeZone, limits })
    .returning();
  const people = await db
    .insert(users)
    .values([
      { email: `owner-${tag}@example.com` },
      { email: `admin-${tag}@example.com` },
      { email: `agent-${tag}@example.com` },
    ])
    .returning();
  await db.insert(members).values([
    { businessId: biz!.id, userId: people[0]!.id, role: "owner" },
    { businessId: biz!.id, userId: people[1]!.id, role: "admin" },
    { businessId: biz!.id, userId: people[2]!.id, role: "agent" },
  ]);
  return biz!;
}

const isReservation = (r: unknown): r is Reservation => typeof r === "object" && r !== null && "budgetId" in r;

async function budgetRow(businessId: string) {
  const [row] = await rows<{ limit_usd: string; spent_usd: string; reserved_usd: string }>(
    db,
    sql`select limit_usd::text, spent_usd::text, reserved_usd::text from budgets where business_id = ${businessId}`,
  );
  return row!;
}

async function alertEmails(businessId: string) {
  return db
    .select({ recipient: outbox.recipient, subject: outbox.subject, body: outbox.body, payload: outbox.payload, channelKind: outbox.channelKind })
    .from(outbox)
    .where(eq(outbox.businessId, businessId))
    .orderBy(outbox.createdAt, outbox.recipient);
}

describe("budgets", () => {
  it("creates the period's row on demand with the configured limit (default $50)", async () => {
    const biz = await makeBusiness();
    const state = await budgetState(biz.id);
    expect(state).toMatchObject({ limitUsd: 50, spentUsd: 0, reservedUsd: 0, ratio: 0, exhausted: false, autoPause: true, modelAllowed: true });
    expect(await db.select().from(budgets).where(eq(budgets.businessId, biz.id))).toHaveLength(0); // reading creates nothing

    const custom = await makeBusiness({ monthlyBudgetUsd: 12.5 }, "Australia/Sydney");
    const r = await reserve(custom.id, 0.01, { now: new Date("2026-06-30T15:00:00Z") }); // already July 1st in Sydney
    expect(isReservation(r) && r.periodStart).toBe("2026-07-01");
    expect(await budgetRow(custom.id)).toMatchObject({ limit_usd: "12.500000", reserved_usd: "0.010000" });
  });

  it("reserve → settle moves the reservation to spent at the actual cost; release gives it back", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 10 });
    const a = await reserve(biz.id, 0.3);
    const b = await reserve(biz.id, 0.2);
    if (!isReservation(a) || !isReservation(b)) throw new Error("expected reservations");
    expect(await budgetRow(biz.id)).toMatchObject({ spent_usd: "0.000000", reserved_usd: "0.500000" });

    const settled = await settle(a, 0.1234567);
    expect(settled).toMatchObject({ limitUsd: 10, spentUsd: 0.123457, reservedUsd: 0.2, alerts: [] });
    await release(b);
    expect(await budgetRow(biz.id)).toMatchObject({ spent_usd: "0.123457", reserved_usd: "0.000000" });

    // Releasing twice (a retry after a timeout) never drives the held amount negative.
    await release(b);
    expect((await budgetRow(biz.id)).reserved_usd).toBe("0.000000");
    await expect(reserve(biz.id, -1)).rejects.toThrow(/non-negative/);
    await expect(reserve(crypto.randomUUID(), 1)).rejects.toThrow(/does not exist/);
  });

  it("200 concurrent reservations with budget for 10: exactly 10 succeed and nothing overspends", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 1 });
    const results = await Promise.all(Array.from({ length: 200 }, () => reserve(biz.id, 0.1)));
    const granted = results.filter(isReservation);
    expect(granted).toHaveLength(10);
    expect(results.filter((r) => !isReservation(r))).toHaveLength(190);
    expect(await budgetRow(biz.id)).toMatchObject({ reserved_usd: "1.000000", spent_usd: "0.000000" });
    // Denials while others hold the money are transient: the budget is not spent yet.
    expect(results.find((r) => !isReservation(r))).toMatchObject({ denied: "budget_exhausted", transient: true });

    // Settling all 10 concurrently, each slightly under its estimate, then trying again.
    await Promise.all(granted.map((r) => settle(r, 0.095)));
    const row = await budgetRow(biz.id);
    expect(row).toMatchObject({ spent_usd: "0.950000", reserved_usd: "0.000000" });
    expect(Number(row.spent_usd)).toBeLessThanOrEqual(Number(row.limit_usd));
    const after = await Promise.all(Array.from({ length: 50 }, () => reserve(biz.id, 0.1)));
    expect(after.filter(isReservation)).toHaveLength(0); // 0.95 + 0.1 > 1
    expect(after[0]).toMatchObject({ denied: "budget_exhausted", transient: false });
  });

  it("emails owners and admins once at 75 % and once at 90 %, even when many settle at once", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 1 });
    const first = await Promise.all(Array.from({ length: 7 }, () => reserve(biz.id, 0.1)));
    await Promise.all(first.filter(isReservation).map((r) => settle(r, 0.1)));
    expect(await alertEmails(biz.id)).toHaveLength(0); // 70 %

    // 20 concurrent settles push it from 70 % to 80 %: exactly one of them wins the 75 % alert.
    const burst = await Promise.all(Array.from({ length: 20 }, () => reserve(biz.id, 0.005)));
    const outcomes = await Promise.all(burst.filter(isReservation).map((r) => settle(r, 0.005)));
    expect(outcomes.filter((o) => o.alerts.length > 0).map((o) => o.alerts)).toEqual([[0.75]]);
    let mail = await alertEmails(biz.id);
    expect(mail.map((m) => m.recipient)).toEqual([expect.stringMatching(/^admin-/), expect.stringMatching(/^owner-/)]);
    expect(mail[0]).toMatchObject({ channelKind: "email", payload: { kind: "budget_alert", threshold: 75 } });
    expect(mail[0]!.subject).toMatch(/75% of the AI budget/);
    // the spend when the winning settle crossed the line: between 75 and 80 cents
    expect(mail[0]!.body).toMatch(/spent \$0\.(7[5-9]|80) of \$1\.00/);
    expect(mail[0]!.body).toContain(`/${biz.slug}/costs`);

    const more = await reserve(biz.id, 0.05);
    if (!isReservation(more)) throw new Error("expected a reservation");
    expect((await settle(more, 0.05)).alerts).toEqual([]); // 85 %: nothing new
    const ninety = await reserve(biz.id, 0.06);
    if (!isReservation(ninety)) throw new Error("expected a reservation");
    expect((await settle(ninety, 0.06)).alerts).toEqual([0.9]);
    mail = await alertEmails(biz.id);
    expect(mail).toHaveLength(4);
    expect(mail.filter((m) => (m.payload as { threshold: number }).threshold === 90)).toHaveLength(2);

    const state = await budgetState(biz.id);
    expect(state.alert75At).toBeInstanceOf(Date);
    expect(state.alert90At).toBeInstanceOf(Date);
    expect(state).toMatchObject({ exhausted: false, modelAllowed: true });
    expect(state.ratio).toBeCloseTo(0.91, 6);
  });

  it("a jump past both thresholds sets both markers but sends one email, for the higher one", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 1 });
    const r = await reserve(biz.id, 0.95);
    if (!isReservation(r)) throw new Error("expected a reservation");
    expect((await settle(r, 0.95)).alerts).toEqual([0.75, 0.9]);
    const mail = await alertEmails(biz.id);
    expect(mail).toHaveLength(2);
    expect(mail.every((m) => (m.payload as { threshold: number }).threshold === 90)).toBe(true);
  });

  it("at 100 % with auto-pause on: exhausted, model calls denied, one 'used up' email", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 0.5 });
    await charge(biz.id, 0.49); // e.g. SMS segments, no reservation
    const denied = await reserve(biz.id, 0.02);
    expect(denied).toMatchObject({ denied: "budget_exhausted", transient: false, spentUsd: 0.49, limitUsd: 0.5 });
    await reserve(biz.id, 0.02); // a second denial sends nothing more
    const state = await budgetState(biz.id);
    expect(state).toMatchObject({ exhausted: true, modelAllowed: false, autoPause: true });
    expect(state.exhaustedAt).toBeInstanceOf(Date);
    const used = (await alertEmails(biz.id)).filter((m) => (m.payload as { threshold: number }).threshold === 100);
    expect(used).toHaveLength(2);
    expect(used[0]!.subject).toMatch(/used up/);
    expect(used[0]!.body).toMatch(/AI replies are paused/);
    // The pipeline's gated hold (the model gate and the hold in one update) refuses even a call that
    // would fit once the budget is marked used up, and sends no further email.
    expect(await reserve(biz.id, 0.005, { gate: true })).toMatchObject({ denied: "budget_exhausted", transient: false });
    expect((await alertEmails(biz.id)).filter((m) => (m.payload as { threshold: number }).threshold === 100)).toHaveLength(2);
    // A small call that still fits goes through: exhaustion only blocks what cannot be paid for.
    expect(isReservation(await reserve(biz.id, 0.005))).toBe(true);

    // The owner raises the budget: the state clears at once and the next reservation fits.
    const raised = await setMonthlyBudget(db, biz.id, { limitUsd: 5 });
    expect(raised).toMatchObject({ limitUsd: 5, exhausted: false, modelAllowed: true, exhaustedAt: null, alert75At: null });
    expect(isReservation(await reserve(biz.id, 0.02))).toBe(true);
    expect(isReservation(await reserve(biz.id, 0.02, { gate: true }))).toBe(true);
    const [stored] = await db.select({ limits: businesses.limits }).from(businesses).where(eq(businesses.id, biz.id));
    expect(stored!.limits).toEqual({ monthlyBudgetUsd: 5 });
  });

  it("with auto-pause off, spending continues past 100 % with the alerts only", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 0.1, autoPause: false });
    const reservations = await Promise.all(Array.from({ length: 5 }, () => reserve(biz.id, 0.04)));
    expect(reservations.every(isReservation)).toBe(true);
    const settled = [];
    for (const r of reservations.filter(isReservation)) settled.push(await settle(r, 0.04));
    // 40 %, 80 % (75 % alert), 120 % (crosses 90 % and 100 % at once), then no more alerts.
    expect(settled.map((s) => s.alerts)).toEqual([[], [0.75], [0.9, 1], [], []]);
    const state = await budgetState(biz.id);
    expect(state).toMatchObject({ exhausted: true, autoPause: false, modelAllowed: true });
    expect(state.spentUsd).toBeCloseTo(0.2, 6);
    const used = (await alertEmails(biz.id)).filter((m) => (m.payload as { threshold: number }).threshold === 100);
    expect(used[0]!.body).toMatch(/Auto-pause is off/);
  });

  it("a lower limit applies to the current period and fires what it crosses", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 10 });
    await charge(biz.id, 4);
    const state = await setMonthlyBudget(db, biz.id, { limitUsd: 5, autoPause: true });
    expect(state).toMatchObject({ limitUsd: 5, spentUsd: 4, ratio: 0.8 });
    expect((await alertEmails(biz.id)).map((m) => (m.payload as { threshold: number }).threshold)).toEqual([75, 75]);
    await expect(setMonthlyBudget(db, crypto.randomUUID(), { limitUsd: 1 })).rejects.toThrow(/does not exist/);
    // Not a number is refused, never stored as a $0 budget.
    for (const limitUsd of [Number.NaN, -1, "" as unknown as number]) {
      await expect(setMonthlyBudget(db, biz.id, { limitUsd })).rejects.toMatchObject({ code: "bad_request", details: { field: "monthlyBudgetUsd" } });
    }
    expect((await budgetState(biz.id)).limitUsd).toBe(5);
  });

  it("releases reservations left behind by a crashed instance", async () => {
    const biz = await makeBusiness({ monthlyBudgetUsd: 1 });
    const r = await reserve(biz.id, 0.4);
    expect(isReservation(r)).toBe(true);
    expect(await releaseStaleReservations()).toBe(0); // still fresh
    await db.execute(sql`update budgets set updated_at = now() - interval '11 minutes' where business_id = ${biz.id}`);
    expect(await releaseStaleReservations()).toBeGreaterThanOrEqual(1);
    expect((await budgetRow(biz.id)).reserved_usd).toBe("0.000000");
  });
});

describe("costs and the spend summary", () => {
  it("records priced cost events and summarises the period by kind and by day", async () => {
    const biz = await makeBusiness({}, "America/Los_Angeles");
    const model = await recordCost(db, { businessId: biz.id, kind: "model", model: "gemini-2.5-flash", tokensIn: 1000, tokensOut: 200 });
    expect(model.costUsd).toBeCloseTo(0.0008, 10);
    const embed = await recordCost(db, { businessId: biz.id, kind: "embedding", tokensIn: 2000 });
    expect(embed.costUsd).toBeCloseTo(0.0003, 10);
    const sms = await recordCost(db, { businessId: biz.id, kind: "sms", units: 2 });
    expect(sms.costUsd).toBeCloseTo(0.0166, 10);
    await recordCost(db, { businessId: biz.id, kind: "model", model: "gemini-2.5-pro", tokensIn: 10, tokensOut: 10, costUsd: 0.5 });
    await expect(recordCost(db, { businessId: biz.id, kind: "model", tokensIn: 1 })).rejects.toThrow(/model name/);
    await expect(recordCost(db, { businessId: biz.id, kind: "sms", units: -1 })).rejects.toThrow();

    const [row] = await db.select().from(costEvents).where(and(eq(costEvents.businessId, biz.id), eq(costEvents.kind, "model"))).limit(1);
    expect(row).toMatchObject({ model: "gemini-2.5-flash", tokensIn: 1000, tokensOut: 200, units: 1200 });

    // An event from yesterday (local time) lands on yesterday's bar.
    const now = new Date();
    await db.insert(costEvents).values({ businessId: biz.id, kind: "email", units: 1, costUsd: 0.0004, createdAt: new Date(now.getTime() - 86_400_000) });

    const summary = await spendSummary(biz.id, { now });
    // Yesterday may belong to last month (on the 1st): then it is rightly left out.
    const yesterdayInPeriod = localDate(new Date(now.getTime() - 86_400_000), "America/Los_Angeles") >= summary.periodStart;
    expect(summary.byKind).toEqual([
      { kind: "model", costUsd: 0.5008, events: 2 },
      { kind: "sms", costUsd: 0.0166, events: 1 },
      ...(yesterdayInPeriod ? [{ kind: "email", costUsd: 0.0004, events: 1 }] : []),
      { kind: "embedding", costUsd: 0.0003, events: 1 },
    ]);
    expect(summary.recordedUsd).toBeCloseTo(summary.byKind.reduce((s, k) => s + k.costUsd, 0), 6);
    const today = summary.byDay[summary.byDay.length - 1]!;
    expect(today.day).toBe(localDate(now, "America/Los_Angeles"));
    expect(today.costUsd).toBeCloseTo(0.5008 + 0.0166 + 0.0003, 6);
    if (yesterdayInPeriod) expect(summary.byDay[summary.byDay.length - 2]!.costUsd).toBeCloseTo(0.0004, 6);
    expect(summary.byDay[0]!.day).toBe(summary.periodStart);
    expect(summary.byDay.every((d, i) => i === 0 || d.day > summary.byDay[i - 1]!.day)).toBe(true);
    expect(summary).toMatchObject({ spentUsd: 0, limitUsd: 50 }); // recording a cost does not charge the budget
  });
});
