// Retrieval on the seeded demo clinic, embedded with the local embedder: paraphrased questions find
// the right article and FAQ; the full-text side alone still works before anything is embedded.
import { sql } from "drizzle-orm";
import { LocalEmbedder } from "@/lib/ai/embeddings";
import { closeDb, getDb, rows, type Db } from "@/lib/db/client";
import { seedDemo } from "@/lib/db/seed";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { embedPending } from "@/lib/knowledge/indexing";
import { retrieveKnowledge, textQuery } from "@/lib/knowledge/retrieve";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";

let db: Db;
let other: { businessId: string };
const A = {
  extraction: "00000000-0000-4000-8000-00000000a001",
  prices: "00000000-0000-4000-8000-00000000a002",
  policy: "00000000-0000-4000-8000-00000000a003",
  sensitive: "00000000-0000-4000-8000-00000000a004",
};

beforeAll(async () => {
  const handle = await useTestDb();
  await seedDemo(handle);
  db = await getDb();
  const u = await makeUser(db, "other@x.test");
  other = await makeTenant(db, "other-clinic", u.id);
});
afterAll(() => closeDb());

const ask = (query: string, limit = 3) => retrieveKnowledge(db, { businessId: DEMO_BUSINESS_ID, query, limit, embedder: new LocalEmbedder() });

describe("retrieveKnowledge", () => {
  it("finds chunks by their words before anything is embedded", async () => {
    const r = await ask("dry socket after extraction");
    expect(r.mode).toBe("hybrid");
    expect(r.chunks[0]).toMatchObject({ documentId: A.extraction, heading: "Before and after a tooth extraction › When to call us", similarity: null });
    expect(r.chunks[0]!.textRank).toBeGreaterThan(0);
    expect(r.chunks[0]!.wordMatch).toBe(1); // dry, socket, after, extraction
    // seeded FAQs have no vectors yet: whatever is found was found by words
    for (const f of r.faqs) expect(f).toMatchObject({ similarity: 0, textRank: expect.any(Number) });
  });

  it("embedPending embeds every seeded chunk and FAQ, once", async () => {
    const first = await embedPending(DEMO_BUSINESS_ID, { embedder: new LocalEmbedder() });
    const [counts] = await rows<{ chunks: number; faqs: number }>(
      db,
      sql`select (select count(*)::int from knowledge_chunks where business_id = ${DEMO_BUSINESS_ID}) as chunks,
                 (select count(*)::int from faqs where business_id = ${DEMO_BUSINESS_ID}) as faqs`,
    );
    expect(first).toMatchObject({ chunks: counts!.chunks, faqs: counts!.faqs });
    expect(first.chunks).toBeGreaterThanOrEqual(12);
    expect(first.faqs).toBe(20);
    expect(await embedPending(DEMO_BUSINESS_ID, { embedder: new LocalEmbedder() })).toMatchObject({ chunks: 0, faqs: 0 });
    // the other tenant's rows were left alone
    const [theirs] = await rows<{ n: number }>(db, sql`select count(*)::int as n from knowledge_chunks where business_id = ${other.businessId} and embedding is null`);
    expect(theirs!.n).toBe(1);
  });

  it.each([
    ["what should I avoid after having a tooth pulled?", A.extraction],
    ["is it ok to smoke the day my tooth is taken out", A.extraction],
    ["my teeth hurt when I drink something cold", A.sensitive],
    ["how much will a root canal on a back tooth cost me", A.prices],
    ["do I get my deposit back if I cancel the treatment", A.policy],
  ])("finds the right article for %p", async (question, documentId) => {
    const r = await ask(question);
    expect(r.chunks[0]!.documentId).toBe(documentId);
    expect(r.chunks[0]!.score).toBeGreaterThan(0);
    expect(r.chunks[0]!.score).toBeLessThanOrEqual(1);
    for (let i = 1; i < r.chunks.length; i++) expect(r.chunks[i - 1]!.score).toBeGreaterThanOrEqual(r.chunks[i]!.score);
  });

  it.each([
    ["when are you open on a thursday", "What are your opening hours?"],
    ["can I pay in instalments", "Do you offer payment plans or finance?"],
    ["my child needs a dentist, do you see kids?", "Do you treat children?"],
  ])("finds the FAQ for %p", async (question, faq) => {
    const r = await ask(question);
    expect(r.faqs.map((f) => f.question)).toContain(faq);
  });

  it("returns nothing for a question the knowledge does not cover, rather than the least bad match", async () => {
    const r = await ask("what is the capital of france");
    expect(r).toMatchObject({ chunks: [], faqs: [] });
    // a weak one-word overlap does not pass as a match either
    const pulled = await ask("what should I avoid after having a tooth pulled?");
    expect(pulled.faqs.map((f) => f.question)).not.toContain("How much is a dental implant?");
    for (const x of [...pulled.chunks, ...pulled.faqs]) expect(x.score).toBeGreaterThanOrEqual(0.15);
  });

  it("skips disabled FAQs and never returns another business's rows", async () => {
    await db.execute(sql`update faqs set enabled = false where business_id = ${DEMO_BUSINESS_ID} and question = 'Do you treat children?'`);
    const r = await ask("do you treat children");
    expect(r.faqs.map((f) => f.question)).not.toContain("Do you treat children?");
    const theirs = await retrieveKnowledge(db, { businessId: other.businessId, query: "tooth extraction content", embedder: new LocalEmbedder() });
    expect(theirs.chunks.every((c) => c.documentId !== A.extraction)).toBe(true);
    expect(theirs.chunks.map((c) => c.content)).toEqual(["content"]);
  });

  it("falls back to words alone when the embedder fails", async () => {
    const broken = { model: "broken", embed: async () => Promise.reject(new Error("down")) };
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    const r = await retrieveKnowledge(db, { businessId: DEMO_BUSINESS_ID, query: "blood thinners warfarin", embedder: broken });
    expect(r.mode).toBe("text");
    expect(r.chunks[0]!.documentId).toBe(A.extraction);
    expect(warn).toHaveBeenCalledWith(expect.not.stringContaining("warfarin"));
    warn.mockRestore();
  });

  it("never returns the same chunk or FAQ twice, even when a document or an FAQ was stored twice", async () => {
    // Copies as an upload made twice left them before uploads were de-duplicated (no content hash).
    const copy = "00000000-0000-4000-8000-00000000a0ff";
    await db.execute(sql`insert into knowledge_documents (id, business_id, title, source_type, content)
                         select ${copy}, business_id, title || ' (again)', source_type, content from knowledge_documents where id = ${A.extraction}`);
    await db.execute(sql`insert into knowledge_chunks (business_id, document_id, ordinal, heading, content, token_count, embedding)
                         select business_id, ${copy}, ordinal, heading, content, token_count, embedding from knowledge_chunks where document_id = ${A.extraction}`);
    await db.execute(sql`insert into faqs (business_id, question, answer, embedding)
                         select business_id, question, answer, embedding from faqs where business_id = ${DEMO_BUSINESS_ID} and question = 'How much is a dental implant?'`);
    for (const query of ["dry socket after extraction", "how much is a dental implant?", "blood thinners warfarin before an extraction", "what to eat after a tooth is pulled"]) {
      const r = await ask(query, 10);
      const chunks = r.chunks.map((c) => `${c.heading} ${c.content}`);
      expect([query, new Set(chunks).size]).toEqual([query, chunks.length]);
      const faqs = r.faqs.map((f) => `${f.question} ${f.answer}`);
      expect([query, new Set(faqs).size]).toEqual([query, faqs.length]);
    }
    const r = await ask("dry socket after extraction", 10);
    expect(r.chunks[0]).toMatchObject({ heading: "Before and after a tooth extraction › When to call us" });
    expect((await ask("how much is a dental implant?")).faqs.filter((f) => f.question === "How much is a dental implant?")).toHaveLength(1);
  });

  it("builds a safe OR query of the question's content words", () => {
    expect(textQuery("What's the price of teeth whitening?!")).toBe("pric:* | teeth:* | whiten:*");
    expect(textQuery("a an the")).toBeNull();
    expect(textQuery("') | drop table faqs; --")).toBe("drop:* | tabl:* | faq:*");
  });
});
