// Splits a document into chunks along headings and paragraphs (about 500 tokens, with overlap),
// each carrying the heading path it sits under, so retrieval can show where an answer came from.
export type Chunk = { ordinal: number; heading: string | null; content: string; tokenCount: number };

/** A cheap token estimate (about 4 characters a token for English), used for sizing only. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

type Section = { heading: string | null; paragraphs: string[] };

const FENCE = /^\s{0,3}(```|~~~)/;
// No lazy group before optional trailing spaces and #s here: /(.*?)\s*#*\s*$/ backtracks cubically
// on a long run of spaces, and one line of a few thousand spaces would stall the server for minutes.
const HEADING_START = /^[ \t]{0,3}(#{1,6})[ \t]+/;

/** An ATX heading ("## Aftercare ##"): its level and text, or null; linear in the line's length. */
export function atxHeading(line: string): { level: number; text: string } | null {
  const m = HEADING_START.exec(line);
  if (!m) return null;
  let text = line.slice(m[0].length).trimEnd();
  // A closing run of #s counts only after a space (CommonMark): "C#" keeps its #.
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  if (end < text.length && (end === 0 || text[end - 1] === " " || text[end - 1] === "\t")) text = text.slice(0, end).trimEnd();
  return { level: m[1]!.length, text };
}

function sections(markdown: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: null, paragraphs: [] };
  let buffer: string[] = [];
  let fence: string | null = null;
  const flushParagraph = () => {
    const p = buffer.join("\n").trim();
    if (p) current.paragraphs.push(p);
    buffer = [];
  };
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    // Inside a fenced code block nothing is a heading and blank lines do not split it.
    const f = FENCE.exec(line);
    if (fence) {
      buffer.push(line);
      if (f && f[1] === fence) {
        fence = null;
        flushParagraph();
      }
      continue;
    }
    if (f) {
      flushParagraph();
      fence = f[1]!;
      buffer.push(line);
      continue;
    }
    const h = atxHeading(line);
    if (h) {
      flushParagraph();
      if (current.paragraphs.length) out.push(current);
      const level = h.level;
      path.splice(level - 1);
      path[level - 1] = h.text;
      current = { heading: path.filter(Boolean).join(" › ") || null, paragraphs: [] };
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

const SENTENCES = /[^.!?\n]+(?:[.!?]+["')\]]*|\n|$)\s*/g;

/** Splits one over-long paragraph at sentence ends (and a sentence longer than the limit at word breaks). */
function splitLong(paragraph: string, maxTokens: number): string[] {
  if (estimateTokens(paragraph) <= maxTokens) return [paragraph];
  const sentences = paragraph.match(SENTENCES) ?? [paragraph];
  const parts: string[] = [];
  let acc = "";
  for (const s of sentences) {
    if (acc && estimateTokens(acc + s) > maxTokens) {
      parts.push(acc.trim());
      acc = "";
    }
    if (estimateTokens(s) > maxTokens) {
      parts.push(...cutAtWords(s, maxTokens * 4));
      continue;
    }
    acc += s;
  }
  if (acc.trim()) parts.push(acc.trim());
  return parts.filter(Boolean);
}

/** Cuts text into pieces of at most `maxChars`, at spaces where there are any. */
function cutAtWords(text: string, maxChars: number): string[] {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length > maxChars) {
    let cut = rest.lastIndexOf(" ", maxChars);
    if (cut < maxChars / 2) cut = maxChars;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** The end of a chunk carried into the next one: whole sentences where they fit, else whole words. */
function overlapTail(text: string, overlapTokens: number): string {
  if (overlapTokens <= 0) return "";
  if (estimateTokens(text) <= overlapTokens) return text;
  const sentences = text.match(SENTENCES) ?? [];
  let tail = "";
  for (let i = sentences.length - 1; i >= 0; i--) {
    const next = sentences[i]! + tail;
    if (estimateTokens(next.trim()) > overlapTokens) break;
    tail = next;
  }
  if (tail.trim()) return tail.trim();
  const slice = text.slice(-overlapTokens * 4);
  const space = slice.indexOf(" ");
  return (space > 0 && space < slice.length / 2 ? slice.slice(space + 1) : slice).trim();
}

export function chunkDocument(markdown: string, opts: { maxTokens?: number; overlapTokens?: number } = {}): Chunk[] {
  const maxTokens = opts.maxTokens ?? 500;
  const overlapTokens = Math.min(opts.overlapTokens ?? 60, Math.floor(maxTokens / 4));
  const chunks: Chunk[] = [];
  for (const section of sections(markdown)) {
    const pieces = section.paragraphs.flatMap((p) => splitLong(p, maxTokens - overlapTokens));
    let current: string[] = [];
    let fresh = false;
    const emit = () => {
      const content = current.join("\n\n").trim();
      if (content && fresh) chunks.push({ ordinal: chunks.length, heading: section.heading, content, tokenCount: estimateTokens(content) });
    };
    for (const piece of pieces) {
      if (current.length && estimateTokens([...current, piece].join("\n\n")) > maxTokens) {
        emit();
        // Overlap: carry the end of the previous chunk so an answer spanning the cut is still found.
        const tail = overlapTail(current.join("\n\n"), overlapTokens);
        current = tail ? [tail] : [];
        fresh = false;
      }
      current.push(piece);
      fresh = true;
    }
    emit();
  }
  return chunks;
}
