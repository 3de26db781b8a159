// Text extraction from each supported file type, on small real files kept as fixtures.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { extractDocument, PARSE_LIMITS, titleFromFilename, uploadType } from "@/lib/knowledge/extract";
import { atxHeading, chunkDocument } from "@/lib/knowledge/chunk";

const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(__dirname, "../../fixtures/knowledge", name)));

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected a failure");
}

describe("extractDocument", () => {
  it("reads plain text as it is", async () => {
    const r = await extractDocument({ filename: "sample.txt", bytes: fixture("sample.txt") });
    expect(r.type).toBe("txt");
    expect(r.title).toBe("sample");
    expect(r.markdown).toContain("We open from 10:00 to 14:00 on bank holidays");
    expect(chunkDocument(r.markdown)[0]!.content).toContain("Call ahead");
  });

  it("reads markdown, titled by its first heading", async () => {
    const r = await extractDocument({ filename: "kids.md", bytes: fixture("sample.md") });
    expect(r).toMatchObject({ type: "md", title: "Children's dental care" });
    expect(r.markdown).toContain("## Fluoride varnish");
  });

  it("turns HTML into markdown: headings and lists kept, scripts, styles and navigation dropped", async () => {
    const r = await extractDocument({ filename: "whitening.html", bytes: fixture("sample.html") });
    expect(r.title).toBe("Whitening & bonding");
    expect(r.markdown).toContain("# Teeth whitening");
    expect(r.markdown).toContain("## Sensitivity");
    expect(r.markdown).toContain("**custom trays**");
    expect(r.markdown).toMatch(/-\s+Use a sensitive toothpaste/);
    expect(r.markdown).toContain("Whitening trays");
    expect(r.markdown).not.toMatch(/alert|color: red|\[Home\]/);
    const chunks = chunkDocument(r.markdown);
    expect(chunks.map((c) => c.heading)).toEqual(["Teeth whitening", "Teeth whitening › Sensitivity"]);
  });

  it("reads the text of every page of a PDF", async () => {
    const r = await extractDocument({ filename: "root-canal.pdf", bytes: fixture("sample.pdf") });
    expect(r.type).toBe("pdf");
    expect(r.pages).toBe(2);
    expect(r.title).toBe("root canal");
    expect(r.markdown).toContain("Avoid chewing on the treated tooth until the permanent crown is fitted.");
    expect(r.markdown).toContain("Call us if the swelling grows or the temporary filling falls out.");
  });

  it("reads a Word document with its headings", async () => {
    const r = await extractDocument({ filename: "aligners.docx", bytes: fixture("sample.docx") });
    expect(r).toMatchObject({ type: "docx", title: "Braces and aligners" });
    expect(r.markdown).toContain("# Braces and aligners");
    expect(r.markdown).toContain("## Cleaning");
    expect(r.markdown).toContain("hot water can warp them");
    expect(chunkDocument(r.markdown).map((c) => c.heading)).toEqual(["Braces and aligners", "Braces and aligners › Cleaning"]);
  });

  it("says why a file cannot be read", async () => {
    expect(await failure(extractDocument({ filename: "photo.jpg", bytes: new Uint8Array([1, 2, 3]) }))).toEqual({
      code: "unprocessable",
      message: '"photo.jpg" is not a supported file type. Upload .txt, .md, .html, .pdf or .docx.',
    });
    expect((await failure(extractDocument({ filename: "empty.txt", bytes: new Uint8Array() }))).message).toBe("The file is empty.");
    expect((await failure(extractDocument({ filename: "scan.pdf", bytes: fixture("no-text.pdf") }))).message).toMatch(/no text layer/);
    expect((await failure(extractDocument({ filename: "broken.pdf", bytes: fixture("sample.pdf").slice(0, 200) }))).message).toMatch(/not a readable PDF|could not be read/);
    expect((await failure(extractDocument({ filename: "fake.docx", bytes: fixture("sample.txt") }))).message).toMatch(/not a readable Word document/);
    expect((await failure(extractDocument({ filename: "binary.txt", bytes: fixture("sample.pdf").map((b, i) => (i === 10 ? 0 : b)) }))).message).toMatch(/not text/);
    expect((await failure(extractDocument({ filename: "blank.md", bytes: new TextEncoder().encode("\n\n  \n") }))).message).toBe("No text was found in this file.");
  });

  it("reads Windows-1252 text that is not UTF-8", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("Caf"), 0xe9, ...new TextEncoder().encode(" prices")]);
    expect((await extractDocument({ filename: "cafe.txt", bytes })).markdown).toBe("Café prices");
  });

  it("knows types by extension or content type", () => {
    expect(uploadType("A.PDF")).toBe("pdf");
    expect(uploadType("notes.markdown")).toBe("md");
    expect(uploadType("page.htm")).toBe("html");
    expect(uploadType("noext", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")).toBe("docx");
    expect(uploadType("old.doc")).toBeNull();
    expect(titleFromFilename("C:\\docs\\after-care_guide.pdf")).toBe("after care guide");
  });
});

/** The longest the event loop was late for a 10 ms timer while `work` ran. */
async function loopLag<T>(work: () => Promise<T>): Promise<{ value: T; lagMs: number; elapsedMs: number }> {
  let lagMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lagMs = Math.max(lagMs, now - last - 10);
    last = now;
  }, 10);
  const start = performance.now();
  try {
    const value = await work();
    return { value, lagMs, elapsedMs: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

const nestedDivs = (depth: number) => new TextEncoder().encode(`<html><body>${"<div>".repeat(depth)}Deep text${"</div>".repeat(depth)}</body></html>`);

describe("reading a file off the main thread, within limits", () => {
  it("refuses 20,000 nested <div>s (220 KB) with a message within the time limit, and the server keeps serving meanwhile", async () => {
    const bytes = nestedDivs(20_000);
    expect(bytes.byteLength).toBeGreaterThan(200_000);
    const { value, lagMs, elapsedMs } = await loopLag(() => failure(extractDocument({ filename: "deep.html", bytes })));
    expect(value).toEqual({ code: "unprocessable", message: expect.stringMatching(/^This file nests its elements more than 1,000 levels deep/) });
    expect(elapsedMs).toBeLessThan(PARSE_LIMITS.timeMs);
    // Parsing in the request's thread held the event loop for seconds; a worker leaves it free.
    expect(lagMs).toBeLessThan(300);
  });

  it("reads a large page for seconds while the event loop stays free", async () => {
    const page = new TextEncoder().encode(`<html><body>${"<p>Some words about crowns and <b>bridges</b>.</p>".repeat(10_000)}</body></html>`);
    const { value, lagMs, elapsedMs } = await loopLag(() => extractDocument({ filename: "big.html", bytes: page }));
    expect(value.markdown).toContain("Some words about crowns and **bridges**.");
    expect(elapsedMs).toBeGreaterThan(500); // long enough that parsing it here would have been felt
    expect(lagMs).toBeLessThan(300);
  });

  it("stops a file that takes longer than the time limit, and one that needs more memory than allowed", async () => {
    const slow = await loopLag(() => failure(extractDocument({ filename: "slow.html", bytes: nestedDivs(900) }, { ...PARSE_LIMITS, timeMs: 30 })));
    expect(slow.value).toEqual({ code: "unprocessable", message: "This file took longer than 0.03 seconds to read, so it was stopped. Split it into smaller files or save it as plain text, and upload it again." });
    expect(slow.elapsedMs).toBeLessThan(1500);
    const big = new TextEncoder().encode(`<html><body>${"<p>Some words about crowns and bridges.</p>".repeat(150_000)}</body></html>`);
    const hungry = await failure(extractDocument({ filename: "big.html", bytes: big }, { ...PARSE_LIMITS, memoryMb: 16 }));
    expect(hungry).toEqual({ code: "unprocessable", message: expect.stringMatching(/^This file needs more than 16 MB of memory to read/) });
    // and the next file reads as usual
    expect((await extractDocument({ filename: "sample.html", bytes: fixture("sample.html") })).title).toBe("Whitening & bonding");
  });

  it("reads text whose lines are long runs of spaces in linear time", async () => {
    const spaces = " ".repeat(200_000);
    const md = new TextEncoder().encode(`# Title${spaces}x\n\nBody text${spaces}\n${spaces}y\n`);
    const { value, elapsedMs } = await loopLag(() => extractDocument({ filename: "spaces.md", bytes: md }));
    expect(value.title).toBe(`Title${spaces}x`.slice(0, 200));
    expect(value.markdown.startsWith("# Title")).toBe(true);
    expect(elapsedMs).toBeLessThan(3000);
  });
});

describe("headings", () => {
  it("are read in linear time, whatever runs of spaces and #s a line holds", () => {
    const line = `# a${" ".repeat(50_000)}x`;
    const start = performance.now();
    expect(atxHeading(line)).toEqual({ level: 1, text: `a${" ".repeat(50_000)}x` });
    expect(chunkDocument(`${line}\n\nText under it.`)[0]!.heading).toBe(`a${" ".repeat(50_000)}x`);
    expect(atxHeading(`## b${" ".repeat(50_000)}#`)).toEqual({ level: 2, text: "b" });
    expect(performance.now() - start).toBeLessThan(500);
  });

  it("follow CommonMark's closing sequence: after a space only", () => {
    expect(atxHeading("## Aftercare ##")).toEqual({ level: 2, text: "Aftercare" });
    expect(atxHeading("# C#")).toEqual({ level: 1, text: "C#" });
    expect(atxHeading("   ### Indented")).toEqual({ level: 3, text: "Indented" });
    expect(atxHeading("#NoSpace")).toBeNull();
    expect(atxHeading("####### seven")).toBeNull();
  });
});
