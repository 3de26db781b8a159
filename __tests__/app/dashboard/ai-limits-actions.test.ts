// Settings → AI, Settings → Limits & budget and the "Test your agent" route, as the browser calls them.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { DEFAULT_AI_SETTINGS } from "@/lib/ai/prompts";
import { charge } from "@/lib/billing/budgets";
import { updateAiSettingsAction, updateLimitsAction } from "@/app/(dashboard)/[business]/settings/actions";
import { POST as testAgent } from "@/app/api/businesses/[business]/test-agent/route";
import { useDemoDb } from "../../helpers/demo";
import { PASSWORD, makeTenant, makeUser } from "../../helpers/fixtures";
import { request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

const version = async () => (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${DEMO_BUSINESS_ID}`)))[0]!.v;
const limits = { customerPerDay: 40, customerMinIntervalSeconds: 3, ipPerMinute: 20, businessPerMonth: 5000, monthlyBudgetUsd: 25, autoPause: true };
const post = (slug: string, body: string) =>
  testAgent(new Request(`http://localhost/api/businesses/${slug}/test-agent`, { method: "POST", body, headers: { "content-type": "application/json" } }), {
    params: Promise.resolve({ business: slug }),
  });

beforeAll(async () => {
  await useDemoDb();
  await withService(async (tx) => {
    const agent = await makeUser(tx, "agent@demo.test", PASSWORD);
    await tx.execute(sql`insert into members (business_id, user_id, role) values (${DEMO_BUSINESS_ID}, ${agent.id}, 'agent')`);
    const stranger = await makeUser(tx, "stranger@else.test", PASSWORD);
    await makeTenant(tx, "elsewhere", stranger.id);
  });
});
afterAll(() => closeDb());

describe("Settings → AI", () => {
  it("validates, saves, audits and bumps the knowledge version", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const before = await version();
    expect(await updateAiSettingsAction(DEMO_SLUG, JSON.stringify({ ...DEFAULT_AI_SETTINGS, modelPreference: "gpt-4" }))).toEqual({
      error: "Check the highlighted field.",
      fieldErrors: { modelPreference: "Choose auto, fast, strong or a Gemini model name" },
    });
    const hours = { ...DEFAULT_AI_SETTINGS.hours, enabled: true, weekly: { ...DEFAULT_AI_SETTINGS.hours.weekly, tue: [{ open: "18:00", close: "09:00" }] } };
    expect(await updateAiSettingsAction(DEMO_SLUG, JSON.stringify({ ...DEFAULT_AI_SETTINGS, hours, prohibitedTopics: ["x".repeat(201)] }))).toEqual({
      error: "Check the 2 highlighted fields.",
      fieldErrors: { "hours.weekly.tue": expect.stringMatching(/^Closing time must be after opening time/), prohibitedTopics: "Keep each topic under 200 characters" },
    });
    expect(await updateAiSettingsAction(DEMO_SLUG, "{not json")).toMatchObject({ error: expect.stringMatching(/could not be read/) });
    expect(await version()).toBe(before);
    const saved = await updateAiSettingsAction(DEMO_SLUG, JSON.stringify({ ...DEFAULT_AI_SETTINGS, tone: "cheerful", prohibitedTopics: ["politics"] }));
    expect(saved).toMatchObject({ ok: expect.stringMatching(/Saved/) });
    expect(await version()).toBe(before + 1);
    const stored = await withService((tx) => rows<{ tone: string; topics: string[] }>(tx, sql`select ai_settings->>'tone' as tone, ai_settings->'prohibitedTopics' as topics from businesses where id = ${DEMO_BUSINESS_ID}`));
    expect(stored[0]).toEqual({ tone: "cheerful", topics: ["politics"] });
    const audit = await withService((tx) => rows(tx, sql`select 1 from audit_log where business_id = ${DEMO_BUSINESS_ID} and action = 'ai_settings.updated'`));
    expect(audit).toHaveLength(1);
  });

  it("is refused to agents and to other businesses' members", async () => {
    await signInAs("agent@demo.test");
    expect(await updateAiSettingsAction(DEMO_SLUG, JSON.stringify(DEFAULT_AI_SETTINGS))).toEqual({ error: "Only owner or admins can do this." });
    await signInAs("stranger@else.test");
    await expect(updateAiSettingsAction(DEMO_SLUG, JSON.stringify(DEFAULT_AI_SETTINGS))).rejects.toMatchObject({ digest: expect.stringMatching(/404/) });
  });
});

describe("Settings → Limits & budget", () => {
  it("saves limits and the budget, applying the budget to this period", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    expect(await updateLimitsAction(DEMO_SLUG, { ...limits, monthlyBudgetUsd: -5 })).toEqual({
      error: "Check the highlighted field.",
      fieldErrors: { monthlyBudgetUsd: "The budget cannot be negative" },
    });
    expect(await updateLimitsAction(DEMO_SLUG, { ...limits, customerPerDay: "lots", monthlyBudgetUsd: 2_000_000 })).toEqual({
      error: "Check the 2 highlighted fields.",
      fieldErrors: { customerPerDay: "Messages per customer per day must be a number", monthlyBudgetUsd: "The budget is at most $1,000,000 a month" },
    });
    expect(await updateLimitsAction(DEMO_SLUG, limits)).toEqual({ ok: "Saved." });
    const [row] = await withService((tx) => rows<{ limits: Record<string, unknown> }>(tx, sql`select limits from businesses where id = ${DEMO_BUSINESS_ID}`));
    expect(row!.limits).toMatchObject(limits);
    await signInAs("agent@demo.test");
    expect(await updateLimitsAction(DEMO_SLUG, limits)).toEqual({ error: "Only owner or admins can do this." });
  });

  it("never turns an empty or unreadable budget into $0: it is refused next to the field and nothing changes", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    await charge(DEMO_BUSINESS_ID, 0); // this period's budget row exists, so a save would change it
    expect(await updateLimitsAction(DEMO_SLUG, { ...limits, monthlyBudgetUsd: 40 })).toEqual({ ok: "Saved." });
    const stored = async () => (await withService((tx) => rows<{ b: number; limit: number }>(tx, sql`select (b.limits->>'monthlyBudgetUsd')::float8 as b, (select limit_usd::float8 from budgets where business_id = b.id order by period_start desc limit 1) as limit from businesses b where b.id = ${DEMO_BUSINESS_ID}`)))[0]!;
    expect(await stored()).toEqual({ b: 40, limit: 40 });

    // What the form sends: the fields as typed.
    const typed = { customerPerDay: "40", customerMinIntervalSeconds: "3", ipPerMinute: "20", businessPerMonth: "5000", autoPause: true };
    for (const [budget, message] of [
      ["", /Enter a monthly budget/],
      ["   ", /Enter a monthly budget/],
      ["abc", /number of dollars/],
      ["12,50", /number of dollars/],
      [null, /Enter a monthly budget/],
    ] as const) {
      const result = await updateLimitsAction(DEMO_SLUG, { ...typed, monthlyBudgetUsd: budget });
      expect(result).toMatchObject({ fieldErrors: { monthlyBudgetUsd: expect.stringMatching(message) } });
      expect(result!.error).not.toMatch(/monthlyBudgetUsd/);
      expect(await stored()).toEqual({ b: 40, limit: 40 });
    }
    // An emptied limit is refused too, instead of silently turning the limit off (0).
    const emptied = await updateLimitsAction(DEMO_SLUG, { ...typed, monthlyBudgetUsd: "40", customerPerDay: "" });
    expect(emptied).toMatchObject({ fieldErrors: { customerPerDay: expect.stringMatching(/Enter a number/) } });

    expect(await updateLimitsAction(DEMO_SLUG, { ...typed, monthlyBudgetUsd: "$75.50" })).toEqual({ ok: "Saved." });
    expect(await stored()).toEqual({ b: 75.5, limit: 75.5 });
    // 0 typed on purpose is a budget of nothing: allowed, and the page says model answers pause.
    expect(await updateLimitsAction(DEMO_SLUG, { ...typed, monthlyBudgetUsd: "0" })).toEqual({ ok: "Saved." });
    expect(await stored()).toEqual({ b: 0, limit: 0 });
    expect(await updateLimitsAction(DEMO_SLUG, limits)).toEqual({ ok: "Saved." });
  });
});

describe("POST /api/businesses/[business]/test-agent", () => {
  it("answers through the real pipeline and shows how the answer was made", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const res = await post(DEMO_SLUG, JSON.stringify({ text: "How much is a scale and polish?", session: "session-0001" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.reply).toMatchObject({ source: "faq", costUsd: 0, content: expect.stringMatching(/£65/) });
    expect(body.reply.trace.faq.question).toBe("How much is a scale and polish?");
  });

  it("answers bad input with a 4xx and a message, agents with 403 and strangers with 404", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    expect((await post(DEMO_SLUG, "{")).status).toBe(400);
    const empty = await post(DEMO_SLUG, JSON.stringify({ text: "   ", session: "session-0001" }));
    expect(empty.status).toBe(400);
    expect((await empty.json()).error.message).toMatch(/Type a message/);
    expect((await post(DEMO_SLUG, JSON.stringify({ text: "x".repeat(70_000), session: "session-0001" }))).status).toBe(413);
    await signInAs("agent@demo.test");
    const agent = await post(DEMO_SLUG, JSON.stringify({ text: "hi", session: "session-0001" }));
    expect(agent.status).toBe(403);
    expect((await agent.json()).error.code).toBe("forbidden");
    await signInAs("stranger@else.test");
    const other = await post(DEMO_SLUG, JSON.stringify({ text: "hi", session: "session-0001" }));
    expect(other.status).toBe(404);
    request.reset();
    expect((await post(DEMO_SLUG, JSON.stringify({ text: "hi", session: "session-0001" }))).status).toBe(401);
  });
});
