// Markdown → HTML for showing articles (marked), made safe: raw HTML in the source is shown as text,
// and links and images keep only http(s), mailto, tel and relative targets. Used on the server and
// in the editor's live preview.
import { Marked, type Tokens } from "marked";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A link target that cannot run script: http(s), mailto, tel, or relative. */
export function safeHref(href: string | null | undefined): string | null {
  if (!href) return null;
  const h = href.trim();
  // Browsers ignore control characters and whitespace inside the scheme ("java\nscript:").
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(h.replace(/[\u0000-\u0020]/g, ""));
  if (!scheme) return h;
  return ["http", "https", "mailto", "tel"].includes(scheme[1]!.toLowerCase()) ? h : null;
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(text);
    },
    link(this: { parser: { parseInline: (t: Tokens.Link["tokens"]) => string } }, { href, title, tokens }: Tokens.Link) {
      const inner = this.parser.parseInline(tokens);
      const safe = safeHref(href);
      if (!safe) return inner;
      return `<a href="${escapeHtml(safe)}"${title ? ` title="${escapeHtml(title)}"` : ""} rel="noopener noreferrer nofollow" target="_blank">${inner}</a>`;
    },
    image({ href, title, text }: Tokens.Image) {
      const safe = safeHref(href);
      if (!safe) return escapeHtml(text);
      return `<img src="${escapeHtml(safe)}" alt="${escapeHtml(text)}"${title ? ` title="${escapeHtml(title)}"` : ""} loading="lazy">`;
    },
  },
});

export function renderMarkdown(markdown: string): string {
  return marked.parse(markdown, { async: false }) as string;
}
