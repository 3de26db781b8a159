// The owners' digest: due from 08:00 in the business's zone (daily: yesterday; weekly: last Monday to
// Sunday, from Monday 08:00), to owners and admins only, with the period's spend, confirmed AI
// resolutions, hand-offs waiting and the questions the AI could not answer (each linked to a new FAQ);
// once per business and period however often and however concurrently the job runs; chosen in
// Settings → Limits & budget.
import { sql } from "drizzle-orm";
import { closeDb, rows, withService, type Tx } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { digestPeriod, sendDigests } from "@/lib/jobs/digest";
import { isJobName } from "@/lib/jobs";
import { getLimitsSettings, updateLimits } from "@/lib/services/limits";
import type { MemberCtx } from "@/lib/services/context";
import { useTestDb } from "../../helpers/db";
import { seedExchange } from "../../helpers/exchanges";
import { makeTwoTenants, makeUser } from "../../helpers/fixtures";

const TZ = "Europe/London";
// Friday 20 November 2026, 09:00 in London (GMT)
const NOW = new Date("2026-11-20T09:00:00Z");
const QUESTION = "Do you whiten children's teeth?";

let businessId: string;
let otherBusinessId: string;
let owner: MemberCtx;
let customer: string;
let web: string;

const exchange = (tx: Tx, created: string, question: string, reply: string, status: "open" | "waiting_human" = "open") =>
  seedExchange(tx, { businessId, customerId: customer, channelId: web }, created, question, reply, status);

const digests = (period: string) =>
  withService((tx) =>
    rows<{ recipient: string; subject: string; body: string; business_id: string }>(
      tx,
      sql`select recipient, subject, body, business_id from outbox where payload->>'kind' = 'digest' and payload->>'period' = ${period} order by recipient`,
    ),
  );

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    businessId = cast.a.businessId;
    otherBusinessId = cast.b.businessId;
    web = cast.a.channelId;
    owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
    const dave = await makeUser(tx, "dave@a.test");
    await tx.insert(s.members).values({ businessId, userId: dave.id, role: "admin" });
    await tx.execute(sql`update businesses set time_zone = ${TZ}, limits = '{"digest": "daily"}'::jsonb where id = ${businessId}`);
    // makeTenant's rows were stamped now: moved out of November
    await tx.execute(sql`update conversations set created_at = '2026-10-01T10:00:00Z' where business_id = ${businessId}`);
    await tx.execute(sql`update cost_events set created_at = '2026-10-01T10:00:00Z' where business_id = ${businessId}`);
    const [c] = await tx.insert(s.customers).values({ businessId, name: "Nia" }).returning({ id: s.customers.id });
    customer = c!.id;
    // Answered on Monday the 16th and never came back: confirmed resolved on the 19th, 72 hours later.
    await exchange(tx, "2026-11-16T10:00:00Z", "What time do you open?", "We open at 9am.");
    // Asked twice yesterday, and the AI did not know.
    const notKnown = "I'm not sure about that. Shall I pass you to someone on the team?";
    await exchange(tx, "2026-11-19T12:00:00Z", QUESTION, notKnown);
    await exchange(tx, "2026-11-19T15:00:00Z", `${QUESTION} `, notKnown, "waiting_human");
    // yesterday's spend, and the day before's
    await tx.execute(sql`insert into cost_events (business_id, kind, cost_usd, created_at) values (${businessId}, 'model', 0.5, '2026-11-19T01:00:00Z'), (${businessId}, 'sms', 0.25, '2026-11-19T23:30:00Z'), (${businessId}, 'model', 9, '2026-11-18T23:59:00Z')`);
  });
});
afterAll(() => closeDb());

describe("when a digest is due and what it covers", () => {
  it("daily: from 08:00 local, yesterday", () => {
    expect(digestPeriod("daily", TZ, new Date("2026-11-20T07:59:00Z"))).toBeNull();
    expect(digestPeriod("daily", TZ, NOW)).toMatchObject({ key: "daily:2026-11-20", from: "2026-11-19", to: "2026-11-19" });
    // New York's 08:00 is 13:00 in London
    expect(digestPeriod("daily", "America/New_York", new Date("2026-11-20T12:59:00Z"))).toBeNull();
    expect(digestPeriod("off", TZ, NOW)).toBeNull();
  });

  it("weekly: from Monday 08:00 until sent, last Monday to Sunday", () => {
    expect(digestPeriod("weekly", TZ, new Date("2026-11-16T07:00:00Z"))).toBeNull();
    expect(digestPeriod("weekly", TZ, new Date("2026-11-16T08:00:00Z"))).toMatchObject({ key: "weekly:2026-11-16", from: "2026-11-09", to: "2026-11-15" });
    // the job was down on Monday: Friday still sends that week's
    const friday = digestPeriod("weekly", TZ, NOW)!;
    expect(friday).toMatchObject({ key: "weekly:2026-11-16", from: "2026-11-09", to: "2026-11-15" });
    expect(friday.endsAt.toISOString()).toBe("2026-11-16T00:00:00.000Z");
  });
});

describe("the digest job", () => {
  it("nothing before 08:00; then one email to each owner and admin, with yesterday's figures", async () => {
    expect(await sendDigests({ now: new Date("2026-11-20T07:30:00Z") })).toEqual({ businesses: 0, emails: 0, texts: 0 });
    expect(await sendDigests({ now: NOW })).toEqual({ businesses: 1, emails: 2, texts: 0 });
    const mail = await digests("daily:2026-11-20");
    expect(mail.map((m) => m.recipient)).toEqual(["alice@a.test", "dave@a.test"]); // not carol, the agent
    expect(mail.every((m) => m.business_id === businessId)).toBe(true);
    const { subject, body } = mail[0]!;
    expect(subject).toBe("Biz tenant-a: your daily digest for 2026-11-19");
    expect(body).toContain("- Spent: $0.75");
    expect(body).toContain("- New conversations: 2");
    expect(body).toContain("- Resolved by the AI: 1 ");
    expect(body).toContain("- Waiting for a person now: 1 (http://localhost:3000/tenant-a/inbox?status=waiting_human)");
    expect(body).toContain(`- "${QUESTION}" (2 times): http://localhost:3000/tenant-a/knowledge?tab=faqs&question=${encodeURIComponent(QUESTION)}`);
  });

  it("runs again, or twice at once, and still sends one digest per period", async () => {
    expect(await sendDigests({ now: new Date("2026-11-20T12:00:00Z") })).toEqual({ businesses: 0, emails: 0, texts: 0 });
    expect(await digests("daily:2026-11-20")).toHaveLength(2);
    const next = new Date("2026-11-21T08:30:00Z");
    const runs = await Promise.all([sendDigests({ now: next }), sendDigests({ now: next }), sendDigests({ now: next })]);
    expect(runs.reduce((n, r) => n + r.emails, 0)).toBe(2);
    const saturday = await digests("daily:2026-11-21");
    expect(saturday.map((m) => m.recipient)).toEqual(["alice@a.test", "dave@a.test"]);
    expect(saturday[0]!.body).toContain("The AI answered every question it was asked.");
  });

  it("is off unless chosen, and never for a paused business", async () => {
    expect(await digests("daily:2026-11-20").then((m) => m.some((x) => x.business_id === otherBusinessId))).toBe(false);
    await withService((tx) => tx.execute(sql`update businesses set status = 'paused' where id = ${businessId}`));
    try {
      expect(await sendDigests({ now: new Date("2026-11-22T09:00:00Z") })).toEqual({ businesses: 0, emails: 0, texts: 0 });
    } finally {
      await withService((tx) => tx.execute(sql`update businesses set status = 'active' where id = ${businessId}`));
    }
  });

  it("is a job the scheduler and the QStash route know", () => {
    expect(isJobName("digest")).toBe(true);
  });
});

describe("the owner chooses it in Settings → Limits & budget", () => {
  const form = { monthlyBudgetUsd: "50", businessPerMonth: "0", customerPerDay: "0", customerMinIntervalSeconds: "0", ipPerMinute: "0", autoPause: true };

  it("saves weekly, keeps it when the form leaves it out, and refuses anything else", async () => {
    expect((await getLimitsSettings({ ctx: owner })).digest).toBe("daily");
    await updateLimits({ ctx: owner, input: { ...form, digest: "weekly" } });
    expect((await getLimitsSettings({ ctx: owner })).digest).toBe("weekly");
    await updateLimits({ ctx: owner, input: form });
    expect((await getLimitsSettings({ ctx: owner })).digest).toBe("weekly");
    await expect(updateLimits({ ctx: owner, input: { ...form, digest: "hourly" } })).rejects.toMatchObject({ issues: [expect.objectContaining({ message: "Choose off, daily or weekly" })] });
    // weekly now: Monday the 23rd sends the week of the 16th
    expect(await sendDigests({ now: new Date("2026-11-23T08:00:00Z") })).toEqual({ businesses: 1, emails: 2, texts: 0 });
    expect((await digests("weekly:2026-11-23"))[0]!.subject).toBe("Biz tenant-a: your weekly digest for 2026-11-16 to 2026-11-22");
  });
});
