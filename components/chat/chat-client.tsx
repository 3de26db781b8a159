"use client";
// The customer's chat: one page for /chat/[slug] and the widget's frame. Anonymous visitor token in
// localStorage, answers streamed from the POST response, everything else (staff replies, status
// changes) by polling GET …/messages?after=<cursor> every second.
import Image from "next/image";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Send, X } from "lucide-react";
import { usePoll } from "@/hooks/use-poll";
import { originAllowed } from "@/lib/chat/origins";
import { contactFormConsentWording } from "@/lib/campaigns/channel-rules";
import {
  ChatEventParser,
  HIDDEN_POLL_INTERVAL_MS,
  MAX_CHAT_TEXT,
  POLL_INTERVAL_MS,
  type ChatContact,
  type ChatEvent,
  type ChatMessage,
  type ChatPoll,
  type ChatState,
} from "@/lib/chat/protocol";

export type ChatBranding = { name: string; logoUrl: string | null; brandColor: string; greeting: string; showPrismBranding: boolean };

type Pending = { clientId: string; content: string; createdAt: string; failed?: boolean };
type Streaming = { clientId: string; messageId: string | null; text: string };
type Saved = { token: string; contact?: ChatContact | null };

const storageKey = (slug: string) => `prismai.chat.${slug}`;

function readSaved(slug: string): Saved | null {
  try {
    const v = JSON.parse(window.localStorage.getItem(storageKey(slug)) ?? "null") as Saved | null;
    return v && typeof v.token === "string" ? v : null;
  } catch {
    return null;
  }
}

function writeSaved(slug: string, value: Saved | null) {
  try {
    if (value) window.localStorage.setItem(storageKey(slug), JSON.stringify(value));
    else window.localStorage.removeItem(storageKey(slug));
  } catch {
    // storage blocked (private mode): the chat still works for this page view
  }
}

function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** Black or white text, whichever reads better on the brand colour. */
export function textOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) return "#ffffff";
  const n = parseInt(m[1]!, 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.4 ? "#0f172a" : "#ffffff";
}

function byTime(a: { createdAt: string; id?: string }, b: { createdAt: string; id?: string }) {
  return a.createdAt.localeCompare(b.createdAt) || (a.id ?? "").localeCompare(b.id ?? "");
}

async function errorMessage(res: Response): Promise<{ message: string; stored: ChatMessage | null }> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string }; message?: ChatMessage } | null;
  return { message: body?.error?.message ?? `Something went wrong (${res.status}). Please try again.`, stored: body?.message ?? null };
}

export function ChatClient({
  slug,
  branding,
  embed,
  allowedOrigins,
  appOrigin,
  initialState,
}: {
  slug: string;
  branding: ChatBranding;
  embed: boolean;
  allowedOrigins: string[];
  appOrigin: string;
  initialState: ChatState;
}) {
  const [frame, setFrame] = useState<"checking" | "ok" | "refused">("checking");
  const [token, setToken] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [pending, setPending] = useState<Pending[]>([]);
  const [streams, setStreams] = useState<Streaming[]>([]);
  const [notices, setNotices] = useState<Record<string, string>>({});
  const [state, setState] = useState<ChatState>(initialState);
  const [problem, setProblem] = useState<string | null>(null);
  const [text, setText] = useState("");
  const [contact, setContact] = useState<ChatContact | null>(null);
  const cursor = useRef<string | null>(null);
  const embedOrigin = useRef<string | null>(null);
  const ownStreams = useRef(new Set<string>());
  const frameOpen = useRef(true);
  const unread = useRef(0);
  const endRef = useRef<HTMLDivElement>(null);

  const brandText = textOn(branding.brandColor);
  const style = { "--brand": branding.brandColor, "--brand-text": brandText } as React.CSSProperties;

  // ---- the frame check: only the websites the business allows may show this chat
  useEffect(() => {
    const inFrame = window.parent !== window;
    const ancestors = window.location.ancestorOrigins;
    let parent: string | null = ancestors && ancestors.length ? ancestors[0]! : null;
    if (!parent && document.referrer) {
      try {
        parent = new URL(document.referrer).origin;
      } catch {
        parent = null;
      }
    }
    if (parent === "null") parent = null;
    embedOrigin.current = inFrame ? parent : null;
    const ok = !inFrame || !allowedOrigins.length || (parent !== null && originAllowed(parent, allowedOrigins, [appOrigin, window.location.origin]));
    // One decision on mount, from what the browser reports about the embedding page.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setFrame(ok ? "ok" : "refused");
  }, [allowedOrigins, appOrigin]);

  const startSession = useCallback(async () => {
    setProblem(null);
    const res = await fetch(`/api/chat/${slug}/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ embedOrigin: embedOrigin.current }),
    }).catch(() => null);
    if (!res) return setProblem("We couldn't reach the chat. Check your connection and reload the page.");
    if (!res.ok) return setProblem((await errorMessage(res)).message);
    const { token: t } = (await res.json()) as { token: string };
    writeSaved(slug, { token: t });
    cursor.current = null;
    setToken(t);
  }, [slug]);

  useEffect(() => {
    if (frame !== "ok") return;
    const saved = readSaved(slug);
    if (saved) {
      // Restoring the visitor from localStorage happens once, after the frame check.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setToken(saved.token);
      setContact(saved.contact ?? null);
    } else void startSession();
  }, [frame, slug, startSession]);

  const expired = useCallback(() => {
    writeSaved(slug, null);
    setToken(null);
    setMessages([]);
    setContact(null);
    void startSession();
  }, [slug, startSession]);

  const merge = useCallback((list: ChatMessage[], fromPoll = false) => {
    if (!list.length) return;
    setMessages((prev) => {
      const map = new Map(prev.map((m) => [m.id, m]));
      let fresh = 0;
      for (const m of list) {
        if (!map.has(m.id) && m.role !== "customer" && fromPoll && !(m.replyTo && ownStreams.current.has(m.replyTo))) fresh++;
        map.set(m.id, m);
      }
      if (fresh && embed && !frameOpen.current) {
        unread.current += fresh;
        window.parent.postMessage({ type: "prismai:unread", count: unread.current }, "*");
      }
      return [...map.values()].sort(byTime);
    });
    const stored = new Set(list.flatMap((m) => (m.clientId ? [m.clientId] : [])));
    if (stored.size) setPending((p) => p.filter((x) => !stored.has(x.clientId)));
  }, [embed]);

  const poll = useCallback(async () => {
    if (!token) return;
    const after = cursor.current ? `?after=${encodeURIComponent(cursor.current)}` : "";
    const res = await fetch(`/api/chat/${slug}/messages${after}`, { headers: { authorization: `Bearer ${token}` }, cache: "no-store" });
    if (res.status === 401) return expired();
    if (!res.ok) return;
    const body = (await res.json()) as ChatPoll;
    merge(body.messages, true);
    cursor.current = body.cursor;
    setState(body.state);
  }, [token, slug, merge, expired]);

  useEffect(() => {
    // the first load as soon as there is a token; usePoll keeps it fresh afterwards
    if (token) void poll();
  }, [token, poll]);
  usePoll(poll, { intervalMs: POLL_INTERVAL_MS, hiddenMs: HIDDEN_POLL_INTERVAL_MS, enabled: Boolean(token) });

  // ---- the widget's launcher tells the frame whether it is open (for the unread badge)
  useEffect(() => {
    if (!embed) return;
    const onMessage = (e: MessageEvent) => {
      if (e.source !== window.parent || typeof e.data !== "object" || e.data?.type !== "prismai:open") return;
      frameOpen.current = Boolean(e.data.open);
      if (frameOpen.current) unread.current = 0;
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [embed]);

  const handle = useCallback(
    (clientId: string, ev: ChatEvent) => {
      switch (ev.type) {
        case "accepted":
          ownStreams.current.add(ev.message.id);
          merge([ev.message]);
          setStreams((s) => s.map((x) => (x.clientId === clientId ? { ...x, messageId: ev.message.id } : x)));
          break;
        case "delta":
          setStreams((s) => s.map((x) => (x.clientId === clientId ? { ...x, text: x.text + ev.text } : x)));
          break;
        case "reset":
          setStreams((s) => s.map((x) => (x.clientId === clientId ? { ...x, text: "" } : x)));
          break;
        case "done":
          if (ev.reply) merge([ev.reply]);
          setState(ev.state);
          if (ev.noReply?.message) setNotices((n) => ({ ...n, [clientId]: ev.noReply!.message! }));
          break;
        case "error":
          setNotices((n) => ({ ...n, [clientId]: ev.message }));
          break;
      }
    },
    [merge],
  );

  const send = useCallback(
    async (content: string, clientId = newClientId()) => {
      if (!token) return;
      setNotices((n) => {
        const rest = { ...n };
        delete rest[clientId];
        return rest;
      });
      setPending((p) => [...p.filter((x) => x.clientId !== clientId), { clientId, content, createdAt: new Date().toISOString() }]);
      setStreams((s) => [...s, { clientId, messageId: null, text: "" }]);
      try {
        const res = await fetch(`/api/chat/${slug}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ text: content, clientId }),
        });
        if (!res.ok) {
          if (res.status === 401) return expired();
          const { message, stored } = await errorMessage(res);
          if (stored) merge([stored]);
          else setPending((p) => p.map((x) => (x.clientId === clientId ? { ...x, failed: true } : x)));
          setNotices((n) => ({ ...n, [clientId]: message }));
          return;
        }
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        const parser = new ChatEventParser();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const ev of parser.push(decoder.decode(value, { stream: true }))) handle(clientId, ev);
        }
      } catch {
        setPending((p) => p.map((x) => (x.clientId === clientId ? { ...x, failed: true } : x)));
        setNotices((n) => ({ ...n, [clientId]: "We couldn't reach the chat. Check your connection and try again." }));
      } finally {
        setStreams((s) => s.filter((x) => x.clientId !== clientId));
      }
    },
    [token, slug, merge, handle, expired],
  );

  const submit = () => {
    const content = text.trim();
    if (!content || !token) return;
    setText("");
    void send(content.slice(0, MAX_CHAT_TEXT));
  };

  // Streams whose stored answer has arrived (by poll or by the done event) give way to it.
  const answered = useMemo(() => new Set(messages.flatMap((m) => (m.replyTo ? [m.replyTo] : []))), [messages]);
  const liveStreams = streams.filter((s) => !(s.messageId && answered.has(s.messageId)));
  const waiting = liveStreams.some((s) => !s.text);
  const streamedChars = liveStreams.reduce((n, s) => n + s.text.length, 0);

  useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [messages.length, pending.length, liveStreams.length, streamedChars]);

  const close = () => window.parent.postMessage({ type: "prismai:close" }, "*");

  if (frame === "refused") {
    return (
      <main style={style} className="flex h-[100dvh] items-center justify-center bg-white p-6 text-center text-sm text-slate-600">
        This chat isn&apos;t available on this website.
      </main>
    );
  }

  return (
    <main style={style} className="flex h-[100dvh] flex-col bg-white text-slate-900">
      <header className="flex items-center gap-3 px-4 py-3 shadow-sm" style={{ background: "var(--brand)", color: "var(--brand-text)" }}>
        {branding.logoUrl ? (
          <Image src={branding.logoUrl} alt="" width={32} height={32} unoptimized className="h-8 w-8 rounded-full bg-white object-contain" />
        ) : (
          <span aria-hidden className="flex h-8 w-8 items-center justify-center rounded-full bg-white/20 text-sm font-semibold">
            {branding.name.slice(0, 1).toUpperCase()}
          </span>
        )}
        <h1 className="min-w-0 flex-1 truncate text-base font-semibold">{branding.name}</h1>
        {embed && (
          // disabled until the page has hydrated (the frame check has run): a click before then would do nothing
          <button type="button" onClick={close} disabled={frame !== "ok"} aria-label="Close chat" className="rounded p-1 hover:bg-white/20 disabled:opacity-50">
            <X className="h-5 w-5" aria-hidden />
          </button>
        )}
      </header>

      <div className="flex-1 overflow-y-auto px-3 py-4 sm:px-4">
        <ol role="log" aria-live="polite" aria-label="Conversation" className="mx-auto flex max-w-2xl flex-col gap-2">
          <li className="max-w-[85%] self-start whitespace-pre-wrap rounded-2xl rounded-bl-sm bg-slate-100 px-3 py-2 text-[15px]">{branding.greeting}</li>
          {messages.map((m) => (
            <Bubble key={m.id} message={m} business={branding.name} notice={m.clientId ? notices[m.clientId] : undefined} />
          ))}
          {pending.map((p) => (
            <li key={p.clientId} className="flex max-w-[85%] flex-col items-end self-end">
              <p className={`whitespace-pre-wrap rounded-2xl rounded-br-sm px-3 py-2 text-[15px] ${p.failed ? "opacity-60" : ""}`} style={{ background: "var(--brand)", color: "var(--brand-text)" }}>
                {p.content}
              </p>
              {notices[p.clientId] && <Notice text={notices[p.clientId]!} />}
              {p.failed && (
                <button type="button" className="mt-1 text-xs font-medium underline" onClick={() => void send(p.content, p.clientId)}>
                  Send again
                </button>
              )}
            </li>
          ))}
          {liveStreams.map((s) =>
            s.text ? (
              <li key={`s-${s.clientId}`} data-testid="streaming-answer" className="max-w-[85%] self-start whitespace-pre-wrap rounded-2xl rounded-bl-sm bg-slate-100 px-3 py-2 text-[15px]">
                {s.text}
              </li>
            ) : null,
          )}
          {waiting && (
            <li className="self-start rounded-2xl rounded-bl-sm bg-slate-100 px-3 py-3" aria-label={`${branding.name} is typing`} data-testid="typing">
              <span className="flex gap-1" aria-hidden>
                {[0, 1, 2].map((i) => (
                  <span key={i} className="h-2 w-2 animate-bounce rounded-full bg-slate-400" style={{ animationDelay: `${i * 150}ms` }} />
                ))}
              </span>
            </li>
          )}
        </ol>
        <div ref={endRef} />
      </div>

      <footer className="border-t border-slate-200 bg-white px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-2 sm:px-4">
        <div className="mx-auto max-w-2xl space-y-2">
          <StatusLine state={state} business={branding.name} />
          {state.status === "closed" && state.csat && (
            <CsatLine
              key={state.csat.conversationId}
              slug={slug}
              token={token}
              survey={state.csat}
              onRated={(rating) => setState((st) => (st.csat ? { ...st, csat: { ...st.csat, rating } } : st))}
              onExpired={expired}
            />
          )}
          {problem && (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {problem}{" "}
              <button type="button" className="font-medium underline" onClick={() => void startSession()}>
                Try again
              </button>
            </p>
          )}
          <ContactForm slug={slug} businessName={branding.name} token={token} contact={contact} onSaved={(c) => {
            setContact(c);
            if (token) writeSaved(slug, { token, contact: c });
          }} onExpired={expired} />
          <form
            className="flex items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <textarea
              aria-label="Type your message"
              rows={1}
              value={text}
              maxLength={MAX_CHAT_TEXT}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
                  e.preventDefault();
                  submit();
                }
              }}
              placeholder="Type your message…"
              className="max-h-32 min-h-[44px] flex-1 resize-none rounded-2xl border border-slate-300 px-4 py-2.5 text-base focus:border-[color:var(--brand)] focus:outline-none focus:ring-1 focus:ring-[color:var(--brand)]"
            />
            <button
              type="submit"
              disabled={!token || !text.trim()}
              aria-label="Send"
              className="flex h-11 w-11 shrink-0 items-center justify-center rounded-full disabled:opacity-50"
              style={{ background: "var(--brand)", color: "var(--brand-text)" }}
            >
              <Send className="h-5 w-5" aria-hidden />
            </button>
          </form>
          {branding.showPrismBranding && (
            <p className="text-center text-[11px] text-slate-400">Powered by PrismAI</p>
          )}
        </div>
      </footer>
    </main>
  );
}

function Notice({ text }: { text: string }) {
  return (
    <p role="alert" className="mt-1 max-w-full rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-800">
      {text}
    </p>
  );
}

function Bubble({ message, business, notice }: { message: ChatMessage; business: string; notice?: string }) {
  if (message.role === "customer") {
    return (
      <li className="flex max-w-[85%] flex-col items-end self-end" data-testid="customer-message">
        <p className="whitespace-pre-wrap rounded-2xl rounded-br-sm px-3 py-2 text-[15px]" style={{ background: "var(--brand)", color: "var(--brand-text)" }}>
          {message.content}
        </p>
        {notice && <Notice text={notice} />}
      </li>
    );
  }
  const staff = message.role === "agent";
  return (
    <li className="flex max-w-[85%] flex-col items-start self-start" data-testid={staff ? "staff-message" : "assistant-message"}>
      {staff && <span className="mb-0.5 text-[11px] font-medium text-slate-500">{business} team</span>}
      <p className={`whitespace-pre-wrap rounded-2xl rounded-bl-sm px-3 py-2 text-[15px] ${staff ? "border border-slate-200 bg-white" : "bg-slate-100"}`}>{message.content}</p>
    </li>
  );
}

function StatusLine({ state, business }: { state: ChatState; business: string }) {
  const lines: { text: string; tone: string }[] = [];
  if (state.status === "waiting_human") lines.push({ text: `A person from ${business} will reply here as soon as they can.`, tone: "bg-amber-50 text-amber-900" });
  if (state.status === "with_person") lines.push({ text: `You're chatting with a person from ${business}.`, tone: "bg-emerald-50 text-emerald-900" });
  if (state.status === "closed") lines.push({ text: "This conversation was closed. Write again any time.", tone: "bg-slate-100 text-slate-700" });
  if (!state.hours.open) {
    lines.push({
      text: `We're closed right now${state.hours.next ? ` and open again ${state.hours.next}` : ""}. Leave a message and we'll get back to you.`,
      tone: "bg-slate-100 text-slate-700",
    });
  }
  if (!lines.length) return null;
  return (
    <div role="status" data-testid="chat-status" className="space-y-1">
      {lines.map((l) => (
        <p key={l.text} className={`rounded-md px-3 py-1.5 text-xs ${l.tone}`}>
          {l.text}
        </p>
      ))}
    </div>
  );
}

/** The satisfaction survey of a closed conversation: one line, five buttons, answered once. */
function CsatLine({
  slug,
  token,
  survey,
  onRated,
  onExpired,
}: {
  slug: string;
  token: string | null;
  survey: { conversationId: string; rating: number | null };
  onRated: (rating: number) => void;
  onExpired: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (survey.rating !== null) {
    return (
      <p className="text-xs text-slate-600" data-testid="csat-thanks">
        Thank you for your rating ({survey.rating} of 5).
      </p>
    );
  }
  const rate = async (rating: number) => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/chat/${slug}/csat`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ conversationId: survey.conversationId, rating }),
      });
      if (res.status === 401) return onExpired();
      if (!res.ok) return setError((await errorMessage(res)).message);
      onRated(rating);
    } catch {
      setError("We couldn't reach the chat. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="csat">
      <span className="text-xs text-slate-700">How did we do?</span>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          disabled={busy || !token}
          aria-label={`Rate ${n} of 5`}
          onClick={() => void rate(n)}
          className="h-8 w-8 rounded-full border border-slate-300 text-sm font-medium hover:bg-slate-100 disabled:opacity-50"
        >
          {n}
        </button>
      ))}
      {error && (
        <p role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

function ContactForm({
  slug,
  businessName,
  token,
  contact,
  onSaved,
  onExpired,
}: {
  slug: string;
  businessName: string;
  token: string | null;
  contact: ChatContact | null;
  onSaved: (c: ChatContact) => void;
  onExpired: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState("");
  const [name, setName] = useState("");
  // unticked until the visitor ticks it: consent is never assumed
  const [consent, setConsent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (contact && !open) {
    return (
      <p className="text-xs text-slate-600" data-testid="contact-saved">
        Thanks — we&apos;ll follow up at {contact.masked}.{" "}
        <button type="button" className="underline" onClick={() => setOpen(true)}>
          Change
        </button>
      </p>
    );
  }
  if (!open) {
    return (
      <button type="button" className="text-xs font-medium text-slate-600 underline" onClick={() => setOpen(true)} disabled={!token}>
        Leave your email or phone so we can follow up
      </button>
    );
  }
  const save = async () => {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/chat/${slug}/contact`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ value, name: name.trim() || null, marketingConsent: consent }),
      });
      if (res.status === 401) return onExpired();
      if (!res.ok) return setError((await errorMessage(res)).message);
      const body = (await res.json()) as { contact: ChatContact };
      onSaved(body.contact);
      setOpen(false);
      setValue("");
      setConsent(false);
    } catch {
      setError("We couldn't reach the chat. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="space-y-2 rounded-lg border border-slate-200 p-2"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <p className="text-xs text-slate-600">Leave your email or phone so we can follow up.</p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <input
          aria-label="Your name (optional)"
          placeholder="Your name (optional)"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base sm:text-sm"
        />
        <input
          aria-label="Email or phone"
          placeholder="Email or phone"
          value={value}
          maxLength={200}
          required
          onChange={(e) => setValue(e.target.value)}
          className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base sm:text-sm"
        />
      </div>
      <label className="flex items-start gap-2 text-xs text-slate-600">
        <input type="checkbox" className="mt-0.5" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
        <span>{contactFormConsentWording(businessName)}</span>
      </label>
      {error && (
        <p role="alert" className="text-xs text-red-700">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={busy || !value.trim()} className="rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50" style={{ background: "var(--brand)", color: "var(--brand-text)" }}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
