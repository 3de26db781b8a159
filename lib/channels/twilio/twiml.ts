// TwiML: written with the SDK's builders, and read back (by the Channel simulator and the tests)
// with a small parser that knows the subset we emit.
import twilio from "twilio";

export const TWIML_HEADERS = { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" };

export function twimlResponse(xml: string, status = 200): Response {
  return new Response(xml, { status, headers: TWIML_HEADERS });
}

/** An acknowledgement that sends nothing. */
export function emptyTwiml(): string {
  return new twilio.twiml.MessagingResponse().toString();
}

/** Replies to an inbound message; each part is one outbound message, `action` gets its status callbacks. */
export function messagesTwiml(parts: { body: string; action?: string }[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const part of parts) response.message(part.action ? { action: part.action, method: "POST" } : {}, part.body);
  return response.toString();
}

// ---------------------------------------------------------------- reading TwiML back

export type TwimlNode = { name: string; attrs: Record<string, string>; children: (TwimlNode | string)[] };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === "#" ? String.fromCodePoint(e[1]?.toLowerCase() === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e.toLowerCase()]!,
  );

/** Parses a TwiML document into its <Response> element. Throws on markup it cannot read. */
export function parseTwiml(xml: string): TwimlNode {
  const root: TwimlNode = { name: "#document", attrs: {}, children: [] };
  const stack: TwimlNode[] = [root];
  const tag = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(xml))) {
    const [, closing, name, rawAttrs, selfClosing, text] = m;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (text.trim()) top.children.push(decode(text));
      continue;
    }
    if (!name) continue;
    if (closing) {
      if (top.name !== name) throw new Error(`Unbalanced TwiML: </${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (rawAttrs ?? "").matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = decode(a[2] ?? a[3] ?? "");
    const node: TwimlNode = { name, attrs, children: [] };
    top.children.push(node);
    if (!selfClosing) stack.push(node);
  }
  if (stack.length !== 1) throw new Error("Unclosed TwiML element");
  const response = root.children.find((c): c is TwimlNode => typeof c !== "string" && c.name === "Response");
  if (!response) throw new Error("TwiML has no <Response>");
  return response;
}

export const textOf = (node: TwimlNode): string =>
  node.children.map((c) => (typeof c === "string" ? c : c.name === "Media" ? "" : textOf(c))).join("").trim();

const elements = (node: TwimlNode) => node.children.filter((c): c is TwimlNode => typeof c !== "string");

/** The messages a messaging TwiML reply sends. */
export function readMessages(xml: string): { body: string; media: string[]; action?: string }[] {
  return elements(parseTwiml(xml))
    .filter((n) => n.name === "Message")
    .map((n) => ({
      body: textOf(n),
      media: elements(n)
        .filter((c) => c.name === "Media")
        .map(textOf),
      action: n.attrs.action,
    }));
}

export type VoiceStep =
  | { verb: "Say"; text: string; voice?: string; language?: string }
  | { verb: "Gather"; action: string; attrs: Record<string, string>; prompts: { text: string; voice?: string; language?: string }[] }
  | { verb: "Dial"; number: string; action?: string; attrs: Record<string, string> }
  | { verb: "Redirect"; url: string }
  | { verb: "Pause"; length: number }
  | { verb: "Hangup" }
  | { verb: "Record"; action?: string };

/** The verbs of a voice TwiML reply, in order. */
export function readVoice(xml: string): VoiceStep[] {
  const say = (n: TwimlNode) => ({ text: textOf(n), voice: n.attrs.voice, language: n.attrs.language });
  return elements(parseTwiml(xml)).map((n): VoiceStep => {
    switch (n.name) {
      case "Say":
        return { verb: "Say", ...say(n) };
      case "Gather":
        return { verb: "Gather", action: n.attrs.action ?? "", attrs: n.attrs, prompts: elements(n).filter((c) => c.name === "Say").map(say) };
      case "Dial": {
        const number = elements(n).find((c) => c.name === "Number");
        return { verb: "Dial", number: number ? textOf(number) : textOf(n), action: n.attrs.action, attrs: n.attrs };
      }
      case "Redirect":
        return { verb: "Redirect", url: textOf(n) };
      case "Pause":
        return { verb: "Pause", length: Number(n.attrs.length ?? 1) };
      case "Hangup":
        return { verb: "Hangup" };
      case "Record":
        return { verb: "Record", action: n.attrs.action };
      default:
        throw new Error(`Unexpected TwiML verb <${n.name}>`);
    }
  });
}
