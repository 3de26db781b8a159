"use client";
// The Channel simulator: you play the customer. Every message or spoken line is posted to the real
// webhook route as Twilio would post it (signed), and what the route answers is shown here.
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Phone, PhoneOff, Send } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";
import { usePoll } from "@/hooks/use-poll";
import { simulateAction, simulatorRepliesAction } from "@/app/(dashboard)/[business]/channels/actions";
import type { SimulateResult } from "@/lib/channels/simulator";

export type Line = { from: "customer" | "business" | "note"; text: string; media?: string[] };

export function Transcript({ lines }: { lines: Line[] }) {
  const end = useRef<HTMLLIElement>(null);
  // A block body: scrollIntoView returns a promise in newer browsers, and an effect may only return a cleanup.
  useEffect(() => {
    end.current?.scrollIntoView({ block: "nearest" });
  }, [lines.length]);
  return (
    <ol className="h-72 space-y-2 overflow-y-auto rounded-md border border-slate-200 bg-slate-50 p-3" aria-live="polite" aria-label="Simulated conversation">
      {lines.length === 0 && <li className="text-sm text-slate-500">Nothing yet.</li>}
      {lines.map((l, i) => (
        <li key={i} className={cn("flex", l.from === "customer" ? "justify-end" : l.from === "note" ? "justify-center" : "justify-start")}>
          <div
            className={cn(
              "max-w-[85%] whitespace-pre-wrap rounded-lg px-3 py-2 text-sm",
              l.from === "customer" && "bg-teal-700 text-white",
              l.from === "business" && "border border-slate-200 bg-white text-slate-900",
              l.from === "note" && "text-xs italic text-slate-500",
            )}
          >
            {l.text}
            {l.media?.map((m) => (
              <a key={m} href={m} className="block truncate text-xs underline" target="_blank" rel="noreferrer">
                {m}
              </a>
            ))}
          </div>
        </li>
      ))}
      <li ref={end} aria-hidden />
    </ol>
  );
}

const FEED_INTERVAL_MS = 2000;
const ANSWER_WAIT_MS = 30_000;

/**
 * The business's side of a simulated conversation that does not come back in the webhook's answer,
 * read from the dev outbox while the simulator is open: answers sent after the webhook answered,
 * and replies staff write in the inbox. Each message is shown once; `expectAnswer` starts the wait
 * after which the simulator says that no answer came.
 */
export function useOutboxFeed<R extends { id: string; at: string }>(
  startedAt: string,
  read: (since: string) => Promise<R[] | { error: string }>,
  show: (rows: R[]) => void,
  add: (...lines: Line[]) => void,
) {
  const seen = useRef(new Set<string>());
  const cursor = useRef(startedAt);
  const waitingSince = useRef<number | null>(null);
  const tick = useCallback(async () => {
    const found = await read(cursor.current);
    if ("error" in found) return;
    const fresh = found.filter((r) => !seen.current.has(r.id));
    for (const r of fresh) seen.current.add(r.id);
    // Rows come oldest first, at most a page at a time: the next read starts at the newest seen.
    if (found.length) cursor.current = found[found.length - 1]!.at;
    if (fresh.length) {
      waitingSince.current = null;
      show(fresh);
    } else if (waitingSince.current !== null && Date.now() - waitingSince.current > ANSWER_WAIT_MS) {
      waitingSince.current = null;
      add({ from: "note", text: "No answer was sent (see the conversation in the inbox for why)." });
    }
  }, [read, show, add]);
  usePoll(tick, { intervalMs: FEED_INTERVAL_MS });
  return {
    expectAnswer: () => {
      waitingSince.current = Date.now();
    },
  };
}

export function MessagingSimulator({ slug, kind, defaultFrom, startedAt }: { slug: string; kind: "sms" | "whatsapp"; defaultFrom: string; startedAt: string }) {
  const [from, setFrom] = useState(defaultFrom);
  const [text, setText] = useState("");
  const [mediaUrl, setMediaUrl] = useState("");
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, start] = useTransition();
  const router = useRouter();
  const add = useCallback((...l: Line[]) => setLines((ls) => [...ls, ...l]), []);
  const read = useCallback((since: string) => simulatorRepliesAction(slug, kind, since, from), [slug, kind, from]);
  const show = useCallback((rows: { body: string }[]) => add(...rows.map((r) => ({ from: "business" as const, text: r.body }))), [add]);
  const feed = useOutboxFeed(startedAt, read, show, add);

  function send() {
    const body = text.trim();
    if (!body && !mediaUrl) return;
    add({ from: "customer", text: body || "(picture)", media: mediaUrl ? [mediaUrl] : undefined });
    setText("");
    setMediaUrl("");
    start(async () => {
      const r = await simulateAction(slug, { kind, from, text: body, mediaUrl: kind === "whatsapp" ? mediaUrl : "" });
      if ("error" in r) return add({ from: "note", text: r.error ?? "The simulator failed." });
      if (r.error) return add({ from: "note", text: `Webhook answered ${r.status}: ${r.error}` });
      if (r.replies.length) add(...r.replies.map((m) => ({ from: "business" as const, text: m.body, media: m.media })));
      else {
        add({ from: "note", text: "Acknowledged without a reply in the webhook's answer: the answer follows…" });
        feed.expectAnswer();
      }
      router.refresh(); // the page's recent activity
    });
  }

  return (
    <div className="space-y-3">
      <Field label="You are texting from" htmlFor={`sim-${kind}-from`} hint="Any number: each one is a different customer. Try STOP, START and HELP.">
        <Input id={`sim-${kind}-from`} value={from} onChange={(e) => setFrom(e.target.value)} inputMode="tel" />
      </Field>
      <Transcript lines={lines} />
      <form
        className="flex flex-wrap gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <Input aria-label="Message" className="min-w-0 flex-1" value={text} onChange={(e) => setText(e.target.value)} placeholder="Write as the customer…" maxLength={1600} />
        {kind === "whatsapp" && (
          <Input aria-label="Picture link (optional)" className="min-w-0 flex-1" value={mediaUrl} onChange={(e) => setMediaUrl(e.target.value)} placeholder="https://… picture (optional)" />
        )}
        <Button type="submit" disabled={pending}>
          <Send className="h-4 w-4" aria-hidden /> {pending ? "Sending…" : "Send"}
        </Button>
      </form>
    </div>
  );
}

type CallState = { callSid: string; next: string | null; startedAt: number } | null;

export function CallSimulator({ slug, defaultFrom }: { slug: string; defaultFrom: string }) {
  const [from, setFrom] = useState(defaultFrom);
  const [speech, setSpeech] = useState("");
  const [call, setCall] = useState<CallState>(null);
  const [dialing, setDialing] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [pending, start] = useTransition();
  const router = useRouter();
  const add = (...l: Line[]) => setLines((ls) => [...ls, ...l]);

  function hear(r: SimulateResult) {
    const heard: Line[] = [];
    let dial: string | null = null;
    for (const step of r.steps) {
      if (step.verb === "Say") heard.push({ from: "business", text: step.text });
      if (step.verb === "Gather") heard.push(...step.prompts.map((p) => ({ from: "business" as const, text: p.text })));
      if (step.verb === "Dial") dial = step.number;
      if (step.verb === "Redirect") heard.push({ from: "note", text: "(the assistant is still thinking…)" });
    }
    add(...heard);
    setDialing(dial);
    if (dial) add({ from: "note", text: `Putting the caller through to ${dial}. In the simulator nobody picks up.` });
    return heard;
  }

  async function hangUp(current: NonNullable<CallState>) {
    const seconds = Math.max(1, Math.round((Date.now() - current.startedAt) / 1000));
    setCall(null);
    setDialing(null);
    const r = await simulateAction(slug, { kind: "voice", step: "hangup", from, callSid: current.callSid, durationSeconds: seconds });
    add({ from: "note", text: "error" in r && r.error ? r.error : `Call ended after ${seconds} s; its duration and cost are recorded.` });
    router.refresh(); // the page's recent activity
  }

  async function handle(r: Awaited<ReturnType<typeof simulateAction>>, current: NonNullable<CallState>) {
    if ("error" in r && !("steps" in r)) return add({ from: "note", text: r.error });
    const result = r as SimulateResult;
    if (result.error) return add({ from: "note", text: `Webhook answered ${result.status}: ${result.error}` });
    hear(result);
    const nextCall = { ...current, next: result.next };
    setCall(nextCall);
    // The assistant asked Twilio to come back (a slow answer): follow the redirect as Twilio would.
    if (result.steps.some((s) => s.verb === "Redirect") && result.next) {
      const again = await simulateAction(slug, { kind: "voice", step: "say", from, callSid: current.callSid, action: result.next, speech: "" });
      return handle(again, nextCall);
    }
    if (result.ended) await hangUp(nextCall);
  }

  function startCall() {
    setLines([]);
    start(async () => {
      const r = await simulateAction(slug, { kind: "voice", step: "start", from });
      if ("error" in r && !("steps" in r)) return add({ from: "note", text: r.error });
      const result = r as SimulateResult;
      const current = { callSid: result.callSid!, next: null, startedAt: Date.now() };
      add({ from: "note", text: "Call connected." });
      await handle(result, current);
    });
  }

  function say(words: string) {
    if (!call?.next) return;
    const current = call;
    if (!dialing) add(words ? { from: "customer", text: words } : { from: "note", text: "(you stay silent)" });
    setSpeech("");
    start(async () => {
      const r = await simulateAction(slug, { kind: "voice", step: "say", from, callSid: current.callSid, action: current.next!, speech: words });
      await handle(r, current);
    });
  }

  return (
    <div className="space-y-3">
      <Field label="You are calling from" htmlFor="sim-voice-from" hint="Use the number you texted from in the SMS simulator to see one customer across channels.">
        <Input id="sim-voice-from" value={from} onChange={(e) => setFrom(e.target.value)} inputMode="tel" disabled={Boolean(call)} />
      </Field>
      <Transcript lines={lines} />
      {!call ? (
        <Button type="button" onClick={startCall} disabled={pending}>
          <Phone className="h-4 w-4" aria-hidden /> {pending ? "Calling…" : "Call the business"}
        </Button>
      ) : dialing ? (
        <div className="flex flex-wrap gap-2">
          <Button type="button" onClick={() => say("")} disabled={pending}>
            Nobody answers: continue
          </Button>
          <Button type="button" variant="danger" onClick={() => start(() => hangUp(call))} disabled={pending}>
            <PhoneOff className="h-4 w-4" aria-hidden /> Hang up
          </Button>
        </div>
      ) : (
        <form
          className="flex flex-wrap gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            say(speech.trim());
          }}
        >
          <Input aria-label="What you say" className="min-w-0 flex-1" value={speech} onChange={(e) => setSpeech(e.target.value)} placeholder="Say something as the caller…" />
          <Button type="submit" disabled={pending || !call.next}>
            Say it
          </Button>
          <Button type="button" variant="secondary" onClick={() => say("")} disabled={pending || !call.next}>
            Stay silent
          </Button>
          <Button type="button" variant="danger" onClick={() => start(() => hangUp(call))} disabled={pending}>
            <PhoneOff className="h-4 w-4" aria-hidden /> Hang up
          </Button>
        </form>
      )}
    </div>
  );
}
