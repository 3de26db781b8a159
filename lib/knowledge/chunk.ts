// Splits a document into chunks along headings and paragraphs (about 500 tokens, with overlap),
// each carrying the heading path it sits under, so retrieval can show where an answer came from.
export type Chunk = { ordinal: number; heading: string | null; content: string; tokenCount: number };

/** A cheap token estimate (about 4 characters a token for English), used for sizing only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

type Section = { heading: string | null; paragraphs: string[] };

function sections(markdown: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: null, paragraphs: [] };
  let buffer: string[] = [];
  const flushParagraph = () => {
    const p = buffer.join("\n").trim();
    if (p) current.paragraphs.push(p);
    buffer = [];
  };
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const h = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      flushParagraph();
      if (current.paragraphs.length) out.push(current);
      const level = h[1]!.length;
      path.splice(level - 1);
      path[level - 1] = h[2]!;
      current = { heading: path.filter(Boolean).join(" › "), paragraphs: [] };
    } else if (line.trim() === "") {
      flushParagraph();
    } else {
      buffer.push(line);
    }
  }
  flushParagraph();
  if (current.paragraphs.length) out.push(current);
  return out;
}

/** Splits one over-long paragraph at sentence ends. */
function splitLong(paragraph: string, maxTokens: number): string[] {
  if (estimateTokens(paragraph) <= maxTokens) return [paragraph];
  const sentences = paragraph.match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [paragraph];
  const parts: string[] = [];
  let acc = "";
  for (const s of sentences) {
    if (acc && estimateTokens(acc + s) > maxTokens) {
      parts.push(acc.trim());
      acc = "";
    }
    // A single sentence longer than the limit is cut by characters.
    if (estimateTokens(s) > maxTokens) {
      for (let i = 0; i < s.length; i += maxTokens * 4) parts.push(s.slice(i, i + maxTokens * 4).trim());
      continue;
    }
    acc += s;
  }
  if (acc.trim()) parts.push(acc.trim());
  return parts;
}

export function chunkDocument(markdown: string, opts: { maxTokens?: number; overlapTokens?: number } = {}): Chunk[] {
  const maxTokens = opts.maxTokens ?? 500;
  const overlapTokens = opts.overlapTokens ?? 60;
  const chunks: Chunk[] = [];
  for (const section of sections(markdown)) {
    const pieces = section.paragraphs.flatMap((p) => splitLong(p, maxTokens));
    let current: string[] = [];
    const emit = () => {
      const content = current.join("\n\n").trim();
      if (content) chunks.push({ ordinal: chunks.length, heading: section.heading, content, tokenCount: estimateTokens(content) });
    };
    for (const piece of pieces) {
      if (current.length && estimateTokens([...current, piece].join("\n\n")) > maxTokens) {
        emit();
        // Overlap: carry the tail of the previous chunk so an answer spanning the cut is still found.
        const tail = current.at(-1)!;
        current = estimateTokens(tail) <= overlapTokens ? [tail] : [tail.slice(-overlapTokens * 4)];
      }
      current.push(piece);
    }
    emit();
  }
  return chunks;
}
