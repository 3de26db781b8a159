// A monthly budget per business, charged atomically: reserve before a model call, settle after.
//
// Every money movement is ONE conditional UPDATE on the period's budgets row. Under Postgres' READ
// COMMITTED, concurrent updates of a row queue on its lock and each re-checks its WHERE against the
// row as the previous one left it, so "spent + reserved + estimate <= limit" can never be passed by
// two callers for the same last dollar — 200 concurrent messages with budget for 10 get exactly 10.
// PGlite runs statements one at a time, which gives the same result.
//
// Auto-pause (businesses.limits.autoPause, default on): when on, a reservation that does not fit is
// denied, so the pipeline makes no model call (FAQ and cache answers still serve) until next month or
// until the owner raises the budget. When off, reservations always succeed and spending may pass 100 %;
// the owner still gets the 75 %, 90 % and 100 % emails. The business's status is never changed here:
// "paused" stays the owner's own switch.
//
// Do not pass a long-lived transaction as `ex` to reserve/settle/release: the row lock would be held for
// the whole model call and serialise every message of the business.
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { getDb, rows, type Db, type Executor } from "@/lib/db/client";
import { outbox } from "@/lib/db/schema";
import { readBusinessLimits } from "@/lib/ratelimit/rules";
import { localDate, monthPeriod, type Period } from "./period";
import { roundUsd } from "./prices";

export const DEFAULT_MONTHLY_BUDGET_USD = 50;
/** Emails go out once each per period at these shares of the budget; 1 is "budget reached". */
export const ALERT_THRESHOLDS = [0.75, 0.9, 1] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

export type MoneyOptions = {
  /** the database or a short transaction; defaults to the process database */
  ex?: Executor;
  /** for tests: the instant that decides the period */
  now?: Date;
};

export type Reservation = {
  budgetId: string;
  businessId: string;
  periodStart: string;
  amountUsd: number;
};

export type ReserveDenied = {
  denied: "budget_exhausted";
  /** true when only other in-flight reservations are in the way (retrying later may succeed) */
  transient: boolean;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
};

export type SpendResult = {
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  ratio: number;
  /** thresholds this call crossed first (its caller's alert emails were queued) */
  alerts: AlertThreshold[];
};

export type BudgetState = {
  periodStart: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  /** spent / limit (1 when the limit is 0) */
  ratio: number;
  /** the budget is used up: spent reached the limit, or a call no longer fit */
  exhausted: boolean;
  autoPause: boolean;
  /** what the gate needs: false when exhausted with auto-pause on */
  modelAllowed: boolean;
  alert75At: Date | null;
  alert90At: Date | null;
  exhaustedAt: Date | null;
};

type BusinessMoney = {
  id: string;
  name: string;
  slug: string;
  timeZone: string;
  monthlyBudgetUsd: number;
  autoPause: boolean;
};

type BudgetRow = {
  id: string;
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  alert_75_at: Date | string | null;
  alert_90_at: Date | string | null;
  exhausted_at: Date | string | null;
};

const BUDGET_COLUMNS = sql.raw(
  "id, limit_usd::float8 as limit_usd, spent_usd::float8 as spent_usd, reserved_usd::float8 as reserved_usd, alert_75_at, alert_90_at, exhausted_at",
);

/** Amounts go to SQL as exact decimal text: JS floats must not leak 0.30000000000000004 into numeric math. */
const usd = (n: number) => sql`${n.toFixed(6)}::numeric`;

/** Reservations round up to the column's six decimals, so an estimate is never under-held. */
function ceilUsd(n: number): number {
  return Math.ceil(Math.round(n * 1e9) / 1e3) / 1e6;
}

function amount(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new AppError("bad_request", `${what} must be a non-negative amount`);
  return n;
}

const toDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

async function executor(opts: MoneyOptions): Promise<Executor> {
  return opts.ex ?? (await getDb());
}

async function loadBusiness(ex: Executor, businessId: string): Promise<BusinessMoney> {
  const [row] = await rows<{ id: string; name: string; slug: string; time_zone: string; limits: unknown }>(
    ex,
    sql`select id, name, slug, time_zone, limits from businesses where id = ${businessId}`,
  );
  if (!row) throw new AppError("not_found", "That business does not exist.");
  return businessMoney({ id: row.id, name: row.name, slug: row.slug, timeZone: row.time_zone, limits: row.limits });
}

function businessMoney(row: { id: string; name: string; slug: string; timeZone: string; limits: unknown }): BusinessMoney {
  const limits = readBusinessLimits(typeof row.limits === "string" ? JSON.parse(row.limits) : row.limits);
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    timeZone: row.timeZone,
    monthlyBudgetUsd: limits.monthlyBudgetUsd ?? DEFAULT_MONTHLY_BUDGET_USD,
    autoPause: limits.autoPause ?? true,
  };
}

/** The period's row, created on first use with the business's configured monthly limit. */
async function ensureBudgetRow(ex: Executor, business: BusinessMoney, period: Period): Promise<void> {
  await ex.execute(
    sql`insert into budgets (business_id, period_start, limit_usd)
        values (${business.id}, ${period.start}::date, ${usd(business.monthlyBudgetUsd)})
        on conflict (business_id, period_start) do nothing`,
  );
}

async function selectBudget(ex: Executor, businessId: string, period: Period): Promise<BudgetRow | undefined> {
  const [row] = await rows<BudgetRow>(
    ex,
    sql`select ${BUDGET_COLUMNS} from budgets where business_id = ${businessId} and period_start = ${period.start}::date`,
  );
  return row;
}

const ratioOf = (spent: number, limit: number) => (limit > 0 ? spent / limit : 1);

/**
 * Holds `estimateUsd` of the current period's budget for one model call. With auto-pause on, denied
 * when the estimate does not fit beside what is spent and already held.
 */
export async function reserve(
  businessId: string,
  estimateUsd: number,
  opts: MoneyOptions & {
    /** the business's row as the caller already read it (the pipeline's load): saves reading it again */
    business?: { id: string; name: string; slug: string; timeZone: string; limits: unknown };
    /**
     * the model gate too (budgetState's modelAllowed): with auto-pause on, a budget already used up
     * (spent reached the limit, or marked exhausted) holds nothing, without marking anything again
     */
    gate?: boolean;
  } = {},
): Promise<Reservation | ReserveDenied> {
  const ex = await executor(opts);
  const business = opts.business ? businessMoney(opts.business) : await loadBusiness(ex, businessId);
  const period = monthPeriod(business.timeZone, opts.now);
  const hold = ceilUsd(amount(estimateUsd, "estimateUsd"));
  const enforce = business.autoPause;
  const gated = Boolean(opts.gate) && enforce;

  // one conditional update holds the money: the common case is this one statement
  const attempt = () =>
    rows<{ id: string }>(
      ex,
      sql`update budgets
          set reserved_usd = reserved_usd + ${usd(hold)}, updated_at = now()
          where business_id = ${businessId} and period_start = ${period.start}::date
            and (${!enforce}::boolean or spent_usd + reserved_usd + ${usd(hold)} <= limit_usd)
            and (${!gated}::boolean or (exhausted_at is null and limit_usd > 0 and spent_usd < limit_usd))
          returning id`,
    );

  let [row] = await attempt();
  if (!row) {
    // No row yet this period (or no room): make sure it exists, then try once more.
    await ensureBudgetRow(ex, business, period);
    [row] = await attempt();
  }
  if (row) return { budgetId: row.id, businessId, periodStart: period.start, amountUsd: hold };

  const current = (await selectBudget(ex, businessId, period))!;
  const usedUp = current.limit_usd <= 0 || current.spent_usd >= current.limit_usd || current.exhausted_at !== null;
  if (gated && usedUp) {
    return { denied: "budget_exhausted", transient: false, limitUsd: current.limit_usd, spentUsd: current.spent_usd, reservedUsd: current.reserved_usd };
  }
  const exhausted = current.spent_usd + hold > current.limit_usd;
  if (exhausted) await markExhausted(ex, business, period, current.id, hold);
  return {
    denied: "budget_exhausted",
    transient: !exhausted,
    limitUsd: current.limit_usd,
    spentUsd: current.spent_usd,
    reservedUsd: current.reserved_usd,
  };
}

/** Moves a reservation to spent at the call's actual cost, and queues any alert it crossed. */
export async function settle(reservation: Reservation, actualUsd: number, opts: MoneyOptions & { alongside?: SQL } = {}): Promise<SpendResult> {
  const ex = await executor(opts);
  const row = await moveSpend(ex, settleUpdate(reservation, actualUsd), opts.alongside);
  if (!row) throw new AppError("not_found", "That budget does not exist.");
  return spent(row, await fireAlerts(ex, reservation.businessId, row));
}

/** Gives a reservation back unused (the call failed, or an FAQ/cache answer made it unnecessary). */
export async function release(reservation: Reservation, opts: MoneyOptions = {}): Promise<void> {
  const ex = await executor(opts);
  await ex.execute(
    sql`update budgets set reserved_usd = greatest(reserved_usd - ${usd(reservation.amountUsd)}, 0), updated_at = now()
        where id = ${reservation.budgetId} and business_id = ${reservation.businessId}`,
  );
}

/**
 * Charges a cost nobody reserved for (an SMS segment, a call minute, an embedding) to the current
 * period. The common case is one statement: the period's row moved, with `alongside` (the cost's
 * event) written in the same statement. The period's first charge creates the row first.
 */
export async function charge(
  businessId: string,
  amountUsd: number,
  opts: MoneyOptions & {
    /** the business's row as the caller already read it: saves reading it again */
    business?: { id: string; name: string; slug: string; timeZone: string; limits: unknown };
    /** a write that commits with the charge's first statement (the cost event) */
    alongside?: SQL;
  } = {},
): Promise<SpendResult> {
  const ex = await executor(opts);
  const business = opts.business ? businessMoney(opts.business) : await loadBusiness(ex, businessId);
  const period = monthPeriod(business.timeZone, opts.now);
  const spend = roundUsd(amount(amountUsd, "amountUsd"));
  const thisPeriod = sql`period_start = ${period.start}::date`;
  let row = await moveSpend(ex, spendUpdate(businessId, thisPeriod, 0, spend), opts.alongside);
  if (!row) {
    // the period's first charge: its row first (the cost event is written already)
    await ensureBudgetRow(ex, business, period);
    row = (await moveSpend(ex, spendUpdate(businessId, thisPeriod, 0, spend)))!;
  }
  return spent(row, await fireAlerts(ex, businessId, row, business));
}

const spent = (row: BudgetRow, alerts: AlertThreshold[]): SpendResult => ({
  limitUsd: row.limit_usd,
  spentUsd: row.spent_usd,
  reservedUsd: row.reserved_usd,
  ratio: ratioOf(row.spent_usd, row.limit_usd),
  alerts,
});

/**
 * A budget update (`spendUpdate`), with `alongside` (a cost's event) written in the same statement;
 * it runs after the update. Undefined when no row matched.
 */
async function moveSpend(ex: Executor, update: SQL, alongside?: SQL): Promise<BudgetRow | undefined> {
  const [row] = await rows<BudgetRow>(ex, sql`${alongside ? sql`with alongside as (${alongside}) ` : sql``}${update}`);
  return row;
}

/** The one spend of a budget row (`which`: its id, or its period): `releaseUsd` leaves what is held, `spendUsd` joins what is spent. */
function spendUpdate(businessId: string, which: SQL, releaseUsd: number, spendUsd: number): SQL {
  return sql`update budgets
        set reserved_usd = greatest(reserved_usd - ${usd(releaseUsd)}, 0),
            spent_usd = spent_usd + ${usd(spendUsd)},
            updated_at = now()
        where business_id = ${businessId} and ${which}
        returning ${BUDGET_COLUMNS}`;
}

/** The budget row a settlement's update returned (`settleUpdate`), as the caller's statement handed it back. */
export type SettledBudget = BudgetRow;

/**
 * A settlement as a part of the caller's own statement (a common table expression of it): the
 * reservation's release and the actual cost's spend, returning the row `afterSettle` takes once
 * that statement has committed.
 */
export function settleUpdate(reservation: Reservation, actualUsd: number): SQL {
  const { businessId, budgetId, amountUsd } = reservation;
  return spendUpdate(businessId, sql`id = ${budgetId}`, amountUsd, roundUsd(amount(actualUsd, "actualUsd")));
}

/** After a `settleUpdate` committed: the owners' alerts for the thresholds it crossed (none, usually: no statement). */
export async function afterSettle(businessId: string, row: SettledBudget | null, opts: MoneyOptions = {}): Promise<AlertThreshold[]> {
  if (!row) return [];
  return fireAlerts(await executor(opts), businessId, row);
}

const MARKER = { 0.75: "alert_75_at", 0.9: "alert_90_at", 1: "exhausted_at" } as const;

function due(row: BudgetRow): AlertThreshold[] {
  if (!(row.limit_usd > 0)) return [];
  return ALERT_THRESHOLDS.filter((t) => row[MARKER[t]] === null && row.spent_usd >= t * row.limit_usd);
}

/**
 * Sets each crossed threshold's marker with a conditional UPDATE (… WHERE marker IS NULL), so exactly one
 * caller wins it, and in the same transaction queues the owners' email for the highest one it won.
 */
async function fireAlerts(ex: Executor, businessId: string, row: BudgetRow, known?: BusinessMoney): Promise<AlertThreshold[]> {
  const candidates = due(row);
  if (candidates.length === 0) return []; // the common case costs no extra statement
  return (ex as Db).transaction(async (tx) => {
    const won: AlertThreshold[] = [];
    for (const t of candidates) {
      const column = sql.raw(MARKER[t]);
      const [hit] = await rows<{ id: string }>(
        tx,
        sql`update budgets set ${column} = now(), updated_at = now()
            where id = ${row.id} and ${column} is null and limit_usd > 0 and spent_usd >= ${usd(t)} * limit_usd
            returning id`,
      );
      if (hit) won.push(t);
    }
    if (won.length > 0) {
      const business = known ?? (await loadBusiness(tx, businessId));
      const [fresh] = await rows<BudgetRow & { period_start: string }>(
        tx,
        sql`select ${BUDGET_COLUMNS}, period_start::text as period_start from budgets where id = ${row.id}`,
      );
      await queueAlert(tx, business, Math.max(...won) as AlertThreshold, fresh!);
    }
    return won;
  });
}

async function markExhausted(ex: Executor, business: BusinessMoney, period: Period, budgetId: string, hold: number) {
  await (ex as Db).transaction(async (tx) => {
    const [hit] = await rows<BudgetRow & { period_start: string }>(
      tx,
      sql`update budgets set exhausted_at = now(), updated_at = now()
          where id = ${budgetId} and exhausted_at is null and spent_usd + ${usd(hold)} > limit_usd
          returning ${BUDGET_COLUMNS}, period_start::text as period_start`,
    );
    if (hit) await queueAlert(tx, business, 1, { ...hit, period_start: period.start });
  });
}

const money = (n: number) => `$${n.toFixed(2)}`;

function monthLabel(periodStart: string): string {
  const [y, m] = periodStart.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, 1)).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** One outbox email per owner and admin (the dev outbox in embedded mode, Resend in production). */
async function queueAlert(
  tx: Executor,
  business: BusinessMoney,
  threshold: AlertThreshold,
  row: BudgetRow & { period_start: string },
): Promise<void> {
  const recipients = await rows<{ email: string }>(
    tx,
    sql`select distinct u.email from members m join users u on u.id = m.user_id
        where m.business_id = ${business.id} and m.role in ('owner', 'admin') order by u.email`,
  );
  if (recipients.length === 0) return;
  const month = monthLabel(row.period_start);
  const spent = `${money(row.spent_usd)} of ${money(row.limit_usd)}`;
  const link = `${env().appUrl}/${business.slug}/costs`;
  const subject =
    threshold === 1
      ? `${business.name}: the AI budget for ${month} is used up`
      : `${business.name}: ${Math.round(threshold * 100)}% of the AI budget for ${month} is used`;
  const consequence =
    threshold < 1
      ? "Nothing changes yet. If you expect more traffic this month, you can raise the budget."
      : business.autoPause
        ? "AI replies are paused until next month or until you raise the budget. FAQ and cached answers keep " +
          "serving; other customers get your fallback reply and their conversation waits for a person (you are notified, as for any hand-off)."
        : "Auto-pause is off, so AI replies continue and spending is now going past your budget.";
  const body = [
    `${business.name} has spent ${spent} of its monthly AI budget for ${month}.`,
    "",
    consequence,
    "",
    `See spending and change the budget: ${link}`,
  ].join("\n");
  await tx.insert(outbox).values(
    recipients.map((r) => ({
      businessId: business.id,
      channelKind: "email",
      recipient: r.email,
      subject,
      body,
      payload: { kind: "budget_alert", threshold: Math.round(threshold * 100), periodStart: row.period_start },
    })),
  );
}

/** The current period's budget as the gate and the dashboard see it (no row yet = nothing spent). */
export async function budgetState(businessId: string, opts: MoneyOptions = {}): Promise<BudgetState> {
  const ex = await executor(opts);
  const business = await loadBusiness(ex, businessId);
  const period = monthPeriod(business.timeZone, opts.now);
  const row = await selectBudget(ex, businessId, period);
  const limitUsd = row?.limit_usd ?? business.monthlyBudgetUsd;
  const spentUsd = row?.spent_usd ?? 0;
  const exhaustedAt = toDate(row?.exhausted_at ?? null);
  const exhausted = limitUsd <= 0 || spentUsd >= limitUsd || exhaustedAt !== null;
  return {
    periodStart: period.start,
    limitUsd,
    spentUsd,
    reservedUsd: row?.reserved_usd ?? 0,
    ratio: ratioOf(spentUsd, limitUsd),
    exhausted,
    autoPause: business.autoPause,
    modelAllowed: !(exhausted && business.autoPause),
    alert75At: toDate(row?.alert_75_at ?? null),
    alert90At: toDate(row?.alert_90_at ?? null),
    exhaustedAt,
  };
}

/**
 * Settings → Limits & budget: stores the monthly limit and auto-pause in businesses.limits and applies a
 * new limit to the current period at once. Markers that no longer hold are cleared so alerts can fire
 * again against the new figure. Call it inside the member's withTenant transaction (RLS: owners, admins).
 */
export async function setMonthlyBudget(
  ex: Executor,
  businessId: string,
  input: { limitUsd?: number; autoPause?: boolean },
  opts: { now?: Date } = {},
): Promise<BudgetState> {
  const patch: Record<string, unknown> = {};
  if (input.limitUsd !== undefined) {
    // Never a silent $0: a budget that is not a number is refused, in the words the form shows.
    if (typeof input.limitUsd !== "number" || !Number.isFinite(input.limitUsd) || input.limitUsd < 0) {
      throw new AppError("bad_request", "The budget must be a number of dollars, 0 or more.", { field: "monthlyBudgetUsd" });
    }
    patch.monthlyBudgetUsd = roundUsd(input.limitUsd);
  }
  if (input.autoPause !== undefined) patch.autoPause = input.autoPause;
  const updated = await rows<{ id: string }>(
    ex,
    sql`update businesses set limits = limits || ${JSON.stringify(patch)}::jsonb, updated_at = now()
        where id = ${businessId} returning id`,
  );
  if (updated.length === 0) throw new AppError("not_found", "That business does not exist.");
  if (input.limitUsd !== undefined) {
    const business = await loadBusiness(ex, businessId);
    const period = monthPeriod(business.timeZone, opts.now);
    const limit = usd(business.monthlyBudgetUsd);
    const [row] = await rows<BudgetRow>(
      ex,
      sql`update budgets set
            limit_usd = ${limit},
            alert_75_at = case when spent_usd >= 0.75 * ${limit} then alert_75_at end,
            alert_90_at = case when spent_usd >= 0.9 * ${limit} then alert_90_at end,
            exhausted_at = case when spent_usd >= ${limit} then exhausted_at end,
            updated_at = now()
          where business_id = ${businessId} and period_start = ${period.start}::date
          returning ${BUDGET_COLUMNS}`,
    );
    if (row) await fireAlerts(ex, businessId, row, business); // a lower limit may already be crossed
  }
  return budgetState(businessId, { ex, now: opts.now });
}

/**
 * For a job: returns reservations nobody settled (a crashed instance) to the pool. A row untouched for
 * longer than any model call can take has, by construction, no reservation still in flight.
 */
export async function releaseStaleReservations(opts: { ex?: Executor; olderThanMinutes?: number } = {}): Promise<number> {
  const ex = await executor(opts);
  const minutes = opts.olderThanMinutes ?? 10;
  const released = await rows<{ id: string }>(
    ex,
    sql`update budgets set reserved_usd = 0, updated_at = now()
        where reserved_usd > 0 and updated_at < now() - make_interval(mins => ${minutes}::int)
        returning id`,
  );
  return released.length;
}

export type SpendSummary = BudgetState & {
  /** everything recorded in cost_events this period (channel costs included, charged or not) */
  recordedUsd: number;
  byKind: { kind: string; costUsd: number; events: number }[];
  /** one entry per day of the period so far, zero-filled, in the business's time zone */
  byDay: { day: string; costUsd: number }[];
};

/** The dashboard's costs page: this period's budget, spend by kind, and by day for the chart. */
export async function spendSummary(businessId: string, opts: MoneyOptions = {}): Promise<SpendSummary> {
  const ex = await executor(opts);
  const state = await budgetState(businessId, { ex, now: opts.now });
  const business = await loadBusiness(ex, businessId);
  const now = opts.now ?? new Date();
  const period = monthPeriod(business.timeZone, now);
  const range = sql`business_id = ${businessId} and created_at >= ${period.startsAt.toISOString()}::timestamptz
                    and created_at < ${period.endsAt.toISOString()}::timestamptz`;
  const byKind = await rows<{ kind: string; cost_usd: number; events: number }>(
    ex,
    sql`select kind, sum(cost_usd)::float8 as cost_usd, count(*)::int as events
        from cost_events where ${range} group by kind order by 2 desc, 1`,
  );
  const days = await rows<{ day: string; cost_usd: number }>(
    ex,
    sql`select to_char(created_at at time zone ${business.timeZone}, 'YYYY-MM-DD') as day, sum(cost_usd)::float8 as cost_usd
        from cost_events where ${range} group by 1 order by 1`,
  );
  const totals = new Map(days.map((d) => [d.day, d.cost_usd]));
  const byDay: { day: string; costUsd: number }[] = [];
  const last = localDate(now < period.endsAt ? now : new Date(period.endsAt.getTime() - 1), business.timeZone);
  for (let d = 1; d <= 31; d++) {
    const day = `${period.start.slice(0, 8)}${String(d).padStart(2, "0")}`;
    if (day > last) break;
    byDay.push({ day, costUsd: roundUsd(totals.get(day) ?? 0) });
  }
  return {
    ...state,
    recordedUsd: roundUsd(byKind.reduce((sum, k) => sum + k.cost_usd, 0)),
    byKind: byKind.map((k) => ({ kind: k.kind, costUsd: roundUsd(k.cost_usd), events: k.events })),
    byDay,
  };
}
