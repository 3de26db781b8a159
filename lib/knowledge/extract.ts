import "server-only";
// Text out of uploaded files: .txt and .md as they are, .html through turndown, .pdf through unpdf
// (PDF.js), .docx through mammoth (→ HTML → markdown, so headings survive for chunking), all read in
// a worker thread (parse-worker.mjs) with time, memory and stack limits. A file we cannot read fails
// with a message that says why.
import { Worker } from "node:worker_threads";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { stripNul } from "@/lib/validation/text";
import { atxHeading } from "./chunk";

export const UPLOAD_TYPES = ["txt", "md", "html", "pdf", "docx"] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/** The largest file accepted, and the most text kept from one (about 250k tokens, 500 chunks). */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_TEXT_CHARS = 1_000_000;

export type Extracted = { type: UploadType; title: string; markdown: string; pages?: number };

const EXTENSIONS: Record<string, UploadType> = {
  txt: "txt",
  text: "txt",
  md: "md",
  markdown: "md",
  html: "html",
  htm: "html",
  pdf: "pdf",
  docx: "docx",
};

const MIME: Record<string, UploadType> = {
  "text/plain": "txt",
  "text/markdown": "md",
  "text/x-markdown": "md",
  "text/html": "html",
  "application/pdf": "pdf",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
};

const unprocessable = (message: string) => new AppError("unprocessable", message);
/** The file itself could not be read (not its type or size): the upload is recorded as failed, with why. */
const unreadable = (message: string, reason: string) => new AppError("unprocessable", message, { reason });

/** The file's type from its extension (or, without one, its content type); null when unsupported. */
export function uploadType(filename: string, contentType?: string | null): UploadType | null {
  const ext = /\.([a-z0-9]+)$/i.exec(filename.trim())?.[1]?.toLowerCase();
  if (ext) return EXTENSIONS[ext] ?? null;
  const mime = contentType?.split(";")[0]?.trim().toLowerCase();
  return (mime && MIME[mime]) || null;
}

/** A title from the file name: "after-care_guide.pdf" → "after care guide". */
export function titleFromFilename(filename: string): string {
  const base = filename.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");
  const words = base.replace(/[_-]+/g, " ").replace(/\s+/g, " ").trim();
  return (words || "Untitled document").slice(0, 200);
}

/**
 * What one file may cost to read. The parsers are synchronous, and some inputs make them slow or
 * deep (20,000 nested <div>s: seconds of parsing, then a stack overflow), so each file is read in a
 * worker thread with these limits and stopped when it takes longer; the server goes on serving.
 */
export type ParseLimits = { timeMs: number; memoryMb: number; stackMb: number };
export const PARSE_LIMITS: ParseLimits = { timeMs: 10_000, memoryMb: 256, stackMb: 4 };

/** Files read at once in this process: each worker may take PARSE_LIMITS.memoryMb; the rest wait. */
const MAX_PARALLEL_PARSES = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function oneOf<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL_PARSES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** The worker's one answer, read as the boundary it is. */
const WorkerAnswer = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), markdown: z.string(), title: z.string().optional(), pages: z.number().int().nonnegative().optional() }),
  z.object({ ok: z.literal(false), reason: z.string(), message: z.string(), detail: z.string().optional() }),
]);
type Parsed = { markdown: string; title?: string; pages?: number };

function parseInWorker(type: UploadType, bytes: Uint8Array, limits: ParseLimits): Promise<Parsed> {
  const seconds = (limits.timeMs / 1000).toLocaleString("en", { maximumFractionDigits: 2 });
  return new Promise<Parsed>((resolve, reject) => {
    // Written as new Worker(new URL(…, import.meta.url)) so Next bundles the worker file for production.
    const worker = new Worker(new URL("./parse-worker.mjs", import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(4, limits.memoryMb / 8)), stackSizeMb: limits.stackMb },
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(unreadable(`This file took longer than ${seconds} seconds to read, so it was stopped. Split it into smaller files or save it as plain text, and upload it again.`, "time_limit"))),
      limits.timeMs,
    );
    worker.once("message", (raw: unknown) => {
      const answer = WorkerAnswer.safeParse(raw);
      finish(() => {
        if (!answer.success) return reject(new Error("The file reader answered in an unexpected shape."));
        if (answer.data.ok) return resolve({ markdown: answer.data.markdown, title: answer.data.title, pages: answer.data.pages });
        if (answer.data.detail) console.warn(`[prismai] upload could not be read: ${answer.data.detail.slice(0, 300)}`);
        reject(unreadable(answer.data.message, answer.data.reason));
      });
    });
    worker.once("error", (err: Error & { code?: string }) =>
      finish(() =>
        reject(
          err.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? unreadable(`This file needs more than ${limits.memoryMb} MB of memory to read, so it was stopped. Split it into smaller files or save it as plain text, and upload it again.`, "memory_limit")
            : err,
        ),
      ),
    );
    worker.once("exit", (code) => finish(() => reject(new Error(`The file reader stopped (exit code ${code}) before it answered.`))));
    // The bytes move to the worker (a copy first: the caller keeps its own).
    const copy = new Uint8Array(bytes);
    worker.postMessage({ type, bytes: copy, maxChars: MAX_TEXT_CHARS }, [copy.buffer]);
  });
}

/**
 * Extracts the text of one uploaded file as markdown. Throws AppError("unprocessable") with a
 * reason a person can act on: unsupported type, empty, damaged, password-protected, a scan without
 * text, too long, nested too deeply, or over the time or memory a file may take (those the file
 * itself caused carry details.reason).
 */
export async function extractDocument(
  file: { filename: string; contentType?: string | null; bytes: Uint8Array },
  limits: ParseLimits = PARSE_LIMITS,
): Promise<Extracted> {
  const type = uploadType(file.filename, file.contentType);
  if (!type) throw unprocessable(`"${file.filename.slice(0, 80)}" is not a supported file type. Upload .txt, .md, .html, .pdf or .docx.`);
  if (file.bytes.byteLength === 0) throw unprocessable("The file is empty.");
  if (file.bytes.byteLength > MAX_UPLOAD_BYTES) throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);

  const parsed = await oneOf(() => parseInWorker(type, file.bytes, limits));
  // The worker drops NUL from the text; a title from a PDF's metadata can still hold one.
  const markdown = stripNul(parsed.markdown);
  if (!/[\p{L}\p{N}]/u.test(markdown)) throw unreadable("No text was found in this file.", "no_text");
  // Markdown and Word documents are titled by their first heading, web pages by <title> first.
  const title = parsed.title ?? (type === "txt" || type === "pdf" ? undefined : firstHeading(markdown));
  return { type, title: stripNul(title || titleFromFilename(file.filename)).slice(0, 200), markdown, pages: parsed.pages };
}

/** The first level-1 or level-2 heading of a markdown text, if any. */
function firstHeading(markdown: string): string | undefined {
  for (const line of markdown.split("\n")) {
    const h = atxHeading(line);
    if (h && h.level <= 2 && h.text) return h.text;
  }
  return undefined;
}
