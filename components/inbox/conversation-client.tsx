"use client";
// One conversation in the inbox: the customer's whole timeline across channels, what the AI
// answered (source, cost, latency), and the staff's actions and composer.
import { Fragment, useEffect, useRef, useState } from "react";
import { ArrowLeft, Bot, Clock, Hand, Lock, Undo2, UserRound, XCircle } from "lucide-react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ServiceWindowNotice } from "@/components/channels/service-window-notice";
import type { ConversationAction, ConversationDetail, ReplyRules, TimelineItem } from "@/lib/services/conversations";
import { ChannelIcon, CHANNEL_LABEL } from "./channel-icon";
import { clock, deliveryLabel, duration, money, SOURCE_LABEL, statusBadge } from "./format";
import { MessageInsight, type IntentOption } from "./insight-chips";

export type Assignee = { userId: string; name: string; role: string };

export function ConversationHeader({
  conversation,
  customerName,
  me,
  role,
  assignees,
  busy,
  onAction,
  onBack,
}: {
  conversation: ConversationDetail;
  customerName: string;
  me: string;
  role: string;
  assignees: Assignee[];
  busy: boolean;
  onAction: (a: ConversationAction) => void;
  onBack: () => void;
}) {
  const badge = statusBadge(conversation);
  const mine = conversation.status === "waiting_human" && conversation.assigneeId === me;
  const manager = role === "owner" || role === "admin";
  return (
    <div className="border-b border-slate-200 px-4 py-3">
      <div className="flex items-center gap-2">
        <button type="button" onClick={onBack} className="rounded p-1 text-slate-500 hover:bg-slate-100 md:hidden" aria-label="Back to conversations">
          <ArrowLeft className="h-4 w-4" aria-hidden />
        </button>
        <ChannelIcon channel={conversation.channel} />
        <h2 className="min-w-0 flex-1 truncate font-semibold text-slate-900" data-testid="conversation-title">
          {customerName}
        </h2>
        <span className={cn("rounded-full px-2 py-0.5 text-xs font-medium", badge.className)} data-testid="conversation-status">
          {badge.label}
        </span>
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        {!mine && (
          <Button type="button" disabled={busy} onClick={() => onAction({ action: "take_over" })} className="px-2.5 py-1.5 text-xs">
            <Hand className="h-3.5 w-3.5" aria-hidden /> Take over
          </Button>
        )}
        {conversation.status === "waiting_human" && (
          <Button type="button" variant="secondary" disabled={busy} onClick={() => onAction({ action: "hand_back" })} className="px-2.5 py-1.5 text-xs">
            <Undo2 className="h-3.5 w-3.5" aria-hidden /> Hand back to AI
          </Button>
        )}
        {conversation.status !== "closed" && (
          <Button type="button" variant="secondary" disabled={busy} onClick={() => onAction({ action: "close" })} className="px-2.5 py-1.5 text-xs">
            <XCircle className="h-3.5 w-3.5" aria-hidden /> Close
          </Button>
        )}
        <label className="ml-auto flex items-center gap-1.5 text-xs text-slate-600">
          Assignee
          <select
            aria-label="Assignee"
            className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs"
            value={conversation.assigneeId ?? ""}
            disabled={busy}
            onChange={(e) => onAction({ action: "assign", assigneeId: e.target.value || null })}
          >
            <option value="">Nobody</option>
            {assignees
              .filter((a) => manager || a.userId === me || a.userId === conversation.assigneeId)
              .map((a) => (
                <option key={a.userId} value={a.userId}>
                  {a.userId === me ? `${a.name} (me)` : a.name}
                </option>
              ))}
          </select>
        </label>
      </div>
      {conversation.status === "closed" && conversation.summary && (
        <div className="mt-3 rounded-md bg-slate-50 p-2 text-xs text-slate-700" data-testid="conversation-summary">
          <p className="font-medium text-slate-900">Summary</p>
          <p className="mt-1 whitespace-pre-wrap">{conversation.summary}</p>
        </div>
      )}
    </div>
  );
}

export function Timeline({
  items,
  conversationId,
  intents = [],
  busy = false,
  onCorrectIntent,
}: {
  items: TimelineItem[];
  conversationId: string;
  intents?: IntentOption[];
  busy?: boolean;
  onCorrectIntent?: (messageId: string, intentId: string | null) => void;
}) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [items.length, conversationId]);
  return (
    <div className="flex-1 overflow-y-auto bg-slate-50 px-4 py-4">
      <ol className="flex flex-col gap-3" aria-label="Timeline" data-testid="timeline">
        {items.length === 0 && <li className="text-center text-sm text-slate-500">No messages yet.</li>}
        {items.map((m, i) => {
          const starts = i === 0 || items[i - 1]!.conversationId !== m.conversationId;
          return (
            <Fragment key={m.id}>
              {starts && (
                <li className="flex items-center gap-2 text-[11px] uppercase tracking-wide text-slate-400" aria-hidden>
                  <span className="h-px flex-1 bg-slate-200" />
                  {CHANNEL_LABEL[m.channel] ?? m.channel}
                  {m.conversationId === conversationId ? " · this conversation" : ""}
                  <span className="h-px flex-1 bg-slate-200" />
                </li>
              )}
              <TimelineEntry
                m={m}
                faded={m.conversationId !== conversationId}
                intents={intents}
                busy={busy}
                // a message of another conversation is corrected from that conversation
                onCorrect={onCorrectIntent && m.conversationId === conversationId ? (intentId) => onCorrectIntent(m.id, intentId) : undefined}
              />
            </Fragment>
          );
        })}
      </ol>
      <div ref={end} />
    </div>
  );
}

function TimelineEntry({
  m,
  faded,
  intents,
  busy,
  onCorrect,
}: {
  m: TimelineItem;
  faded: boolean;
  intents: IntentOption[];
  busy: boolean;
  onCorrect?: (intentId: string | null) => void;
}) {
  const time = (
    <time dateTime={m.createdAt} suppressHydrationWarning>
      {clock(m.createdAt)}
    </time>
  );
  if (m.role === "note") {
    return (
      <li className={cn("mx-auto w-full max-w-[85%] rounded-md border border-yellow-200 bg-yellow-50 px-3 py-2 text-sm", faded && "opacity-70")} data-testid="note">
        <p className="mb-1 flex items-center gap-1 text-[11px] font-medium text-yellow-800">
          <Lock className="h-3 w-3" aria-hidden /> Internal note{m.author ? ` · ${m.author}` : ""} · {time}
        </p>
        <p className="whitespace-pre-wrap text-slate-800">{m.content}</p>
      </li>
    );
  }
  if (m.role === "system") {
    return <li className="text-center text-xs text-slate-500">{m.content}</li>;
  }
  const customer = m.role === "customer";
  const ai = m.role === "assistant";
  return (
    <li className={cn("flex max-w-[85%] flex-col", customer ? "self-start items-start" : "self-end items-end", faded && "opacity-70")} data-testid={`timeline-${m.role}`}>
      <p className="mb-0.5 flex items-center gap-1 text-[11px] text-slate-500">
        <ChannelIcon channel={m.channel} className="h-3 w-3" />
        {customer ? "Customer" : ai ? (
          <>
            <Bot className="h-3 w-3" aria-hidden /> AI
          </>
        ) : (
          <>
            <UserRound className="h-3 w-3" aria-hidden /> {m.author ?? "Team"}
          </>
        )}{" "}
        · {time}
      </p>
      <p className={cn("whitespace-pre-wrap rounded-lg px-3 py-2 text-sm", customer ? "border border-slate-200 bg-white" : ai ? "bg-teal-700 text-white" : "bg-indigo-600 text-white")}>{m.content}</p>
      {customer && m.insight && <MessageInsight insight={m.insight} intents={intents} busy={busy} onCorrect={onCorrect} />}
      {ai && (
        <p className="mt-0.5 flex flex-wrap gap-x-2 text-[11px] text-slate-500" data-testid="answer-meta">
          <span data-testid="answer-source">{SOURCE_LABEL[m.source ?? ""] ?? m.source ?? "—"}</span>
          {m.model && m.model !== m.source && <span>{m.model}</span>}
          <span>{money(m.costUsd)}</span>
          {m.latencyMs !== null && <span>{duration(m.latencyMs)}</span>}
        </p>
      )}
      {m.role === "agent" && m.deliveryStatus && m.channel !== "web" && <p className="mt-0.5 text-[11px] text-slate-500" data-testid="delivery-status">{deliveryLabel(m.deliveryStatus)}</p>}
    </li>
  );
}

export function Composer({
  conversation,
  rules,
  busy,
  onSend,
}: {
  conversation: ConversationDetail;
  rules: ReplyRules;
  busy: boolean;
  onSend: (action: Extract<ConversationAction, { action: "reply" | "note" | "template" }>) => Promise<boolean>;
}) {
  const [mode, setMode] = useState<"reply" | "note">("reply");
  const [text, setText] = useState("");
  const [contentSid, setContentSid] = useState("");
  // Outside WhatsApp's 24-hour window only an approved template may go out.
  const templateOnly = mode === "reply" && rules.window !== undefined && !rules.window.open;
  const template = rules.templates?.find((t) => t.contentSid === contentSid);
  const canSend = !busy && (templateOnly ? Boolean(template) : mode === "reply" && rules.unavailable ? false : Boolean(text.trim()));
  const submit = async () => {
    if (!canSend) return;
    if (templateOnly) {
      if (await onSend({ action: "template", contentSid })) setContentSid("");
    } else if (await onSend(mode === "reply" ? { action: "reply", text } : { action: "note", text })) setText("");
  };
  return (
    <form
      className="border-t border-slate-200 bg-white p-3"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="mb-2 flex gap-1 text-xs" role="tablist" aria-label="Write">
        {(["reply", "note"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => setMode(m)}
            className={cn("rounded-md px-2.5 py-1 font-medium", mode === m ? (m === "note" ? "bg-yellow-100 text-yellow-900" : "bg-slate-900 text-white") : "text-slate-600 hover:bg-slate-100")}
          >
            {m === "reply" ? "Reply" : "Internal note"}
          </button>
        ))}
      </div>
      {mode === "reply" && rules.window && <ServiceWindowNotice open={rules.window.open} closesAt={rules.window.closesAt} className="mb-2" />}
      {mode === "reply" && rules.notice && !rules.unavailable && (
        <p role="status" className="mb-2 flex items-start gap-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <Clock className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
          <span>{rules.notice}</span>
        </p>
      )}
      {mode === "reply" && rules.unavailable ? (
        <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          {rules.unavailable}
        </p>
      ) : templateOnly ? (
        rules.templates?.length ? (
          <div className="space-y-2">
            <label className="block text-xs font-medium text-slate-700" htmlFor="reply-template">
              Approved template
            </label>
            <select
              id="reply-template"
              value={contentSid}
              onChange={(e) => setContentSid(e.target.value)}
              className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm focus:outline-none focus:ring-1 focus:ring-teal-600"
            >
              <option value="">Choose a template…</option>
              {rules.templates.map((t) => (
                <option key={t.contentSid} value={t.contentSid}>
                  {t.name}
                </option>
              ))}
            </select>
            {template && <p className="whitespace-pre-wrap rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700">{template.body}</p>}
          </div>
        ) : (
          <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
            This WhatsApp channel has no approved templates yet. Add them under Channels → WhatsApp.
          </p>
        )
      ) : (
        <textarea
          aria-label={mode === "reply" ? "Reply to the customer" : "Internal note"}
          value={text}
          rows={3}
          maxLength={4000}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
              e.preventDefault();
              void submit();
            }
          }}
          placeholder={mode === "reply" ? `Reply on ${CHANNEL_LABEL[conversation.channel] ?? conversation.channel}…` : "Only your team sees notes."}
          className={cn("block w-full resize-y rounded-md border px-3 py-2 text-sm focus:outline-none focus:ring-1", mode === "note" ? "border-yellow-300 bg-yellow-50 focus:ring-yellow-500" : "border-slate-300 focus:ring-teal-600")}
        />
      )}
      <div className="mt-2 flex items-center justify-between gap-2">
        <p className="text-xs text-slate-500">
          {mode === "note"
            ? "The customer never sees notes."
            : conversation.status === "open"
              ? "Replying takes this conversation over from the AI."
              : conversation.channel === "web"
                ? "Appears in the customer's chat at once."
                : "Goes out through the channel's outbox."}
        </p>
        <Button type="submit" disabled={!canSend} className="px-3 py-1.5 text-xs">
          {mode === "note" ? "Add note" : templateOnly ? "Send template" : "Send reply"}
        </Button>
      </div>
    </form>
  );
}
