// FAQs: create, edit, enable/disable, delete, CSV export → import round trip, suggested FAQs from
// questions the model answered, roles, version bumps, audit and tenant isolation.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { memberContext } from "@/lib/auth/member";
import { closeDb, rows, withService } from "@/lib/db/client";
import { listSuggestedFaqs } from "@/lib/services/faqs";
import {
  acceptSuggestionAction,
  createFaqAction,
  deleteFaqAction,
  toggleFaqAction,
  updateFaqAction,
} from "@/app/(dashboard)/[business]/knowledge/actions";
import { GET as exportCsv } from "@/app/api/businesses/[business]/faqs/export/route";
import { POST as importCsv } from "@/app/api/businesses/[business]/faqs/import/route";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeTwoTenants } from "../../helpers/fixtures";
import { form, navigationOutcome, params } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let a: Awaited<ReturnType<typeof makeTenant>>;
let b: Awaited<ReturnType<typeof makeTenant>>;
let c: { businessId: string };
let bFaq: string;

const version = async (id: string) => (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${id}`)))[0]!.v;
const faqsOf = (id: string) =>
  withService((tx) =>
    rows<{ id: string; question: string; answer: string; enabled: boolean; embedded: boolean }>(
      tx,
      sql`select id, question, answer, enabled, embedding is not null as embedded from faqs where business_id = ${id} order by created_at, question`,
    ),
  );
const csvOf = async (business: string) => {
  const res = await exportCsv(new Request(`http://localhost/api/businesses/${business}/faqs/export`), params(business));
  return { res, text: res.status === 200 ? await res.text() : "" };
};
const importInto = (business: string, csv: string, asFile = true) => {
  const init: RequestInit = asFile
    ? { method: "POST", body: (() => { const f = new FormData(); f.set("file", new File([csv], "faqs.csv", { type: "text/csv" })); return f; })() }
    : { method: "POST", body: csv, headers: { "content-type": "text/csv" } };
  return importCsv(new Request(`http://localhost/api/businesses/${business}/faqs/import`, init), params(business));
};

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    ({ a, b } = cast);
    c = await makeTenant(tx, "tenant-c", cast.alice.id);
    await tx.execute(sql`delete from faqs where business_id in (${a.businessId}, ${c.businessId})`);
    bFaq = (await rows<{ id: string }>(tx, sql`select id from faqs where business_id = ${b.businessId}`))[0]!.id;
  });
});
afterAll(() => closeDb());

describe("FAQ actions", () => {
  let faqId: string;

  it("create, edit, disable, enable and delete: each bumps the version once and is audited", async () => {
    await signInAs("alice@a.test");
    let v = await version(a.businessId);
    const created = await createFaqAction("tenant-a", null, form({ question: "Do you have parking?", answer: "Yes, on Wood Street." }));
    expect(created).toMatchObject({ ok: "FAQ added.", id: expect.any(String) });
    faqId = created!.id!;
    expect(await version(a.businessId)).toBe(++v);
    expect(await faqsOf(a.businessId)).toEqual([{ id: faqId, question: "Do you have parking?", answer: "Yes, on Wood Street.", enabled: true, embedded: true }]);

    expect(await updateFaqAction("tenant-a", faqId, null, form({ question: "Is there parking nearby?", answer: "Pay and display on Wood Street." }))).toMatchObject({ ok: "FAQ saved." });
    expect(await version(a.businessId)).toBe(++v);
    expect(await toggleFaqAction("tenant-a", faqId, false)).toEqual({ ok: "FAQ disabled." });
    expect((await faqsOf(a.businessId))[0]).toMatchObject({ question: "Is there parking nearby?", enabled: false });
    expect(await toggleFaqAction("tenant-a", faqId, true)).toEqual({ ok: "FAQ enabled." });
    expect(await version(a.businessId)).toBe((v += 2));

    const audit = await withService((tx) => rows<{ action: string; target_id: string }>(tx, sql`select action, target_id from audit_log where business_id = ${a.businessId} and action like 'faq.%' order by created_at`));
    expect(audit).toEqual(["faq.created", "faq.updated", "faq.disabled", "faq.enabled"].map((action) => ({ action, target_id: faqId })));
  });

  it("validates input and refuses agents", async () => {
    await signInAs("alice@a.test");
    expect(await createFaqAction("tenant-a", null, form({ question: "?", answer: "a" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { question: "The question needs at least 3 characters" } });
    expect(await createFaqAction("tenant-a", null, form({ question: "A question", answer: "  " }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { answer: "Write an answer" } });
    expect(await toggleFaqAction("tenant-a", "nope", true)).toEqual({ error: "FAQ not found." });
    await signInAs("carol@a.test");
    const v = await version(a.businessId);
    expect(await createFaqAction("tenant-a", null, form({ question: "Agent question", answer: "x" }))).toEqual({ error: "Only owner or admins can do this." });
    expect(await deleteFaqAction("tenant-a", faqId)).toEqual({ error: "Only owner or admins can do this." });
    expect(await version(a.businessId)).toBe(v);
  });

  it("a member of A cannot change B's FAQs, by slug or by id", async () => {
    await signInAs("alice@a.test");
    expect(await updateFaqAction("tenant-a", bFaq, null, form({ question: "Stolen?", answer: "yes" }))).toEqual({ error: "FAQ not found." });
    expect(await toggleFaqAction("tenant-a", bFaq, false)).toEqual({ error: "FAQ not found." });
    expect(await deleteFaqAction("tenant-a", bFaq)).toEqual({ error: "FAQ not found." });
    expect(await createFaqAction("tenant-b", null, form({ question: "Into B?", answer: "no" })).catch(navigationOutcome)).toBe("404");
    expect(await faqsOf(b.businessId)).toEqual([{ id: bFaq, question: "q?", answer: "a", enabled: true, embedded: false }]);
  });

  it("deletes", async () => {
    await signInAs("alice@a.test");
    expect(await deleteFaqAction("tenant-a", faqId)).toEqual({ ok: "FAQ deleted." });
    expect(await faqsOf(a.businessId)).toEqual([]);
    expect(await deleteFaqAction("tenant-a", faqId)).toEqual({ error: "FAQ not found." });
  });
});

describe("FAQ CSV", () => {
  const source = [
    { question: "What are your hours?", answer: "Mon–Fri 8:30–18:00,\nSat 9–13.", enabled: true },
    { question: 'Do you say "hello"?', answer: "=1+1 is not a formula here", enabled: true },
    { question: "Old question", answer: "- starts with a dash", enabled: false },
  ];

  it("exports CSV and imports it back unchanged into another business", async () => {
    await signInAs("alice@a.test");
    for (const f of source) {
      const r = await createFaqAction("tenant-a", null, form({ question: f.question, answer: f.answer }));
      if (!f.enabled) await toggleFaqAction("tenant-a", r!.id!, false);
    }
    const { res, text } = await csvOf("tenant-a");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="faqs-tenant-a.csv"');
    expect(text).toContain("'=1+1 is not a formula here"); // a spreadsheet will not run it

    const v = await version(c.businessId);
    const imported = await importInto("tenant-c", text);
    expect([imported.status, await imported.json()]).toEqual([200, { created: 3, updated: 0, version: v + 1 }]);
    const strip = (list: { question: string; answer: string; enabled: boolean }[]) => list.map(({ question, answer, enabled }) => ({ question, answer, enabled })).sort((x, y) => x.question.localeCompare(y.question));
    expect(strip(await faqsOf(c.businessId))).toEqual(strip(await faqsOf(a.businessId)));
    expect(strip(await faqsOf(c.businessId))).toEqual(strip(source));
    expect((await faqsOf(c.businessId)).every((f) => f.embedded)).toBe(true);

    // importing the same file again updates instead of duplicating
    const again = await importInto("tenant-c", text, false);
    expect(await again.json()).toMatchObject({ created: 0, updated: 3 });
    expect((await faqsOf(c.businessId)).length).toBe(3);
  });

  it("rejects a bad file whole, saying which rows are wrong", async () => {
    await signInAs("alice@a.test");
    const before = await faqsOf(c.businessId);
    const cases: [string, number, string][] = [
      ["q,a\nx,y", 400, 'The CSV needs a header row with "question" and "answer" columns.'],
      ["question,answer\nGood question,Good answer\n,no question\nAnother,\n", 400, "Row 3: the question is empty; Row 4: the answer is empty. Nothing was imported."],
      ["question,answer,enabled\nQ one,A,maybe", 400, 'Row 2: "enabled" must be yes or no. Nothing was imported.'],
      ["question,answer\n", 400, "The CSV has no FAQ rows."],
    ];
    for (const [csv, status, message] of cases) {
      const res = await importInto("tenant-c", csv);
      expect([res.status, (await res.json()).error.message]).toEqual([status, message]);
    }
    const wrongType = await importCsv(new Request("http://localhost/x", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }), params("tenant-c"));
    expect(wrongType.status).toBe(400);
    expect(await faqsOf(c.businessId)).toEqual(before);
  });

  it("agents may export but not import; other businesses are 404", async () => {
    await signInAs("carol@a.test");
    expect((await csvOf("tenant-a")).res.status).toBe(200);
    const res = await importInto("tenant-a", "question,answer\nQ,A");
    expect(res.status).toBe(403);
    await signInAs("alice@a.test");
    expect((await csvOf("tenant-b")).res.status).toBe(404);
    expect((await importInto("tenant-b", "question,answer\nQ,A")).status).toBe(404);
    expect((await faqsOf(b.businessId)).length).toBe(1);
  });
});

describe("suggested FAQs", () => {
  beforeAll(async () => {
    // Three customers ask about bikes (the model answered), one asks about parking (now an FAQ in
    // tenant A), and one bike question was answered from an FAQ (not a model cost: ignored).
    await withService(async (tx) => {
      const ask = async (name: string, question: string, source: string, minutesAgo: number) => {
        const [cu] = await rows<{ id: string }>(tx, sql`insert into customers (business_id, name) values (${a.businessId}, ${name}) returning id`);
        const [co] = await rows<{ id: string }>(tx, sql`insert into conversations (business_id, customer_id, channel_id) values (${a.businessId}, ${cu!.id}, ${a.channelId}) returning id`);
        const at = new Date(Date.now() - minutesAgo * 60_000);
        const [m] = await rows<{ id: string }>(
          tx,
          sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content, created_at) values (${a.businessId}, ${co!.id}, ${cu!.id}, ${a.channelId}, 'customer', ${question}, ${at}) returning id`,
        );
        await tx.execute(
          sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content, reply_to_id, created_at)
              values (${a.businessId}, ${co!.id}, ${cu!.id}, ${a.channelId}, 'assistant', ${source}, ${`Bike racks are by the door (${minutesAgo}).`}, ${m!.id}, ${new Date(at.getTime() + 1000)})`,
        );
      };
      await ask("Ann", "Where can I park my bike?", "model", 30);
      await ask("Ben", "where can i park my bike", "model", 20);
      await ask("Cat", "Where can I park my bike??", "model", 10);
      await ask("Dan", "Can I park my bike somewhere?", "faq", 5);
      await ask("Eve", "What are your hours?", "model", 40);
      await ask("Fay", "what are your hours", "model", 35);
      await ask("Gus", "Can I bring my dog to the appointment?", "model", 50);
      await ask("Hal", "can i bring my dog", "model", 45);
      // the model answered once and its cached answer twice: a repeated model answer all the same
      await ask("Ida", "Do you take card payments?", "model", 70);
      await ask("Jo", "do you take card payments", "cache", 65);
      await ask("Kim", "Do you take card payments??", "cache", 60);
    });
  });

  it("lists questions the model (or its cached answer) answered more than once, not those an FAQ covers", async () => {
    await signInAs("carol@a.test");
    const { ctx } = await memberContext("tenant-a");
    const list = await listSuggestedFaqs({ ctx });
    // reworded questions meet in one suggestion; "hours" is covered by an FAQ already
    expect(list).toEqual([
      expect.objectContaining({ question: "Where can I park my bike?", answer: "Bike racks are by the door (10).", count: 3, customers: 3 }),
      expect.objectContaining({ question: "Do you take card payments?", count: 3, customers: 3 }),
      expect.objectContaining({ question: "Can I bring my dog to the appointment?", count: 2, examples: ["can i bring my dog", "Can I bring my dog to the appointment?"] }),
    ]);
  });

  it("one click accepts a suggestion as an FAQ, and it is suggested no more", async () => {
    await signInAs("alice@a.test");
    const v = await version(a.businessId);
    const r = await acceptSuggestionAction("tenant-a", null, form({ question: "Where can I park my bike?", answer: "Bike racks are by the door." }));
    expect(r).toMatchObject({ ok: "Added to your FAQs." });
    expect(await version(a.businessId)).toBe(v + 1);
    expect((await faqsOf(a.businessId)).map((f) => f.question)).toContain("Where can I park my bike?");
    const { ctx } = await memberContext("tenant-a");
    expect((await listSuggestedFaqs({ ctx })).map((x) => x.question)).toEqual(["Do you take card payments?", "Can I bring my dog to the appointment?"]);
    const audit = await withService((tx) => rows(tx, sql`select 1 from audit_log where business_id = ${a.businessId} and action = 'faq.suggestion_accepted'`));
    expect(audit).toHaveLength(1);
    await signInAs("carol@a.test");
    expect(await acceptSuggestionAction("tenant-a", null, form({ question: "Where can I park my bike?", answer: "x" }))).toEqual({ error: "Only owner or admins can do this." });
  });
});
