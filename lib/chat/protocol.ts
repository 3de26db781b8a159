// The chat page's wire format, shared by the route handlers, the chat page, tests and the benchmark:
// message views with nothing internal in them, and server-sent events on a streamed POST response.
// No server-only imports: the browser bundles this file.

export const MAX_CHAT_TEXT = 4000;
export const MAX_CHAT_BODY_BYTES = 32 * 1024;
/** How often the chat page and the inbox ask for new messages while visible. */
export const POLL_INTERVAL_MS = 1000;
export const HIDDEN_POLL_INTERVAL_MS = 5000;
/** A poll re-reads this much before its cursor, so a message committed late is not skipped. */
export const CURSOR_OVERLAP_MS = 10_000;

export type ChatRole = "customer" | "assistant" | "agent";

/** One message as the customer sees it: no source, cost, notes or staff names. */
export type ChatMessage = {
  id: string;
  role: ChatRole;
  content: string;
  createdAt: string;
  /** the widget's own id for a customer message, so an optimistic bubble meets its stored row */
  clientId: string | null;
  /** for an answer: the customer message it answers */
  replyTo: string | null;
};

/**
 * new: nothing sent yet; open: the assistant answers; waiting_human: handed to the team, nobody has
 * picked it up; with_person: a member of the team took it over; closed: the team closed it.
 */
export type ChatStatus = "new" | "open" | "waiting_human" | "with_person" | "closed";

export type ChatState = {
  status: ChatStatus;
  /** whether the business is open now, and when it opens next if not */
  hours: { open: boolean; next: string | null };
  /** the satisfaction survey of the visitor's latest conversation, once it was closed */
  csat?: { conversationId: string; rating: number | null } | null;
};

export type ChatContact = { kind: "email" | "phone"; masked: string };

export type ChatPoll = {
  messages: ChatMessage[];
  /** pass back as ?after= on the next poll */
  cursor: string | null;
  state: ChatState;
};

export type NoReplyReason = "duplicate" | "blocked" | "rate_limited" | "abuse" | "waiting_human" | "opted_out" | "empty" | "csat_rating";

export type ChatEvent =
  | { type: "accepted"; message: ChatMessage }
  | { type: "delta"; text: string }
  /** a model failed mid-answer: drop the text streamed so far, another answer follows */
  | { type: "reset" }
  | { type: "done"; reply: ChatMessage | null; noReply: { reason: NoReplyReason; message: string | null } | null; handedOff: boolean; state: ChatState }
  | { type: "error"; message: string };

export type ChatErrorBody = { error: { code: string; message: string } };

const EVENT_TYPES = new Set(["accepted", "delta", "reset", "done", "error"]);

/** One event in text/event-stream framing. */
export function encodeEvent(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Reads text/event-stream chunks (split anywhere) back into events. */
export class ChatEventParser {
  private buffer = "";

  push(chunk: string): ChatEvent[] {
    this.buffer += chunk.replace(/\r\n/g, "\n");
    const out: ChatEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let type = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (!EVENT_TYPES.has(type) || !data.length) continue;
      try {
        out.push({ type, ...(JSON.parse(data.join("\n")) as object) } as ChatEvent);
      } catch {
        // a malformed block is skipped, not fatal
      }
    }
    return out;
  }
}

/** What the widget shows when a message got no answer. */
export function noReplyNotice(reason: NoReplyReason, message: string | null): string | null {
  switch (reason) {
    case "rate_limited":
      return message ?? "You're sending messages a little fast. Please wait a moment and try again.";
    case "blocked":
      return "This chat can't take your messages right now.";
    case "abuse":
      return "We couldn't answer that message.";
    case "waiting_human":
    case "duplicate":
    case "csat_rating":
      return null;
    default:
      return message;
  }
}
