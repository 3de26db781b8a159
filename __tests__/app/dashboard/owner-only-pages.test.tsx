// Owner-only pages and their loaders, as an agent: the page itself renders "no access" (its HTML holds
// none of the data), and every loader behind it refuses with `forbidden` — the settings layout is not
// what keeps the data out. The owner's render of the same page is the control that the data is there.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import type { ReactElement } from "react";
import { renderToString } from "react-dom/server";
import { eq, sql } from "drizzle-orm";
import { closeDb, rows, withService, withTenant } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { memberContext } from "@/lib/auth/member";
import { AppError } from "@/lib/errors";
import type { MemberCtx } from "@/lib/services/context";
import { getLimitsSettings } from "@/lib/services/limits";
import { listTeam } from "@/lib/services/members";
import { getAiSettings } from "@/lib/services/ai-settings";
import { getBusinessProfile } from "@/lib/services/businesses";
import { getCostsReport } from "@/lib/services/costs";
import { getAnalyticsReport } from "@/lib/services/analytics";
import ProfilePage from "@/app/(dashboard)/[business]/settings/page";
import TeamPage from "@/app/(dashboard)/[business]/settings/team/page";
import AiPage from "@/app/(dashboard)/[business]/settings/ai/page";
import LimitsPage from "@/app/(dashboard)/[business]/settings/limits/page";
import TestAgentPage from "@/app/(dashboard)/[business]/settings/test-agent/page";
import ApiPage from "@/app/(dashboard)/[business]/settings/api/page";
import { listApiKeys } from "@/lib/services/api-keys";
import CostsPage from "@/app/(dashboard)/[business]/costs/page";
import AnalyticsPage from "@/app/(dashboard)/[business]/analytics/page";
import { POST as testAgent } from "@/app/api/businesses/[business]/test-agent/route";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

type Page = (props: { params: Promise<{ business: string }> }) => Promise<ReactElement>;
const SLUG = "tenant-a";

/** What the browser gets for a page: the server component awaited, then rendered to HTML (text nodes joined). */
async function html(page: Page): Promise<string> {
  return renderToString(await page({ params: Promise.resolve({ business: SLUG }) })).replaceAll("<!-- -->", "");
}

// Owner-only data planted in tenant-a, each a string that cannot appear by accident.
const SECRET = {
  invitee: "invitee@tenant-a.test", // makeTenant's pending invitation
  instructions: "Never mention the staff discount code ZEBRA-77",
  budget: "$431.25",
  spent: "$3.17",
  logo: "https://cdn.example.test/tenant-a-logo.png",
};

let agentCtx: MemberCtx;
let ownerCtx: MemberCtx;

beforeAll(async () => {
  await useTestDb();
  const cast = await withService((tx) => makeTwoTenants(tx));
  const { businessId } = cast.a;
  agentCtx = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
  ownerCtx = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
  await withService(async (tx) => {
    await tx
      .update(s.businesses)
      .set({ aiSettings: { instructions: SECRET.instructions }, limits: { monthlyBudgetUsd: 431.25 }, logoUrl: SECRET.logo })
      .where(eq(s.businesses.id, businessId));
    await tx.insert(s.costEvents).values({ businessId, kind: "sms", costUsd: 3.17 });
  });
});
afterAll(() => closeDb());

describe("as an agent", () => {
  beforeEach(() => signInAs("carol@a.test"));

  it.each([
    ["Settings → Business profile", ProfilePage as Page, [SECRET.logo]],
    ["Settings → Team", TeamPage as Page, [SECRET.invitee]],
    ["Settings → AI", AiPage as Page, [SECRET.instructions]],
    ["Settings → Limits & budget", LimitsPage as Page, [SECRET.budget, SECRET.spent, "This month"]],
    ["Settings → Test your agent", TestAgentPage as Page, ["Chat as a customer"]],
    ["Settings → API", ApiPage as Page, ["Key of tenant-a", "prism_tenant-a", "/api/v1/customers"]],
    ["Costs", CostsPage as Page, [SECRET.spent, "Spend by day"]],
    ["Analytics", AnalyticsPage as Page, ["Resolved by the AI", "Conversations over time"]],
  ])("%s renders no access, and none of its data", async (_, page, secrets) => {
    const out = await html(page);
    expect(out).toMatch(/You don(&#x27;|')t have access to/);
    for (const secret of secrets) expect(out).not.toContain(secret);
  });

  it("every loader behind those pages refuses with forbidden", async () => {
    for (const load of [getLimitsSettings, listTeam, getAiSettings, getBusinessProfile, getCostsReport, getAnalyticsReport, listApiKeys]) {
      await expect(load({ ctx: agentCtx })).rejects.toMatchObject({ code: "forbidden" });
      await expect(load({ ctx: agentCtx })).rejects.toBeInstanceOf(AppError);
    }
  });

  it("cannot run the test agent (it spends the budget and shows costs)", async () => {
    const res = await testAgent(
      new Request(`http://localhost/api/businesses/${SLUG}/test-agent`, { method: "POST", body: JSON.stringify({ text: "hi", session: "session-0001" }) }),
      { params: Promise.resolve({ business: SLUG }) },
    );
    expect(res.status).toBe(403);
    const spent = await withService((tx) => rows(tx, sql`select 1 from messages where business_id = ${agentCtx.businessId} and metadata->>'test' = 'true'`));
    expect(spent).toHaveLength(0);
  });

  it("cannot read pending invitations even with a query of its own (RLS)", async () => {
    const seen = await withTenant(agentCtx.actor.userId, (tx) => tx.select().from(s.invitations).where(eq(s.invitations.businessId, agentCtx.businessId)));
    expect(seen).toEqual([]);
  });
});

describe("as the owner (the control: the data is there)", () => {
  beforeEach(() => signInAs("alice@a.test"));

  it.each([
    ["Settings → Business profile", ProfilePage as Page, [SECRET.logo]],
    ["Settings → Team", TeamPage as Page, [SECRET.invitee]],
    ["Settings → AI", AiPage as Page, [SECRET.instructions]],
    ["Settings → Limits & budget", LimitsPage as Page, [SECRET.budget, SECRET.spent]],
    ["Settings → Test your agent", TestAgentPage as Page, ["Chat as a customer"]],
    ["Settings → API", ApiPage as Page, ["Key of tenant-a", "prism_tenant-a", "/api/v1/customers", "customers:read", "Idempotency-Key"]],
    ["Costs", CostsPage as Page, [SECRET.spent, "Spend by day"]],
    ["Analytics", AnalyticsPage as Page, ["Resolved by the AI", "Conversations over time"]],
  ])("%s shows it", async (_, page, secrets) => {
    expect((await memberContext(SLUG)).ctx.actor.role).toBe("owner");
    const out = await html(page);
    expect(out).not.toMatch(/have access to/);
    for (const secret of secrets) expect(out).toContain(secret);
  });

  it("the loaders answer", async () => {
    expect((await getLimitsSettings({ ctx: ownerCtx })).spend).toMatchObject({ limitUsd: 431.25, spentUsd: expect.any(Number) });
    expect((await listTeam({ ctx: ownerCtx })).invitations.map((i) => i.email)).toEqual([SECRET.invitee]);
    expect((await getAiSettings({ ctx: ownerCtx })).settings.instructions).toBe(SECRET.instructions);
    expect((await getBusinessProfile({ ctx: ownerCtx })).logoUrl).toBe(SECRET.logo);
  });
});
