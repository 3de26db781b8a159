// Knowledge in the dashboard, called as the browser would (a real signed session cookie): articles,
// uploads with streamed progress, the "what would the agent find?" route, roles, version bumps,
// audit entries, all-or-nothing storing, and tenant isolation.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { LocalEmbedder, type Embedder } from "@/lib/ai/embeddings";
import { memberContext } from "@/lib/auth/member";
import { closeDb, rows, withService } from "@/lib/db/client";
import { listKnowledge, uploadDocument } from "@/lib/services/knowledge";
import { PARSE_LIMITS } from "@/lib/knowledge/extract";
import { deleteDocumentAction, saveArticleAction } from "@/app/(dashboard)/[business]/knowledge/actions";
import { POST as upload } from "@/app/api/businesses/[business]/knowledge/uploads/route";
import { GET as search } from "@/app/api/businesses/[business]/knowledge/search/route";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { form, navigationOutcome, params, request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let a: { businessId: string };
let b: { businessId: string };
let bDocument: string;

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, "../../fixtures/knowledge", name));

function uploadRequest(business: string, file: { name: string; bytes: Uint8Array; type?: string }, accept = "application/json") {
  const body = new FormData();
  body.set("file", new File([Buffer.from(file.bytes)], file.name, { type: file.type ?? "" }));
  return upload(new Request(`http://localhost/api/businesses/${business}/knowledge/uploads`, { method: "POST", body, headers: { accept } }), params(business));
}

async function ndjson(res: Response): Promise<Record<string, unknown>[]> {
  return (await res.text())
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const version = async (businessId: string) =>
  (await withService((tx) => rows<{ v: number }>(tx, sql`select knowledge_version as v from businesses where id = ${businessId}`)))[0]!.v;
const documents = async (businessId: string) =>
  withService((tx) => rows<{ id: string; title: string; source_type: string }>(tx, sql`select id, title, source_type from knowledge_documents where business_id = ${businessId} order by created_at`));
const failedUploads = async (businessId: string) =>
  withService((tx) =>
    rows<{ id: string; title: string; filename: string; source_type: string; content: string; error: string; chunks: number }>(
      tx,
      sql`select d.id, d.title, d.filename, d.source_type, d.content, d.error, (select count(*)::int from knowledge_chunks c where c.document_id = d.id) as chunks
          from knowledge_documents d where d.business_id = ${businessId} and d.status = 'failed' order by d.created_at`,
    ),
  );
const audits = async (businessId: string, prefix: string) =>
  (await withService((tx) => rows<{ action: string }>(tx, sql`select action from audit_log where business_id = ${businessId} and action like ${`${prefix}%`} order by created_at`))).map((r) => r.action);

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    ({ a, b } = await makeTwoTenants(tx));
    const [doc] = await rows<{ id: string }>(tx, sql`select id from knowledge_documents where business_id = ${b.businessId}`);
    bDocument = doc!.id;
  });
});
afterAll(() => closeDb());

describe("articles", () => {
  let articleId: string;

  it("an owner writes an article: chunked, embedded, version bumped, audited", async () => {
    await signInAs("alice@a.test");
    const before = await version(a.businessId);
    const content = "# Implant aftercare\n\n## First day\nDo not rinse or spit hard for a day.\n\n## Cleaning\nUse a soft brush around the implant twice a day.";
    const r = await saveArticleAction("tenant-a", null, null, form({ title: "Implant aftercare", content }));
    expect(r).toMatchObject({ ok: "Saved: 2 chunks indexed.", id: expect.any(String) });
    articleId = r!.id!;
    expect(await version(a.businessId)).toBe(before + 1);
    const chunks = await withService((tx) =>
      rows<{ heading: string; embedded: boolean }>(tx, sql`select heading, embedding is not null as embedded from knowledge_chunks where document_id = ${articleId} order by ordinal`),
    );
    expect(chunks).toEqual([
      { heading: "Implant aftercare › First day", embedded: true },
      { heading: "Implant aftercare › Cleaning", embedded: true },
    ]);
    expect(await audits(a.businessId, "knowledge.")).toEqual(["knowledge.article_created"]);
    const listed = await listKnowledge({ ctx: (await memberContext("tenant-a")).ctx });
    expect(listed.find((d) => d.id === articleId)).toMatchObject({ title: "Implant aftercare", chunks: 2, embedded: 2, sourceType: "article" });
  });

  it("editing re-chunks the whole article and bumps the version once", async () => {
    await signInAs("alice@a.test");
    const before = await version(a.businessId);
    const r = await saveArticleAction("tenant-a", articleId, null, form({ title: "Implant care", content: "Only one paragraph now." }));
    expect(r).toMatchObject({ ok: "Saved: 1 chunk indexed.", id: articleId });
    expect(await version(a.businessId)).toBe(before + 1);
    const chunks = await withService((tx) => rows<{ content: string }>(tx, sql`select content from knowledge_chunks where document_id = ${articleId}`));
    expect(chunks).toEqual([{ content: "Only one paragraph now." }]);
  });

  it("refuses bad input with a message, and agents may not change knowledge", async () => {
    await signInAs("alice@a.test");
    expect(await saveArticleAction("tenant-a", null, null, form({ title: " ", content: "x" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { title: "Give the article a title" } });
    expect(await saveArticleAction("tenant-a", null, null, form({ title: "T", content: "" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { content: "Write the article's text" } });
    expect(await saveArticleAction("tenant-a", "not-a-uuid", null, form({ title: "T", content: "x" }))).toEqual({ error: "Document not found." });
    await signInAs("carol@a.test");
    const before = await version(a.businessId);
    expect(await saveArticleAction("tenant-a", null, null, form({ title: "T", content: "x" }))).toEqual({ error: "Only owner or admins can do this." });
    expect(await deleteDocumentAction("tenant-a", articleId)).toEqual({ error: "Only owner or admins can do this." });
    expect(await version(a.businessId)).toBe(before);
  });

  it("a member of A cannot touch B's documents, by slug or by id", async () => {
    await signInAs("alice@a.test");
    expect(await saveArticleAction("tenant-b", null, null, form({ title: "T", content: "x" })).catch(navigationOutcome)).toBe("404");
    expect(await saveArticleAction("tenant-a", bDocument, null, form({ title: "Stolen", content: "x" }))).toEqual({ error: "Document not found." });
    expect(await deleteDocumentAction("tenant-a", bDocument)).toEqual({ error: "Document not found." });
    expect(await deleteDocumentAction("tenant-b", bDocument).catch(navigationOutcome)).toBe("404");
    expect(await documents(b.businessId)).toEqual([{ id: bDocument, title: "Doc", source_type: "article" }]);
  });

  it("deleting removes the document and its chunks, bumps and audits", async () => {
    await signInAs("alice@a.test");
    const before = await version(a.businessId);
    expect(await deleteDocumentAction("tenant-a", articleId)).toEqual({ ok: "Deleted." });
    expect(await version(a.businessId)).toBe(before + 1);
    const left = await withService((tx) => rows(tx, sql`select 1 from knowledge_chunks where document_id = ${articleId}`));
    expect(left).toEqual([]);
    expect(await audits(a.businessId, "knowledge.")).toEqual(["knowledge.article_created", "knowledge.document_updated", "knowledge.document_deleted"]);
  });
});

describe("uploads", () => {
  it("stores an uploaded PDF (one JSON answer)", async () => {
    await signInAs("alice@a.test");
    const res = await uploadRequest("tenant-a", { name: "root-canal.pdf", bytes: fixture("sample.pdf"), type: "application/pdf" });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ document: { title: "root canal", sourceType: "pdf", filename: "root-canal.pdf" }, chunks: 1, pages: 2 });
    const docs = await documents(a.businessId);
    expect(docs.map((d) => d.source_type)).toContain("pdf");
  });

  it("streams the stages of a .docx upload, ending with the stored document", async () => {
    await signInAs("alice@a.test");
    const before = await version(a.businessId);
    const res = await uploadRequest("tenant-a", { name: "aligners.docx", bytes: fixture("sample.docx") }, "application/x-ndjson");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const events = await ndjson(res);
    expect(events.map((e) => e.stage)).toEqual(["received", "extracting", "chunking", "embedding", "embedding", "storing", "done"]);
    expect(events[3]).toEqual({ stage: "embedding", done: 0, total: 2 });
    expect(events[4]).toEqual({ stage: "embedding", done: 2, total: 2 });
    expect(events.at(-1)).toMatchObject({ stage: "done", document: { title: "Braces and aligners", sourceType: "docx" }, chunks: 2 });
    expect(await version(a.businessId)).toBe(before + 1);
    expect((await audits(a.businessId, "knowledge.document_uploaded")).length).toBe(2);
  });

  it.each([
    ["sample.txt", "txt"],
    ["sample.md", "md"],
    ["sample.html", "html"],
  ])("stores %s as %s", async (name, type) => {
    await signInAs("alice@a.test");
    const res = await uploadRequest("tenant-a", { name, bytes: fixture(name) });
    expect(res.status).toBe(201);
    expect((await res.json()).document.sourceType).toBe(type);
  });

  it("a file that cannot be read says why, and stays listed as failed with the reason and none of its text", async () => {
    await signInAs("alice@a.test");
    const docsBefore = (await documents(a.businessId)).length;
    const v = await version(a.businessId);

    const streamed = await ndjson(await uploadRequest("tenant-a", { name: "scan.pdf", bytes: fixture("no-text.pdf") }, "application/x-ndjson"));
    expect(streamed.at(-1)).toEqual({ stage: "error", code: "unprocessable", message: expect.stringMatching(/no text layer/) });
    // A second try of the same file replaces the first failure rather than adding another.
    await uploadRequest("tenant-a", { name: "scan.pdf", bytes: fixture("no-text.pdf") });
    const failed = await failedUploads(a.businessId);
    expect(failed).toEqual([{ id: expect.any(String), title: "scan", filename: "scan.pdf", source_type: "pdf", content: "", error: expect.stringMatching(/no text layer/), chunks: 0 }]);
    const [listed] = (await listKnowledge({ ctx: (await memberContext("tenant-a")).ctx })).filter((d) => d.status === "failed");
    expect(listed).toMatchObject({ title: "scan", status: "failed", error: expect.stringMatching(/no text layer/), chunks: 0 });

    // An unsupported type is refused before anything is read, and leaves nothing behind.
    const res = await uploadRequest("tenant-a", { name: "photo.png", bytes: new Uint8Array([137, 80, 78, 71]) });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: { code: "unprocessable", message: '"photo.png" is not a supported file type. Upload .txt, .md, .html, .pdf or .docx.' } });

    expect((await documents(a.businessId)).length).toBe(docsBefore + 1);
    expect(await version(a.businessId)).toBe(v);
    expect(await audits(a.businessId, "knowledge.upload_failed")).toEqual(["knowledge.upload_failed", "knowledge.upload_failed"]);
  });

  it("a page of 20,000 nested <div>s is refused in well under the time limit, marked failed with why, while other requests are served", async () => {
    await signInAs("alice@a.test");
    const v = await version(a.businessId);
    const deep = new TextEncoder().encode(`<html><body>${"<div>".repeat(20_000)}Deep${"</div>".repeat(20_000)}</body></html>`);
    let lag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lag = Math.max(lag, now - last - 10);
      last = now;
    }, 10);
    const started = performance.now();
    const pending = uploadRequest("tenant-a", { name: "deep.html", bytes: deep, type: "text/html" });
    // Meanwhile another member's request is answered at once.
    const searched = await search(new Request("http://localhost/api/businesses/tenant-a/knowledge/search?q=root%20canal"), params("tenant-a"));
    const searchMs = performance.now() - started;
    const res = await pending;
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(searched.status).toBe(200);
    expect(res.status).toBe(422);
    expect((await res.json()).error.message).toMatch(/^This file nests its elements more than 1,000 levels deep/);
    expect(elapsed).toBeLessThan(PARSE_LIMITS.timeMs);
    expect(lag).toBeLessThan(300);
    expect(searchMs).toBeLessThan(3000);
    expect(await failedUploads(a.businessId)).toContainEqual(expect.objectContaining({ filename: "deep.html", source_type: "html", content: "", chunks: 0, error: expect.stringMatching(/1,000 levels deep/) }));
    expect(await version(a.businessId)).toBe(v);
  });

  it("the same file uploaded twice says where it already is and adds nothing; another business may upload it too", async () => {
    await signInAs("alice@a.test");
    const fees = new TextEncoder().encode("# Fees\n\nA check-up is £55 and a scale and polish is £65.\n");
    const first = await uploadRequest("tenant-a", { name: "fees.md", bytes: fees });
    expect(first.status).toBe(201);
    const { document } = await first.json();
    const docsBefore = (await documents(a.businessId)).length;
    const v = await version(a.businessId);

    const again = await uploadRequest("tenant-a", { name: "fees (1).md", bytes: fees });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: {
        code: "conflict",
        message: 'Already uploaded as "Fees": that document has exactly this text, so nothing was added.',
        documentId: document.id,
        link: `/tenant-a/knowledge/articles/${document.id}`,
      },
    });
    // The same text in another format is the same knowledge.
    const streamed = await ndjson(await uploadRequest("tenant-a", { name: "fees.txt", bytes: fees }, "application/x-ndjson"));
    expect(streamed.at(-1)).toEqual({ stage: "error", code: "conflict", message: expect.stringMatching(/^Already uploaded as "Fees"/), documentId: document.id, link: `/tenant-a/knowledge/articles/${document.id}` });
    // So is an article pasted from it, and an edit that would make another article a copy of it.
    expect(await saveArticleAction("tenant-a", null, null, form({ title: "Prices", content: "# Fees\n\nA check-up is £55 and a scale and polish is £65." }))).toEqual({
      error: '"Fees" already has exactly this text, so nothing was saved.',
    });
    const other = await saveArticleAction("tenant-a", null, null, form({ title: "Prices", content: "Ask us for a quote." }));
    expect(await saveArticleAction("tenant-a", other!.id!, null, form({ title: "Prices", content: "# Fees\n\nA check-up is £55 and a scale and polish is £65." }))).toEqual({
      error: '"Fees" already has exactly this text, so nothing was saved.',
    });
    // Saving a document unchanged is not a copy of itself.
    expect(await saveArticleAction("tenant-a", document.id, null, form({ title: "Fees", content: "# Fees\n\nA check-up is £55 and a scale and polish is £65." }))).toMatchObject({ ok: expect.stringMatching(/^Saved/) });
    expect((await documents(a.businessId)).length).toBe(docsBefore + 1);
    expect(await version(a.businessId)).toBe(v + 2);

    await signInAs("bob@b.test");
    const theirs = await uploadRequest("tenant-b", { name: "fees.md", bytes: fees });
    expect(theirs.status).toBe(201);
    expect(await deleteDocumentAction("tenant-b", (await theirs.json()).document.id)).toEqual({ ok: "Deleted." });
  });

  it("one file uploaded several times at once is stored once", async () => {
    await signInAs("alice@a.test");
    const bytes = new TextEncoder().encode("# Parking\n\nThere are four free spaces behind the clinic.\n");
    const results = await Promise.all([1, 2, 3].map((i) => uploadRequest("tenant-a", { name: `parking-${i}.md`, bytes })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const stored = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from knowledge_documents where business_id = ${a.businessId} and title = 'Parking'`));
    expect(stored).toEqual([{ n: 1 }]);
  });

  it("a failure while storing rolls back the document with its chunks", async () => {
    const { ctx } = await (async () => {
      await signInAs("alice@a.test");
      return memberContext("tenant-a");
    })();
    const docsBefore = (await documents(a.businessId)).length;
    // A vector of the wrong size makes the chunk insert fail after the document row was written.
    const bad: Embedder = { model: "bad", embed: async (texts) => ({ vectors: texts.map(() => [1, 0, 0]), tokens: 0, model: "bad" }) };
    await expect(uploadDocument({ ctx, input: { filename: "notes.txt", bytes: fixture("sample.txt") } }, { embedder: bad })).rejects.toThrow();
    expect((await documents(a.businessId)).length).toBe(docsBefore);
    // and an embedder failing halfway stores nothing either
    let calls = 0;
    const flaky: Embedder = {
      model: "flaky",
      embed: async (texts) => {
        if (++calls > 1) throw new Error("quota");
        return new LocalEmbedder().embed(texts, "document");
      },
    };
    const long = Array.from({ length: 1400 }, (_, i) => `Paragraph ${i} about crowns, bridges and implants and how to look after them.`).join("\n\n");
    await expect(uploadDocument({ ctx, input: { filename: "long.md", bytes: new TextEncoder().encode(long) } }, { embedder: flaky })).rejects.toThrow("quota");
    expect(calls).toBe(2);
    expect((await documents(a.businessId)).length).toBe(docsBefore);
  });

  it("answers 4xx for bad requests, 403 for agents, 401 signed out and 404 for other businesses", async () => {
    await signInAs("alice@a.test");
    const post = (init: RequestInit, business = "tenant-a") => upload(new Request("http://localhost/x", { method: "POST", ...init }), params(business));
    let res = await post({ body: "{}", headers: { "content-type": "application/json" } });
    expect([res.status, (await res.json()).error.message]).toEqual([400, 'Send the file as multipart/form-data in a field named "file".']);
    res = await post({ body: form({ title: "no file" }) });
    expect([res.status, (await res.json()).error.message]).toEqual([400, 'Choose a file to upload (field "file").']);
    res = await uploadRequest("tenant-a", { name: "huge.txt", bytes: new Uint8Array(10 * 1024 * 1024 + 1).fill(65) });
    expect(res.status).toBe(413);
    res = await uploadRequest("tenant-b", { name: "sample.txt", bytes: fixture("sample.txt") });
    expect(res.status).toBe(404);
    expect((await documents(b.businessId)).length).toBe(1);
    await signInAs("carol@a.test");
    res = await uploadRequest("tenant-a", { name: "sample.txt", bytes: fixture("sample.txt") });
    expect([res.status, (await res.json()).error.code]).toEqual([403, "forbidden"]);
    request.reset();
    res = await uploadRequest("tenant-a", { name: "sample.txt", bytes: fixture("sample.txt") });
    expect(res.status).toBe(401);
  });
});

describe("what would the agent find?", () => {
  const ask = (business: string, q: string) => search(new Request(`http://localhost/api/businesses/${business}/knowledge/search?q=${encodeURIComponent(q)}`), params(business));

  it("shows every member the chunks and FAQs the pipeline would retrieve, with scores", async () => {
    await signInAs("carol@a.test"); // an agent may look
    const res = await ask("tenant-a", "should I avoid chewing on a tooth after a root canal?");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.mode).toBe("hybrid");
    expect(body.chunks[0]).toMatchObject({ title: "root canal", content: expect.stringContaining("Avoid chewing on the treated tooth"), score: expect.any(Number), similarity: expect.any(Number) });
  });

  it("never shows another business's knowledge, and validates the question", async () => {
    await signInAs("alice@a.test");
    expect((await ask("tenant-b", "content")).status).toBe(404);
    const mine = await (await ask("tenant-a", "content")).json();
    expect(mine.chunks.every((c: { documentId: string }) => c.documentId !== bDocument)).toBe(true);
    const res = await ask("tenant-a", "x");
    expect([res.status, (await res.json()).error.message]).toEqual([400, "query: Type a question of at least 2 characters"]);
  });
});
