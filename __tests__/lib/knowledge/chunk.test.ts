// Chunking along headings and paragraphs, about 500 tokens with overlap.
import { chunkDocument, estimateTokens } from "@/lib/knowledge/chunk";

const sentence = (i: number) => `Sentence number ${i} explains one more detail about caring for your teeth after treatment.`;

describe("chunkDocument", () => {
  it("keeps each section under its heading path", () => {
    const chunks = chunkDocument("Intro line.\n\n# Guide\n\n## Before\nEat first.\n\n## After\nRest.\n\n### Pain\nTake paracetamol.");
    expect(chunks.map((c) => [c.heading, c.content])).toEqual([
      [null, "Intro line."],
      ["Guide › Before", "Eat first."],
      ["Guide › After", "Rest."],
      ["Guide › After › Pain", "Take paracetamol."],
    ]);
    expect(chunks.map((c) => c.ordinal)).toEqual([0, 1, 2, 3]);
  });

  it("splits a long section into chunks under the limit, each starting with the end of the one before", () => {
    const paragraphs = Array.from({ length: 12 }, (_, p) => Array.from({ length: 8 }, (_, s) => sentence(p * 8 + s)).join(" "));
    const chunks = chunkDocument(`# Aftercare\n\n${paragraphs.join("\n\n")}`, { maxTokens: 500, overlapTokens: 60 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      expect(c.tokenCount).toBeLessThanOrEqual(500);
      expect(c.tokenCount).toBe(estimateTokens(c.content));
      expect(c.heading).toBe("Aftercare");
    }
    for (let i = 1; i < chunks.length; i++) {
      // the overlap is whole sentences from the end of the previous chunk
      const first = chunks[i]!.content.split(/(?<=\.)\s/)[0]!;
      expect(chunks[i - 1]!.content).toContain(first);
    }
    // nothing is lost: every sentence is in some chunk
    const all = chunks.map((c) => c.content).join(" ");
    for (let i = 0; i < 96; i++) expect(all).toContain(`Sentence number ${i} `);
  });

  it("cuts a paragraph without sentence ends at word boundaries", () => {
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkDocument(words, { maxTokens: 200, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(c.tokenCount).toBeLessThanOrEqual(200);
      expect(c.content).toMatch(/^word\d+\s[\s\S]*\sword\d+$/);
    }
  });

  it("does not read headings inside fenced code, nor split a code block", () => {
    const chunks = chunkDocument("# Setup\n\n```sh\n# install\n\nnpm ci\n```\n\nDone.");
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.heading).toBe("Setup");
    expect(chunks[0]!.content).toBe("```sh\n# install\n\nnpm ci\n```\n\nDone.");
  });

  it("gives nothing for a document with no text", () => {
    expect(chunkDocument("# Only a heading\n\n   \n")).toEqual([]);
  });
});
