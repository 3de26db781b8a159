// The satisfaction survey by email: closing an email conversation queues a message with a link to
// /csat/[token] (a random token), where the customer rates it once with five buttons. A link that
// names no survey is not found.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn(), revalidateTag: jest.fn() }));

import { renderToString } from "react-dom/server";
import { eq } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { sealIdentity } from "@/lib/pipeline/identities";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import CsatPage from "@/app/csat/[token]/page";
import { rateSurveyAction } from "@/app/csat/[token]/actions";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { navigationOutcome } from "../../helpers/next-request";

let ctx: MemberCtx;
let channelId: string;
let n = 0;

/** An email conversation in which the customer wrote; returns its id. */
async function emailConversation(): Promise<string> {
  return withService(async (tx) => {
    const [customer] = await tx.insert(s.customers).values({ businessId: DEMO_BUSINESS_ID, name: `Mail customer ${++n}` }).returning();
    await tx.insert(s.customerIdentities).values({ businessId: DEMO_BUSINESS_ID, customerId: customer!.id, ...sealIdentity({ kind: "email", value: `mail${n}@example.com` }) });
    const [conversation] = await tx
      .insert(s.conversations)
      .values({ businessId: DEMO_BUSINESS_ID, customerId: customer!.id, channelId, subject: "Crown fitting" })
      .returning();
    await tx
      .insert(s.messages)
      .values({ businessId: DEMO_BUSINESS_ID, conversationId: conversation!.id, customerId: customer!.id, channelId, role: "customer", content: "When is my crown ready?" });
    return conversation!.id;
  });
}

const close = (id: string) => actOnConversation({ ctx, input: { id, action: { action: "close" } } }, { defer: () => undefined });

const render = async (token: string) => renderToString(await CsatPage({ params: Promise.resolve({ token }) })).replaceAll("<!-- -->", "");

const form = (values: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
};

beforeAll(async () => {
  ctx = await useDemoBusiness();
  const [channel] = await withService((tx) =>
    tx.insert(s.channels).values({ businessId: DEMO_BUSINESS_ID, kind: "email", name: "Email", address: "help@csat-demo.test" }).returning(),
  );
  channelId = channel!.id;
});
afterAll(() => closeDb());

describe("the email survey", () => {
  it("is queued once with a link whose page takes one rating", async () => {
    const id = await emailConversation();
    await close(id);
    const [survey, ...more] = await withService((tx) => tx.select().from(s.csatSurveys).where(eq(s.csatSurveys.conversationId, id)));
    expect(more).toEqual([]);
    expect(survey).toMatchObject({ channelKind: "email", rating: null });
    const link = `http://localhost:3000/csat/${survey!.token}`;
    const queued = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.businessId, DEMO_BUSINESS_ID)));
    const mine = queued.filter((r) => r.body.includes(survey!.token));
    expect(mine).toEqual([expect.objectContaining({ channelKind: "email", status: "pending", recipient: expect.stringContaining("@example.com") })]);
    expect(mine[0]!.body).toBe(`How did we do? Rate this conversation from 1 to 5 here: ${link}`);
    expect(mine[0]!.payload).toMatchObject({ kind: "staff_reply", conversationId: id });

    const page = await render(survey!.token);
    expect(page).toContain("How did Riverside Dental Clinic do?");
    expect(page.match(/aria-label="Rate \d of 5"/g)).toHaveLength(5);

    expect(await rateSurveyAction(null, form({ token: survey!.token, rating: "3" }))).toEqual({ rating: 3 });
    const [after] = await withService((tx) => tx.select().from(s.csatSurveys).where(eq(s.csatSurveys.id, survey!.id)));
    expect(after).toMatchObject({ rating: 3 });
    expect(await render(survey!.token)).toContain("Thank you for your rating (3 of 5).");
    expect(await rateSurveyAction(null, form({ token: survey!.token, rating: "5" }))).toEqual({ error: "You already rated this conversation. Thank you!" });

    // closing again sends nothing more
    await actOnConversation({ ctx, input: { id, action: { action: "hand_back" } } }, { defer: () => undefined });
    await close(id);
    const again = await withService((tx) => tx.select().from(s.outbox).where(eq(s.outbox.businessId, DEMO_BUSINESS_ID)));
    expect(again.filter((r) => r.body.startsWith("How did we do?") && (r.payload as { conversationId?: string }).conversationId === id)).toHaveLength(1);
  });

  it("refuses a bad rating with a message, and an unknown or malformed link is not found", async () => {
    const id = await emailConversation();
    await close(id);
    const [survey] = await withService((tx) => tx.select().from(s.csatSurveys).where(eq(s.csatSurveys.conversationId, id)));
    for (const rating of ["0", "6", "", "four"]) {
      expect(await rateSurveyAction(null, form({ token: survey!.token, rating }))).toEqual({ error: "The rating must be a whole number from 1 to 5." });
    }
    expect(await rateSurveyAction(null, form({ token: "A".repeat(32), rating: "4" }))).toEqual({ error: "This survey link is not valid." });
    expect(await rateSurveyAction(null, form({ token: "short", rating: "4" }))).toEqual({ error: "This survey link is not valid." });

    for (const token of ["A".repeat(32), "short", `${survey!.token}x`]) {
      const outcome = await render(token).then(
        () => "rendered",
        (err: unknown) => navigationOutcome(err),
      );
      expect([token, outcome]).toEqual([token, "404"]);
    }
    const [after] = await withService((tx) => tx.select().from(s.csatSurveys).where(eq(s.csatSurveys.id, survey!.id)));
    expect(after).toMatchObject({ rating: null, answeredAt: null });
  });
});
