// Bad input through every dashboard boundary, as the browser sends it: a NUL character (U+0000, which
// PostgreSQL text and jsonb refuse) in any text field of a server action or a dashboard route is
// dropped and the rest saved — never a 500; a field of nothing but NUL is empty; a CSV full of NUL
// bytes (saved as UTF-16) is refused with what to do; a "since" time that is no time is a 400.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { DEFAULT_AI_SETTINGS } from "@/lib/ai/prompts";
import { updateAiSettingsAction, updateProfileAction } from "@/app/(dashboard)/[business]/settings/actions";
import { createFaqAction, saveArticleAction } from "@/app/(dashboard)/[business]/knowledge/actions";
import { bulkCustomersAction, updateCustomerAction } from "@/app/(dashboard)/[business]/customers/actions";
import { connectChannelAction, sendTestAction, simulatorRepliesAction } from "@/app/(dashboard)/[business]/channels/actions";
import { connectMessagingAction, messagingRepliesAction, testMessagingAction } from "@/app/(dashboard)/[business]/channels/messaging-actions";
import { updateWebChatAction } from "@/app/(dashboard)/[business]/channels/web/actions";
import { createBusinessAction } from "@/app/(dashboard)/businesses/actions";
import { POST as testAgent } from "@/app/api/businesses/[business]/test-agent/route";
import { GET as knowledgeSearch } from "@/app/api/businesses/[business]/knowledge/search/route";
import { GET as customerList } from "@/app/api/businesses/[business]/customers/route";
import { GET as conversationList } from "@/app/api/businesses/[business]/conversations/route";
import { POST as faqImport } from "@/app/api/businesses/[business]/faqs/import/route";
import { POST as upload } from "@/app/api/businesses/[business]/knowledge/uploads/route";
import { useDemoDb } from "../../helpers/demo";
import { form, navigationOutcome, params } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

const one = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => (await withService((tx) => rows<T>(tx, query)))[0];
const get = (route: (req: Request, p: ReturnType<typeof params>) => Promise<Response>, path: string) =>
  route(new Request(`http://localhost/api/businesses/${DEMO_SLUG}/${path}`), params(DEMO_SLUG));
let customerId: string;

beforeAll(async () => {
  await useDemoDb();
  customerId = (await one<{ id: string }>(sql`insert into customers (business_id, name) values (${DEMO_BUSINESS_ID}, 'Pat Doe') returning id`))!.id;
});
beforeEach(() => signInAs(DEMO_OWNER.email, DEMO_OWNER.password));
afterAll(() => closeDb());

describe("NUL characters in server actions' text fields are dropped, the rest saved", () => {
  it("the business profile, a new business and the AI settings", async () => {
    const profile = { name: "Riverside\u0000 Dental", timeZone: "Europe/London", brandColor: "#0f766e", logoUrl: "https://example.com/logo.png\u0000" };
    expect(await updateProfileAction(DEMO_SLUG, null, form(profile))).toEqual({ ok: "Saved." });
    expect(await one(sql`select name, logo_url from businesses where id = ${DEMO_BUSINESS_ID}`)).toEqual({ name: "Riverside Dental", logo_url: "https://example.com/logo.png" });
    expect(await updateProfileAction(DEMO_SLUG, null, form({ ...profile, name: "\u0000\u0000\u0000" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { name: "The name needs at least 2 characters" } });

    expect(await createBusinessAction(null, form({ name: "Nul\u0000 Smiles" })).catch(navigationOutcome)).toBe("redirect:/nul-smiles/inbox");
    expect(await one(sql`select name from businesses where slug = 'nul-smiles'`)).toEqual({ name: "Nul Smiles" });

    const settings = { ...DEFAULT_AI_SETTINGS, tone: "warm\u0000", instructions: "Never\u0000 promise prices.", prohibitedTopics: ["politics\u0000"], fallbackReply: "We'll reply\u0000 soon." };
    expect(await updateAiSettingsAction(DEMO_SLUG, JSON.stringify(settings))).toMatchObject({ ok: expect.stringMatching(/^Saved/) });
    expect(await one(sql`select ai_settings->>'tone' as tone, ai_settings->>'instructions' as instructions, ai_settings->'prohibitedTopics' as topics from businesses where id = ${DEMO_BUSINESS_ID}`)).toEqual({
      tone: "warm",
      instructions: "Never promise prices.",
      topics: ["politics"],
    });
  });

  it("knowledge articles and FAQs", async () => {
    const saved = await saveArticleAction(DEMO_SLUG, null, null, form({ title: "Night\u0000 guards", content: "# Night guards\n\nWear it\u0000 every night." }));
    expect(saved).toMatchObject({ ok: expect.stringMatching(/^Saved/) });
    expect(await one(sql`select title, content from knowledge_documents where id = ${saved!.id}`)).toEqual({ title: "Night guards", content: "# Night guards\n\nWear it every night." });
    expect(await saveArticleAction(DEMO_SLUG, null, null, form({ title: "\u0000", content: "text" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { title: "Give the article a title" } });

    const faq = await createFaqAction(DEMO_SLUG, null, form({ question: "Do you\u0000 see children?", answer: "Yes,\u0000 from age 3." }));
    expect(faq).toMatchObject({ ok: "FAQ added." });
    expect(await one(sql`select question, answer from faqs where id = ${faq!.id}`)).toEqual({ question: "Do you see children?", answer: "Yes, from age 3." });
  });

  it("a customer's name, notes and tags, one by one and in bulk", async () => {
    expect(await updateCustomerAction(DEMO_SLUG, customerId, null, form({ name: "Pat\u0000 Doe", notes: "Prefers\u0000 mornings", tags: "vip\u0000, nervous" }))).toEqual({ ok: "Saved." });
    expect(await one(sql`select name, notes, tags from customers where id = ${customerId}`)).toEqual({ name: "Pat Doe", notes: "Prefers mornings", tags: ["vip", "nervous"] });
    expect(await bulkCustomersAction(DEMO_SLUG, { action: "tag", ids: [customerId], tag: "recall\u0000" })).toMatchObject({ ok: "Tagged 1 of 1 selected." });
    expect((await one<{ tags: string[] }>(sql`select tags from customers where id = ${customerId}`))!.tags).toContain("recall");
  });

  it("channel settings: web chat, SMS, email, Instagram, and test messages", async () => {
    expect(await updateWebChatAction(DEMO_SLUG, { greeting: "Hi\u0000 there!", showPrismBranding: false, allowedOrigins: "https://example.com\u0000" })).toMatchObject({ ok: expect.stringMatching(/^Saved/) });
    expect(await one(sql`select greeting from businesses where id = ${DEMO_BUSINESS_ID}`)).toEqual({ greeting: "Hi there!" });

    const sms = form({ name: "Front\u0000 desk", address: "+15017122661", enabled: "on", helpText: "Call us\u0000 on 020 7946 0000." });
    expect(await connectChannelAction(DEMO_SLUG, "sms", null, sms)).toEqual({ ok: "Saved." });
    expect(await one(sql`select name, settings->>'helpText' as help from channels where business_id = ${DEMO_BUSINESS_ID} and kind = 'sms'`)).toEqual({ name: "Front desk", help: "Call us on 020 7946 0000." });
    expect(await sendTestAction(DEMO_SLUG, "sms", null, form({ to: "+14155552671", body: "Test\u0000 message" }))).toMatchObject({ ok: expect.stringMatching(/dev outbox/) });

    const email = form({ name: "Support\u0000", address: "support@riverside.test", enabled: "on", fromName: "Riverside\u0000 Dental", signature: "Riverside\u0000 Dental Clinic" });
    expect(await connectMessagingAction(DEMO_SLUG, "email", null, email)).toEqual({ ok: "Saved." });
    expect(await one(sql`select name, settings->>'fromName' as from_name, settings->>'signature' as signature from channels where business_id = ${DEMO_BUSINESS_ID} and kind = 'email'`)).toEqual({
      name: "Support",
      from_name: "Riverside Dental",
      signature: "Riverside Dental Clinic",
    });
    expect(await testMessagingAction(DEMO_SLUG, "email", null, form({ to: "pat@example.com", text: "Hello\u0000 from the clinic" }))).toMatchObject({ ok: expect.stringMatching(/dev outbox/) });

    const instagram = form({ name: "Insta\u0000", accountId: "17841405822304914", username: "@riverside\u0000dental", enabled: "on" });
    expect(await connectMessagingAction(DEMO_SLUG, "instagram", null, instagram)).toEqual({ ok: "Saved." });
    expect(await one(sql`select name, settings->>'username' as username from channels where business_id = ${DEMO_BUSINESS_ID} and kind = 'instagram'`)).toEqual({ name: "Insta", username: "riversidedental" });
  });
});

describe("NUL characters in dashboard routes", () => {
  it("test-agent keeps the message without them, and one of nothing else is empty", async () => {
    const post = (text: string) =>
      testAgent(new Request(`http://localhost/api/businesses/${DEMO_SLUG}/test-agent`, { method: "POST", body: JSON.stringify({ text, session: "session-nul-1" }) }), params(DEMO_SLUG));
    const res = await post("How much is a scale\u0000 and polish?");
    expect(res.status).toBe(200);
    expect((await res.json()).reply).toMatchObject({ source: "faq", content: expect.stringMatching(/£65/) });
    const empty = await post("\u0000");
    expect([empty.status, (await empty.json()).error.message]).toEqual([400, "text: Type a message"]);
  });

  it("searches: knowledge, customers and the inbox", async () => {
    const knowledge = await get(knowledgeSearch, `knowledge/search?q=${encodeURIComponent("root\u0000 canal")}`);
    expect(knowledge.status).toBe(200);
    expect((await knowledge.json()).chunks.length).toBeGreaterThan(0);
    const customers = await get(customerList, `customers?q=${encodeURIComponent("Pat\u0000")}&tag=${encodeURIComponent("vip\u0000")}`);
    expect(customers.status).toBe(200);
    expect((await get(conversationList, `conversations?q=${encodeURIComponent("\u0000hello")}`)).status).toBe(200);
  });

  it("an FAQ CSV saved as UTF-16 (full of NUL bytes) is refused with what to do; a stray NUL in a UTF-8 CSV is the same", async () => {
    const importCsv = (body: BodyInit) =>
      faqImport(new Request(`http://localhost/api/businesses/${DEMO_SLUG}/faqs/import`, { method: "POST", headers: { "content-type": "text/csv" }, body }), params(DEMO_SLUG));
    const csv = "question,answer\r\nDo you open on bank holidays?,No\r\n";
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, "utf16le")]);
    for (const body of [utf16, "question,answer\r\nDo you open\u0000 on bank holidays?,No\r\n"]) {
      const res = await importCsv(body);
      expect([res.status, (await res.json()).error.message]).toEqual([400, expect.stringMatching(/^This file contains NUL characters.*Save it as "CSV UTF-8"/)]);
    }
    expect(await one(sql`select count(*)::int as n from faqs where question like 'Do you open%bank holidays?'`)).toEqual({ n: 0 });
  });

  it("an upload's title, given or read from the file, is stored without them", async () => {
    const send = async (file: File, title?: string) => {
      const body = new FormData();
      body.set("file", file);
      if (title !== undefined) body.set("title", title);
      const res = await upload(new Request(`http://localhost/api/businesses/${DEMO_SLUG}/knowledge/uploads`, { method: "POST", body }), params(DEMO_SLUG));
      expect(res.status).toBe(201);
      return one(sql`select title, filename, content from knowledge_documents where id = ${(await res.json()).document.id}`);
    };
    expect(await send(new File(["# Whitening\n\nOur whitening takes two visits.\n"], "white\u0000ning.md"), "Whitening\u0000 guide")).toEqual({
      title: "Whitening guide",
      filename: "whitening.md",
      content: "# Whitening\n\nOur whitening takes two visits.",
    });
    // &#0; is a NUL to a naive entity decoder, and &#99999999; no character at all.
    const html = "<html><head><title>Veneers&#0; &amp; bonding&#99999999;</title></head><body><h1>Veneers</h1><p>Thin shells bonded to the teeth.</p></body></html>";
    expect(await send(new File([html], "veneers.html"))).toEqual({ title: "Veneers\ufffd & bonding\ufffd", filename: "veneers.html", content: "# Veneers\n\nThin shells bonded to the teeth." });
  });
});

describe("dates the dashboard sends", () => {
  it("a simulator's 'since' that is no time between 2000 and 2100 is a 400 message, not a 500", async () => {
    for (const since of ["0000-01-01", "+275760-09-13T00:00:00Z", "99999", "' OR 1=1"]) {
      expect([since, await simulatorRepliesAction(DEMO_SLUG, "sms", since, "+15550100001")]).toEqual([since, { error: "since must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z." }]);
      expect([since, await messagingRepliesAction(DEMO_SLUG, "email", since, "pat@example.com")]).toEqual([since, { error: "since must be a date between 2000 and 2100 in ISO 8601, e.g. 2026-01-31T09:30:00Z." }]);
    }
    expect(await simulatorRepliesAction(DEMO_SLUG, "sms", new Date().toISOString(), "+15550100001")).toEqual([]);
  });
});
