// Answers as Telegram MarkdownV2. The model writes ordinary Markdown; Telegram's dialect differs and
// refuses a whole message over one unescaped "." or "-", so the answer is parsed (marked's lexer)
// and written out again: bold, italics, strikethrough, inline code, code blocks, links and quotes
// become MarkdownV2, lists become bullet lines, and every other character Telegram reserves is escaped
// (https://core.telegram.org/bots/api#markdownv2-style).
import { marked, type Token, type Tokens } from "marked";

/** Outside entities: _ * [ ] ( ) ~ ` > # + - = | { } . ! and the backslash itself. */
export function escapeMarkdownV2(text: string): string {
  return text.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, "\\$&");
}

/** Inside `code` and ```pre```: only ` and \. */
const escapeCode = (text: string) => text.replace(/[`\\]/g, "\\$&");
/** Inside a link's (url): only ) and \. */
const escapeUrl = (url: string) => url.replace(/[)\\]/g, "\\$&");

function inline(tokens: Token[] | undefined): string {
  let out = "";
  for (const t of tokens ?? []) {
    switch (t.type) {
      case "strong":
        out += `*${inline((t as Tokens.Strong).tokens)}*`;
        break;
      case "em":
        out += `_${inline((t as Tokens.Em).tokens)}_`;
        break;
      case "del":
        out += `~${inline((t as Tokens.Del).tokens)}~`;
        break;
      case "codespan":
        out += `\`${escapeCode((t as Tokens.Codespan).text)}\``;
        break;
      case "link": {
        const link = t as Tokens.Link;
        out += /^https?:\/\//i.test(link.href) ? `[${inline(link.tokens)}](${escapeUrl(link.href)})` : inline(link.tokens);
        break;
      }
      case "image":
        out += escapeMarkdownV2((t as Tokens.Image).text || (t as Tokens.Image).href);
        break;
      case "br":
        out += "\n";
        break;
      case "text": {
        const text = t as Tokens.Text;
        out += text.tokens?.length ? inline(text.tokens) : escapeMarkdownV2(text.text);
        break;
      }
      default:
        out += escapeMarkdownV2("text" in t && typeof t.text === "string" ? t.text : t.raw);
    }
  }
  return out;
}

function block(t: Token): string {
  switch (t.type) {
    case "paragraph":
      return inline((t as Tokens.Paragraph).tokens);
    case "heading":
      return `*${inline((t as Tokens.Heading).tokens)}*`;
    case "code":
      return `\`\`\`\n${escapeCode((t as Tokens.Code).text)}\n\`\`\``;
    case "blockquote":
      return (t as Tokens.Blockquote).tokens
        .map(block)
        .filter(Boolean)
        .join("\n")
        .split("\n")
        .map((line) => `>${line}`)
        .join("\n");
    case "list": {
      const list = t as Tokens.List;
      const start = typeof list.start === "number" ? list.start : 1;
      return list.items
        .map((item, i) => {
          const body = item.tokens.map((child) => (child.type === "text" ? inline((child as Tokens.Text).tokens ?? [child]) : block(child))).join("\n");
          return `${list.ordered ? `${start + i}\\.` : "•"} ${body}`;
        })
        .join("\n");
    }
    case "hr":
      return "\\-\\-\\-";
    case "space":
      return "";
    case "text": {
      const text = t as Tokens.Text;
      return text.tokens?.length ? inline(text.tokens) : escapeMarkdownV2(text.text);
    }
    default:
      return escapeMarkdownV2(t.raw.trim());
  }
}

/** An answer in MarkdownV2, ready for sendMessage with parse_mode "MarkdownV2". */
export function toMarkdownV2(markdown: string): string {
  try {
    return marked
      .lexer(markdown.trim(), { gfm: true })
      .map(block)
      .filter((b) => b.length > 0)
      .join("\n\n");
  } catch {
    return escapeMarkdownV2(markdown.trim());
  }
}
