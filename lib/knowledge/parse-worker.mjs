// The text of one uploaded file, read in a worker thread so no file can stall the server: the parsers
// (turndown's HTML parser, PDF.js, mammoth) are synchronous and some inputs make them slow or deep
// (20,000 nested <div>s take seconds, then overflow the stack). lib/knowledge/extract.ts starts this
// worker per file with memory and stack limits and terminates it after a time limit.
//
// Plain JavaScript on purpose: Node runs it as it is under jest, and Next bundles it from
// `new Worker(new URL("./parse-worker.mjs", import.meta.url))` for the production build.
//
// In:  one message { type: "txt" | "md" | "html" | "pdf" | "docx", bytes: Uint8Array, maxChars: number }
// Out: one message { ok: true, markdown, title?, pages? } or { ok: false, reason, message }
import { parentPort } from "node:worker_threads";

/** A failure whose message is for the person who uploaded the file. */
class Unreadable extends Error {
  constructor(message, reason = "unreadable") {
    super(message);
    this.reason = reason;
  }
}

function decodeText(bytes) {
  // A NUL byte near the start means a binary file with a text extension.
  if (bytes.subarray(0, 8192).includes(0)) throw new Unreadable("This file is not text: it contains binary data.");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Old Windows files: Latin-1 decodes every byte, and is what such files nearly always are.
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** Spaces and tabs off the end of a line, in linear time (/[ \t]+$/gm is quadratic on long runs). */
function trimLineEnd(line) {
  let end = line.length;
  while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** One kind of line break, no NUL, no trailing spaces, at most one blank line in a row. */
function tidy(text) {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\u0000/g, "")
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map(trimLineEnd)
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function decodeEntities(s) {
  return s
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => {
      // As browsers do: NUL and what is no character at all become U+FFFD (fromCodePoint would throw).
      const cp = Number(n);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
    });
}

/** Deeper than this no page written by a person goes (browsers' parsers stop nesting at 512). */
const MAX_HTML_DEPTH = 1000;
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]);
const RAW_TEXT = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);
const set = (...names) => new Set(names);
const CLOSES_P = { closes: set("p"), within: set("table", "td", "th", "caption", "button") };
/** What opening an element closes, as HTML's parser does: an open one of `closes` above any of `within`. */
const IMPLIED_END = new Map([
  ["p", CLOSES_P],
  ...["div", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "aside", "header", "footer", "nav", "main", "blockquote", "pre", "form", "address", "details", "fieldset", "figure", "menu"].map((n) => [n, CLOSES_P]),
  ["li", { closes: set("li"), within: set("ul", "ol", "menu") }],
  ["dt", { closes: set("dt", "dd"), within: set("dl") }],
  ["dd", { closes: set("dt", "dd"), within: set("dl") }],
  ["tr", { closes: set("tr"), within: set("table", "tbody", "thead", "tfoot") }],
  ["td", { closes: set("td", "th"), within: set("tr", "table") }],
  ["th", { closes: set("td", "th"), within: set("tr", "table") }],
  ["tbody", { closes: set("tbody", "thead", "tfoot"), within: set("table") }],
  ["thead", { closes: set("tbody", "thead", "tfoot"), within: set("table") }],
  ["tfoot", { closes: set("tbody", "thead", "tfoot"), within: set("table") }],
  ["option", { closes: set("option"), within: set("select", "datalist") }],
]);

/**
 * How deep the page's elements nest, counted in one pass over its tags and given up past `max`. The
 * HTML parser turndown uses takes time quadratic in the depth (20,000 levels: seconds, then a stack
 * overflow), so a page nested deeper than any real one is refused before it is parsed. Elements HTML
 * closes by themselves (an unclosed <p>, <li> or cell) are closed here too.
 */
function htmlDepth(html, max) {
  const stack = [];
  let deepest = 0;
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>|<!--/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (m[0] === "<!--") {
      const end = html.indexOf("-->", tag.lastIndex);
      if (end < 0) break;
      tag.lastIndex = end + 3;
      continue;
    }
    const name = m[2].toLowerCase();
    if (m[1]) {
      const at = stack.lastIndexOf(name);
      if (at >= 0) stack.length = at;
      continue;
    }
    if (VOID.has(name) || m[0].endsWith("/>")) continue;
    if (RAW_TEXT.has(name)) {
      const close = new RegExp(`</${name}`, "gi");
      close.lastIndex = tag.lastIndex;
      if (!close.exec(html)) break;
      tag.lastIndex = close.lastIndex;
      continue;
    }
    const rule = IMPLIED_END.get(name);
    if (rule) {
      for (let i = stack.length - 1; i >= 0 && !rule.within.has(stack[i]); i--) {
        if (rule.closes.has(stack[i])) {
          stack.length = i;
          break;
        }
      }
    }
    stack.push(name);
    deepest = Math.max(deepest, stack.length);
    if (deepest > max) break;
  }
  return deepest;
}

async function htmlToMarkdown(html) {
  if (htmlDepth(html, MAX_HTML_DEPTH) > MAX_HTML_DEPTH) {
    throw new Unreadable(`This file nests its elements more than ${MAX_HTML_DEPTH.toLocaleString("en")} levels deep, deeper than any real page or document. Save it as plain text or simplify it, and upload it again.`, "too_deep");
  }
  const { default: TurndownService } = await import("turndown");
  const td = new TurndownService({ headingStyle: "atx", codeBlockStyle: "fenced", bulletListMarker: "-", emDelimiter: "*" });
  td.remove(["script", "style", "noscript", "iframe", "head", "title", "template", "canvas", "form", "button", "nav"]);
  // Images carry no text the agent can use; keep their alt text only.
  td.addRule("image-alt", {
    filter: "img",
    replacement: (_c, node) => {
      const alt = node.getAttribute("alt")?.trim();
      return alt ? ` ${alt} ` : "";
    },
  });
  // Inline SVG is drawing, not text.
  td.remove((node) => node.nodeName.toLowerCase() === "svg");
  try {
    return td.turndown(html);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new Unreadable("This file nests its elements too deeply to read. Save it as plain text or simplify it, and upload it again.", "too_deep");
    }
    throw err;
  }
}

/** Where `pattern` (a global, case-insensitive regular expression) next matches in `s` from `from`; -1 when it does not. */
function search(s, pattern, from = 0) {
  pattern.lastIndex = from;
  return pattern.exec(s)?.index ?? -1;
}

async function extractHtml(html) {
  // Searches, not one regular expression over the whole page: linear whatever the page holds.
  const t0 = search(html, /<title/gi);
  const t1 = t0 >= 0 ? html.indexOf(">", t0) : -1;
  const t2 = t1 >= 0 ? search(html, /<\/title>/gi, t1) : -1;
  const title = t2 >= 0 ? html.slice(t1 + 1, t2).replace(/\s+/g, " ").trim() : "";
  const b0 = search(html, /<body/gi);
  const b1 = b0 >= 0 ? html.indexOf(">", b0) : -1;
  let b2 = -1;
  for (let i = b1 >= 0 ? search(html, /<\/body>/gi, b1) : -1; i >= 0; i = search(html, /<\/body>/gi, i + 1)) b2 = i;
  const body = b2 > b1 ? html.slice(b1 + 1, b2) : html;
  return { title: title ? decodeEntities(title) : undefined, markdown: tidy(await htmlToMarkdown(body)) };
}

async function extractPdf(bytes) {
  const { getDocumentProxy, extractText, getMeta } = await import("unpdf");
  let pdf;
  try {
    pdf = await getDocumentProxy(bytes, { verbosity: 0, isEvalSupported: false });
  } catch (err) {
    if (err?.name === "PasswordException") throw new Unreadable("This PDF is password-protected. Remove the password and upload it again.");
    throw new Unreadable("This file is not a readable PDF (it may be damaged or not a PDF at all).");
  }
  try {
    const { totalPages, text } = await extractText(pdf, { mergePages: false });
    let title;
    try {
      const t = (await getMeta(pdf)).info?.Title;
      if (typeof t === "string" && t.trim()) title = t.trim();
    } catch {
      // metadata is optional
    }
    const markdown = text.map((p) => tidy(p)).filter(Boolean).join("\n\n");
    if (!markdown) throw new Unreadable("This PDF has no text layer (it is probably a scan). Upload a PDF with selectable text, or paste the text as an article.");
    return { title, markdown, pages: totalPages };
  } catch (err) {
    if (err instanceof Unreadable) throw err;
    throw new Unreadable("The text of this PDF could not be read (it may be damaged).");
  } finally {
    void pdf.destroy();
  }
}

async function extractDocx(bytes) {
  const { default: mammoth } = await import("mammoth");
  let html;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch {
    throw new Unreadable("This file is not a readable Word document (.docx). Old .doc files need saving as .docx first.");
  }
  return { markdown: tidy(await htmlToMarkdown(html)) };
}

async function extract(type, bytes) {
  switch (type) {
    case "txt":
    case "md":
      return { markdown: tidy(decodeText(bytes)) };
    case "html":
      return extractHtml(decodeText(bytes));
    case "pdf":
      return extractPdf(bytes);
    case "docx":
      return extractDocx(bytes);
    default:
      throw new Unreadable(`Unknown file type: ${String(type)}.`);
  }
}

parentPort.once("message", async ({ type, bytes, maxChars }) => {
  try {
    const r = await extract(type, bytes);
    if (r.markdown.length > maxChars) {
      const n = (x) => x.toLocaleString("en");
      throw new Unreadable(`This file has ${n(r.markdown.length)} characters of text; the limit is ${n(maxChars)}. Split it into smaller files.`, "too_long");
    }
    parentPort.postMessage({ ok: true, ...r });
  } catch (err) {
    if (err instanceof Unreadable) parentPort.postMessage({ ok: false, reason: err.reason, message: err.message });
    else if (err instanceof RangeError) parentPort.postMessage({ ok: false, reason: "too_deep", message: "This file is nested too deeply to read. Simplify it or save it as plain text, and upload it again." });
    else parentPort.postMessage({ ok: false, reason: "failed", message: "This file could not be read.", detail: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
