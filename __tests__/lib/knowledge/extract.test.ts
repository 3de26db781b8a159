// Text extraction from each supported file type, on small real files kept as fixtures.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { extractDocument, titleFromFilename, uploadType } from "@/lib/knowledge/extract";
import { chunkDocument } from "@/lib/knowledge/chunk";

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
