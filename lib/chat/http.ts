import "server-only";
// The chat API's wrapper and its streamed answer. Every call: the business's web channel by slug,
// the Origin against its allowed websites (the app's own origin always passes), the visitor's
// signed token where one is needed, errors as { error: { code, message } } the widget shows.
import { getDb } from "@/lib/db/client";
import { AppError, errorResponse, rateLimitedResponse } from "@/lib/errors";
import type { Message } from "@/lib/pipeline/types";
import type { ClaimedMessage } from "@/lib/pipeline/answer";
import { clientIp } from "@/lib/security/client-ip";
import { originAllowed } from "./origins";
import { encodeEvent, noReplyNotice, type ChatEvent } from "./protocol";
import { answerVisitorMessage, replyTo, toChatMessage, conversationState } from "./service";
import { bearerToken, readVisitorToken, type Visitor } from "./visitor";
import { findWebChat, ownOrigins, type WebChat } from "./web-channel";

export type ChatRoute = { chat: WebChat; ip: string | null };

const NO_STORE = { "cache-control": "no-store" };

export function chatError(err: unknown): Response {
  const res = errorResponse(err);
  res.headers.set("cache-control", "no-store");
  return res;
}

/** Route wrapper for /api/chat/[slug]/…: 404 for an unknown chat, 403 for a website not allowed. */
export function withChat(handler: (req: Request, route: ChatRoute) => Promise<Response>) {
  return async (req: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> => {
    try {
      const { slug } = await params;
      const chat = await findWebChat(await getDb(), slug);
      if (!chat) throw new AppError("not_found", "This chat doesn't exist.");
      if (!originAllowed(req.headers.get("origin"), chat.settings.allowedOrigins, ownOrigins(req))) {
        throw new AppError("forbidden", "This website isn't allowed to use this chat.");
      }
      return await handler(req, { chat, ip: clientIp(req.headers) });
    } catch (err) {
      return chatError(err);
    }
  };
}

/** The visitor behind the request's token: 401 without a genuine one, 403 when its website was removed. */
export async function requireVisitor(req: Request, chat: WebChat): Promise<Visitor> {
  const visitor = await readVisitorToken(bearerToken(req), chat.business.id);
  if (!visitor) throw new AppError("unauthorized", "Your chat session has expired. Reload the page to start again.");
  if (!originAllowed(visitor.origin, chat.settings.allowedOrigins, ownOrigins(req))) {
    throw new AppError("forbidden", "This website isn't allowed to use this chat.");
  }
  return visitor;
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}

function eventStream(events: ChatEvent[], more?: (write: (e: ChatEvent) => void) => Promise<void>, onOpen?: (write: (e: ChatEvent) => void) => void): Response {
  const encoder = new TextEncoder();
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (e: ChatEvent) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(encodeEvent(e)));
        } catch {
          open = false;
        }
      };
      for (const e of events) write(e);
      onOpen?.(write);
      const finish = () => {
        if (!open) return;
        open = false;
        controller.close();
      };
      if (more) void more(write).finally(finish);
      else finish();
    },
    cancel() {
      // The reader went away; the answer carries on and is stored, and the page gets it by polling.
      open = false;
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store, no-transform", "x-accel-buffering": "no" },
  });
}

const ANSWER_FAILED = "Sorry, we couldn't answer just now. We have your message and will reply here shortly.";

/**
 * Answers a stored message as a stream of events. The status is chosen before the first byte: when
 * the pipeline refuses the message (rate limit, blocked) before any text, the reply is a 4xx with
 * the reason; otherwise 200 and the events as they come.
 */
export async function answerResponse(chat: WebChat, message: Message, ip: string | null, claimed?: ClaimedMessage | null): Promise<Response> {
  const buffered: ChatEvent[] = [{ type: "accepted", message: toChatMessage(message) }];
  let sink: ((e: ChatEvent) => void) | null = null;
  const emit = (e: ChatEvent) => (sink ? sink(e) : void buffered.push(e));
  let markStreaming!: () => void;
  const streaming = new Promise<"streaming">((resolve) => (markStreaming = () => resolve("streaming")));
  const work = answerVisitorMessage(chat, message, {
    ip,
    claimed,
    onDelta: (text) => {
      emit({ type: "delta", text });
      markStreaming();
    },
    onReset: () => emit({ type: "reset" }),
  }).then(
    (r) => ({ ok: true as const, ...r }),
    (err: unknown) => ({ ok: false as const, err }),
  );

  const first = await Promise.race([streaming, work]);
  if (first !== "streaming" && first.ok && first.outcome.noReply) {
    const { reason, message: text, retryAfterSeconds } = first.outcome.noReply;
    if (reason === "rate_limited") {
      return rateLimitedResponse(noReplyNotice(reason, text ?? null) ?? "Please wait a moment and try again.", {
        retryAfterSeconds,
        extra: { message: toChatMessage(message) },
        headers: NO_STORE,
      });
    }
    if (reason === "blocked") return json({ error: { code: "forbidden", message: noReplyNotice(reason, null) } }, 403);
  }

  return eventStream(
    buffered,
    async (write) => {
      const r = await work;
      if (!r.ok) {
        console.error("[prismai] chat answer failed", r.err instanceof Error ? r.err.message : String(r.err));
        write({ type: "error", message: ANSWER_FAILED });
        return;
      }
      const { outcome, state } = r;
      write({
        type: "done",
        reply: outcome.reply ? toChatMessage(outcome.reply) : null,
        noReply: outcome.noReply ? { reason: outcome.noReply.reason, message: noReplyNotice(outcome.noReply.reason, outcome.noReply.message ?? null) } : null,
        handedOff: outcome.handedOff,
        state,
      });
    },
    (write) => {
      sink = write;
    },
  );
}

/** A message sent again with the same clientId: the first answer, never a second one. */
export async function repeatResponse(chat: WebChat, message: Message): Promise<Response> {
  const reply = await replyTo(chat, message.id);
  const state = await conversationState(chat, message.conversationId);
  return eventStream([
    { type: "accepted", message: toChatMessage(message) },
    { type: "done", reply: reply ? toChatMessage(reply) : null, noReply: reply ? null : { reason: "duplicate", message: null }, handedOff: false, state },
  ]);
}
