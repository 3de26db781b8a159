// The set-up checklist of a new business: each step ticks itself from what the business really did
// (knowledge, AI settings saved, an own channel, the widget snippet copied or used on a website, a
// test conversation), never from another business's data; a sample channel is tried, not connected.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { and, eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEFAULT_AI_SETTINGS } from "@/lib/ai/prompts";
import { createBusiness } from "@/lib/services/businesses";
import { createFaq } from "@/lib/services/faqs";
import { updateAiSettings } from "@/lib/services/ai-settings";
import { getSetupChecklist, recordSnippetCopied } from "@/lib/services/setup";
import type { MemberCtx } from "@/lib/services/context";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { connectSampleChannel } from "@/lib/channels/common/samples";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { simulate } from "@/lib/channels/simulator";
import { storeInbound } from "@/lib/pipeline/inbound";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as testAgentRoute } from "@/app/api/businesses/[business]/test-agent/route";
import { useTestDb } from "../../helpers/db";
import { makeUser } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";
import { ORIGIN } from "../../fixtures/twilio";

type Owner = { ctx: MemberCtx; slug: string; email: string };

async function newBusiness(email: string, name: string): Promise<Owner> {
  const user = await withService((tx) => makeUser(tx, email));
  const business = await createBusiness({ user: { id: user.id, email, name: null }, input: { name } });
  return { ctx: { businessId: business.id, actor: { type: "member", userId: user.id, role: "owner" } }, slug: business.slug, email };
}

const ticked = async (o: Owner) => {
  const list = await getSetupChecklist({ ctx: o.ctx, input: { slug: o.slug } });
  return { ...Object.fromEntries(list.steps.map((st) => [st.id, st.done])), done: list.done, complete: list.complete };
};

let first: Owner;
let second: Owner;

beforeAll(async () => {
  await useTestDb();
  first = await newBusiness("first@setup.test", "Harbour Physio");
  second = await newBusiness("second@setup.test", "Hilltop Vets");
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("the set-up checklist", () => {
  it("starts with nothing done, each step linking to where it is done", async () => {
    const list = await getSetupChecklist({ ctx: first.ctx, input: { slug: first.slug } });
    expect(list).toMatchObject({ done: 0, complete: false });
    expect(list.steps.map((st) => [st.id, st.done, st.href])).toEqual([
      ["knowledge", false, `/${first.slug}/knowledge`],
      ["ai", false, `/${first.slug}/settings/ai`],
      ["channel", false, `/${first.slug}/channels`],
      ["widget", false, `/${first.slug}/channels/web`],
      ["test", false, `/${first.slug}/settings/test-agent`],
    ]);
  });

  it("ticks each step from the business's own data, and only its own", async () => {
    await createFaq({ ctx: first.ctx, input: { question: "Do you take walk-ins?", answer: "Yes, until 4pm." } });
    expect(await ticked(first)).toMatchObject({ knowledge: true, ai: false, done: 1 });
    expect(await ticked(second)).toMatchObject({ knowledge: false, done: 0 });

    await updateAiSettings({ ctx: first.ctx, input: DEFAULT_AI_SETTINGS });
    expect(await ticked(first)).toMatchObject({ ai: true, done: 2 });

    await connectTwilioChannel({ ctx: first.ctx, input: { kind: "sms", address: "+442079460777" } });
    expect(await ticked(first)).toMatchObject({ channel: true, done: 3 });

    await recordSnippetCopied({ ctx: first.ctx });
    await recordSnippetCopied({ ctx: first.ctx }); // once is recorded once
    expect(await withService((tx) => rows(tx, sql`select 1 from audit_log where business_id = ${first.ctx.businessId} and action = 'web_chat.snippet_copied'`))).toHaveLength(1);
    expect(await ticked(first)).toMatchObject({ widget: true, done: 4 });

    await signInAs(first.email);
    const res = await testAgentRoute(
      new Request(`http://localhost/api/businesses/${first.slug}/test-agent`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Do you take walk-ins?", session: "setup-test-1" }) }),
      { params: Promise.resolve({ business: first.slug }) },
    );
    expect(res.status).toBe(200);
    expect(await ticked(first)).toMatchObject({ knowledge: true, ai: true, channel: true, widget: true, test: true, done: 5, complete: true });
    expect(await ticked(second)).toMatchObject({ done: 0, complete: false });
  });

  it("a sample channel is a test, not a connection; a visitor on the business's website is the widget installed", async () => {
    await connectSampleChannel({ ctx: second.ctx, input: { page: "sms" } });
    expect(await ticked(second)).toMatchObject({ channel: false, test: false });

    // The owner plays a customer on the sample number in the Channel simulator.
    const r = await simulate({ ctx: second.ctx, input: { kind: "sms", text: "Are you open on Sunday?" }, origin: ORIGIN, post: (url, init) => smsPost(new Request(url, init)) });
    expect(r.status).toBe(200);
    await backgroundIdle();
    expect(await ticked(second)).toMatchObject({ channel: false, test: true });

    // Someone chats in the widget on the business's own website (the snippet was pasted, not copied here).
    const [web] = await withService((tx) => tx.select().from(s.channels).where(and(eq(s.channels.businessId, second.ctx.businessId), eq(s.channels.kind, "web"))));
    await storeInbound({
      businessId: second.ctx.businessId,
      channelId: web!.id,
      channelKind: "web",
      from: { kind: "web", value: "visitor-on-hilltop-vets-site-00001" },
      text: "Do you see rabbits?",
      metadata: { origin: "https://www.hilltopvets.example" },
    });
    expect(await ticked(second)).toMatchObject({ widget: true });
  });
});
