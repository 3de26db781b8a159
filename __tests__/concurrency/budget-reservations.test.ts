// Money under load: 200 answers asking for a model call at the same instant, with room in the
// budget for exactly 10. Each goes through the pipeline's allowance (lib/pipeline/spend.ts), which
// reserves the worst case in lib/billing/budgets.ts and settles at the real cost with a cost event.
// On the postgres project the 200 reservations race on ten pool connections.
import { sql } from "drizzle-orm";
import { getDb, rows, type Db } from "@/lib/db/client";
import { businesses, channels, conversations, customers, messages } from "@/lib/db/schema";
import { setMonthlyBudget } from "@/lib/billing/budgets";
import { modelNames } from "@/lib/ai/router";
import { spendingAllowed, type Allowance } from "@/lib/pipeline/spend";
import { useTestDb } from "../helpers/db";

type Granted = Extract<Allowance, { ok: true }>;
const MODEL = () => modelNames().fast;
const PROMPT = "You are the assistant of a dental clinic. ".repeat(40);
const MAX_OUTPUT = 600;

let db: Db;
let businessId: string;
/** The message each call answers (cost events point at it). */
let about: { messageId: string; conversationId: string };

let business: typeof businesses.$inferSelect;
const ask = () => spendingAllowed({ business, model: MODEL(), prompt: PROMPT, maxOutputTokens: MAX_OUTPUT });
const budget = async () =>
  (
    await rows<{ limit_usd: string; spent_usd: string; reserved_usd: string }>(
      db,
      sql`select limit_usd::text, spent_usd::text, reserved_usd::text from budgets where business_id = ${businessId}`,
    )
  )[0]!;
const recorded = async () =>
  (await rows<{ usd: string; n: number }>(db, sql`select coalesce(sum(cost_usd), 0)::numeric(12,6)::text as usd, count(*)::int as n from cost_events where business_id = ${businessId}`))[0]!;
const micro = (usd: string) => Math.round(Number(usd) * 1e6);

beforeAll(async () => {
  await useTestDb();
  db = await getDb();
  const [b] = await db.insert(businesses).values({ slug: "budget-race", name: "Budget Race Dental" }).returning();
  businessId = b!.id;
  business = b!;
  const [channel] = await db.insert(channels).values({ businessId, kind: "web", name: "Web", address: "budget-race" }).returning();
  const [customer] = await db.insert(customers).values({ businessId }).returning();
  const [conversation] = await db.insert(conversations).values({ businessId, customerId: customer!.id, channelId: channel!.id }).returning();
  const [message] = await db
    .insert(messages)
    .values({ businessId, conversationId: conversation!.id, customerId: customer!.id, channelId: channel!.id, role: "customer", content: "Can I book a check-up?" })
    .returning();
  about = { messageId: message!.id, conversationId: conversation!.id };
});

it("200 model calls at once with room for exactly 10: 10 go ahead, and after settling the spend is within the budget to the cent", async () => {
  // What one call holds: measured through the real path, then given back.
  const probe = await ask();
  if (!probe.ok) throw new Error("the probe was denied");
  const hold = micro((await budget()).reserved_usd);
  await probe.release();
  expect(hold).toBeGreaterThan(0);
  // Room for ten holds and half of an eleventh.
  await setMonthlyBudget(db, businessId, { limitUsd: (hold * 10.5) / 1e6 });
  const limit = micro((await budget()).limit_usd);
  expect(Math.floor(limit / hold)).toBe(10);

  const answers = await Promise.all(Array.from({ length: 200 }, ask));
  const granted = answers.filter((a): a is Granted => a.ok);
  expect(granted).toHaveLength(10);
  expect(answers.filter((a) => !a.ok)).toEqual(Array.from({ length: 190 }, () => ({ ok: false, reason: "budget_exhausted" })));
  expect(await budget()).toMatchObject({ spent_usd: "0.000000", reserved_usd: (hold * 10 / 1e6).toFixed(6) });

  // The calls come back (at once) costing less than their worst case; each is settled at its real cost.
  const costs = await Promise.all(
    granted.map((g, i) =>
      g.settle({ model: MODEL(), tokensIn: 900 + i * 37, tokensOut: 120 + i * 11, ...about }),
    ),
  );
  const after = await budget();
  expect(after.reserved_usd).toBe("0.000000");
  expect(micro(after.spent_usd)).toBeLessThanOrEqual(limit);
  // Every cent spent is a cost event, and the budget moved by exactly their sum.
  const events = await recorded();
  expect(events.n).toBe(10);
  expect(after.spent_usd).toBe(events.usd);
  expect(micro(after.spent_usd)).toBe(costs.reduce((sum, c) => sum + micro(c.toFixed(6)), 0));

  // What is left fits some more calls, and another burst gets exactly that many, not one more.
  const room = Math.floor((limit - micro(after.spent_usd)) / hold);
  const more = await Promise.all(Array.from({ length: 50 }, ask));
  const second = more.filter((a): a is Granted => a.ok);
  expect(second).toHaveLength(room);
  await Promise.all(second.map((g) => g.settle({ model: MODEL(), tokensIn: 900, tokensOut: 120, ...about })));
  const final = await budget();
  expect(final.reserved_usd).toBe("0.000000");
  expect(micro(final.spent_usd)).toBeLessThanOrEqual(limit);
  expect(final.spent_usd).toBe((await recorded()).usd);
});
