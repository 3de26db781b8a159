import "server-only";
// Text out of uploaded files: .txt and .md as they are, .html through turndown, .pdf through unpdf
// (PDF.js), .docx through mammoth (→ HTML → markdown, so headings survive for chunking). A file we
// cannot read fails with a message that says why; nothing is stored for it.
import mammoth from "mammoth";
import TurndownService from "turndown";
import { AppError } from "@/lib/errors";
import { stripNul } from "@/lib/validation/text";

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

function decodeText(bytes: Uint8Array): string {
  // A NUL byte means a binary file with a text extension.
  if (bytes.subarray(0, 8192).includes(0)) throw unprocessable("This file is not text: it contains binary data.");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Old Windows files: Latin-1 decodes every byte, and is what such files nearly always are.
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** Tidies extracted text: one kind of line break, no trailing spaces, at most one blank line in a row. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\u00a0/g, " ")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

const firstHeading = (markdown: string) => /^#{1,2}\s+(.+?)\s*#*\s*$/m.exec(markdown)?.[1]?.trim();

function htmlToMarkdown(html: string): string {
  const td = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-", emDelimiter: "*" });
  td.remove(["script", "style", "noscript", "iframe", "head", "title", "template", "canvas", "form", "button", "nav"]);
  // Images carry no text the agent can use; keep their alt text only.
  td.addRule("image-alt", {
    filter: "img",
    replacement: (_c, node) => {
      const alt = (node as HTMLElement).getAttribute("alt")?.trim();
      return alt ? ` ${alt} ` : "";
    },
  });
  // Inline SVG is drawing, not text.
  td.remove((node) => node.nodeName.toLowerCase() === "svg");
  return td.turndown(html);
}

async function extractHtml(html: string): Promise<{ title?: string; markdown: string }> {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.replace(/\s+/g, " ").trim();
  const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html;
  const markdown = tidy(htmlToMarkdown(body));
  return { title: title ? decodeEntities(title) : undefined, markdown };
}

function decodeEntities(s: string): string {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => {
      // As browsers do: NUL and what is no character at all become U+FFFD (fromCodePoint would throw).
      const cp = Number(n);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
    });
}

async function extractPdf(bytes: Uint8Array): Promise<{ title?: string; markdown: string; pages: number }> {
  const { getDocumentProxy, extractText, getMeta } = await import("unpdf");
  let pdf;
  try {
    // PDF.js takes the buffer over: give it a copy.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (err) {
    const name = (err as { name?: string })?.name ?? "";
    if (name === "PasswordException") throw unprocessable("This PDF is password-protected. Remove the password and upload it again.");
    throw unprocessable("This file is not a readable PDF (it may be damaged or not a PDF at all).");
  }
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    let title: string | undefined;
    try {
      const meta = await getMeta(pdf);
      const t = (meta.info as { Title?: unknown } | undefined)?.Title;
      if (typeof t === "string" && t.trim()) title = t.trim();
    } catch {
      // metadata is optional
    }
    const pages = (text as string[]).map((p) => tidy(p)).filter(Boolean);
    return { title, markdown: pages.join("\n\n"), pages: totalPages };
  } catch {
    throw unprocessable("The text of this PDF could not be read (it may be damaged).");
  } finally {
    void pdf.destroy();
  }
}

async function extractDocx(bytes: Uint8Array): Promise<{ markdown: string }> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
  } catch {
    throw unprocessable("This file is not a readable Word document (.docx). Old .doc files need saving as .docx first.");
  }
  return { markdown: tidy(htmlToMarkdown(html)) };
}

/**
 * Extracts the text of one uploaded file as markdown. Throws AppError("unprocessable") with a
 * reason a person can act on: unsupported type, empty, damaged, password-protected, a scan without
 * text, or too long.
 */
export async function extractDocument(file: { filename: string; contentType?: string | null; bytes: Uint8Array }): Promise<Extracted> {
  const type = uploadType(file.filename, file.contentType);
  if (!type) throw unprocessable(`"${file.filename.slice(0, 80)}" is not a supported file type. Upload .txt, .md, .html, .pdf or .docx.`);
  if (file.bytes.byteLength === 0) throw unprocessable("The file is empty.");
  if (file.bytes.byteLength > MAX_UPLOAD_BYTES) throw new AppError("payload_too_large", `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);

  let title: string | undefined;
  let markdown: string;
  let pages: number | undefined;
  switch (type) {
    case "txt":
    case "md":
      markdown = tidy(decodeText(file.bytes));
      if (type === "md") title = firstHeading(markdown);
      break;
    case "html": {
      const r = await extractHtml(decodeText(file.bytes));
      title = r.title ?? firstHeading(r.markdown);
      markdown = r.markdown;
      break;
    }
    case "pdf": {
      const r = await extractPdf(file.bytes);
      title = r.title;
      markdown = r.markdown;
      pages = r.pages;
      if (!markdown) throw unprocessable("This PDF has no text layer (it is probably a scan). Upload a PDF with selectable text, or paste the text as an article.");
      break;
    }
    case "docx": {
      const r = await extractDocx(file.bytes);
      markdown = r.markdown;
      title = firstHeading(markdown);
      break;
    }
  }
  if (!/[\p{L}\p{N}]/u.test(markdown)) throw unprocessable("No text was found in this file.");
  if (markdown.length > MAX_TEXT_CHARS) {
    throw unprocessable(`This file has ${markdown.length.toLocaleString("en")} characters of text; the limit is ${MAX_TEXT_CHARS.toLocaleString("en")}. Split it into smaller files.`);
  }
  // A PDF's text layer or metadata can hold NUL, which PostgreSQL cannot store: dropped, never a 500.
  return { type, title: stripNul(title || titleFromFilename(file.filename)).slice(0, 200), markdown: stripNul(markdown), pages };
}
