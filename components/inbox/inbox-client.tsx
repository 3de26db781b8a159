"use client";
// The inbox: conversations from every channel on the left, one conversation in the middle, its
// customer on the right. Live by polling the database every second (list and open conversation).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Bell, BellOff, Search } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { usePoll } from "@/hooks/use-poll";
import { useHandoffNotifications } from "@/hooks/use-handoff-notifications";
import { HIDDEN_POLL_INTERVAL_MS, POLL_INTERVAL_MS } from "@/lib/chat/protocol";
import type { ConversationAction, ConversationView, InboxFilters, InboxItem, TimelineItem, WaitingItem } from "@/lib/services/conversations";
import { ChannelIcon, CHANNEL_LABEL } from "./channel-icon";
import { Composer, ConversationHeader, Timeline, type Assignee } from "./conversation-client";
import { CustomerPanel } from "./customer-panel";
import { IntentChip, LeadChip, SentimentChip, type IntentOption } from "./insight-chips";
import { statusBadge, timeAgo } from "./format";

type ListState = { items: InboxItem[]; waiting: WaitingItem[] };

/** The Analytics numbers that link here, in the words of the Analytics page. */
const SET_LABEL: Record<NonNullable<InboxFilters["set"]>, string> = {
  conversations: "Conversations",
  ai_answered: "Answered by the AI",
  ai_resolved: "Resolved by the AI",
  handed_off: "Handed to a person",
  staff_replied: "Answered by staff",
  returned: "Customer came back within 72 h",
  pending: "Too early to tell",
  resolved: "Resolved",
  csat_answered: "Rated by the customer (CSAT)",
};

const STATUS_OPTIONS: { value: InboxFilters["status"]; label: string }[] = [
  { value: "active", label: "Open and waiting" },
  { value: "waiting_human", label: "Waiting for a person" },
  { value: "open", label: "AI answering" },
  { value: "closed", label: "Closed" },
  { value: "all", label: "All" },
];

function query(filters: InboxFilters, selected: string | null): URLSearchParams {
  const p = new URLSearchParams();
  if (filters.status !== "active") p.set("status", filters.status);
  if (filters.channel) p.set("channel", filters.channel);
  if (filters.assignee) p.set("assignee", filters.assignee);
  if (filters.unread) p.set("unread", "1");
  if (filters.intent) p.set("intent", filters.intent);
  if (filters.q) p.set("q", filters.q);
  if (filters.set) p.set("set", filters.set);
  if (filters.reason) p.set("reason", filters.reason);
  if (filters.from) p.set("from", filters.from);
  if (filters.to) p.set("to", filters.to);
  if (selected) p.set("c", selected);
  return p;
}

async function problem(res: Response): Promise<string> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
  return body?.error?.message ?? `Something went wrong (${res.status}).`;
}

export function InboxClient({
  slug,
  me,
  role,
  assignees,
  intents,
  initialFilters,
  initialList,
  initialView,
  setup = null,
  setupSummary = null,
}: {
  slug: string;
  me: string;
  role: string;
  assignees: Assignee[];
  /** the business's intents, for the filter and for correcting a message's intent */
  intents: IntentOption[];
  initialFilters: InboxFilters;
  initialList: ListState;
  initialView: ConversationView | null;
  /** the set-up checklist (server-rendered), until set-up is done or dismissed */
  setup?: React.ReactNode;
  /** "Set-up: 2 of 5 done", the checklist's summary on a phone */
  setupSummary?: string | null;
}) {
  const [filters, setFilters] = useState<InboxFilters>(initialFilters);
  const [search, setSearch] = useState(initialFilters.q ?? "");
  const [list, setList] = useState<ListState>(initialList);
  const [selected, setSelected] = useState<string | null>(initialView?.conversation.id ?? null);
  const [view, setView] = useState<ConversationView | null>(initialView);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cursor = useRef<string | null>(initialView?.cursor ?? null);
  const listSeq = useRef(0);
  const viewSeq = useRef(0);
  const api = `/api/businesses/${slug}/conversations`;

  // ---- the list
  const loadList = useCallback(async () => {
    const seq = ++listSeq.current;
    const res = await fetch(`${api}?${query(filters, null)}`, { cache: "no-store" });
    if (!res.ok || seq !== listSeq.current) return;
    const body = (await res.json()) as ListState;
    setList({ items: body.items, waiting: body.waiting });
  }, [api, filters]);

  // ---- the open conversation: everything once, then what is new since the cursor
  const loadView = useCallback(
    async (id: string, fresh: boolean) => {
      const seq = ++viewSeq.current;
      const after = !fresh && cursor.current ? `?after=${encodeURIComponent(cursor.current)}` : "";
      const res = await fetch(`${api}/${id}${after}`, { cache: "no-store" });
      if (seq !== viewSeq.current) return;
      if (!res.ok) {
        if (res.status === 404) {
          setView(null);
          setSelected(null);
        }
        return;
      }
      const next = (await res.json()) as ConversationView;
      setView((prev) => {
        // A merge can move the conversation to another customer: then the timeline starts over.
        if (fresh || !prev || prev.conversation.id !== next.conversation.id || prev.customer.id !== next.customer.id) {
          if (!fresh && prev && prev.customer.id !== next.customer.id) cursor.current = null;
          return next;
        }
        const byId = new Map<string, TimelineItem>(prev.timeline.map((m) => [m.id, m]));
        for (const m of next.timeline) byId.set(m.id, m);
        const timeline = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
        return { ...next, timeline };
      });
      cursor.current = next.cursor;
    },
    [api],
  );

  // An Analytics set is a past period's conversations, worked out over all their messages: loaded when the
  // filters change, not on every tick.
  const fromReport = Boolean(filters.set);
  const tick = useCallback(async () => {
    await Promise.all([fromReport ? Promise.resolve() : loadList(), selected ? loadView(selected, false) : Promise.resolve()]);
  }, [fromReport, loadList, loadView, selected]);
  usePoll(tick, { intervalMs: POLL_INTERVAL_MS, hiddenMs: HIDDEN_POLL_INTERVAL_MS });

  // Filters and the selection live in the URL, so a reload or a shared link opens the same view.
  useEffect(() => {
    const qs = query(filters, selected).toString();
    window.history.replaceState(null, "", `/${slug}/inbox${qs ? `?${qs}` : ""}`);
  }, [filters, selected, slug]);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  // Search as you type, a moment after the typing stops.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.q === (search.trim() || undefined) ? f : { ...f, q: search.trim() || undefined })), 300);
    return () => clearTimeout(t);
  }, [search]);

  const open = (id: string) => {
    setError(null);
    setSelected(id);
    cursor.current = null;
    setView((v) => (v?.conversation.id === id ? v : null));
    void loadView(id, true);
  };

  const act = async (action: ConversationAction): Promise<boolean> => {
    if (!selected) return false;
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`${api}/${selected}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(action) });
      if (!res.ok) {
        setError(await problem(res));
        return false;
      }
      await Promise.all([loadView(selected, false), loadList()]);
      return true;
    } catch {
      setError("We couldn't reach the server. Check your connection and try again.");
      return false;
    } finally {
      setBusy(false);
    }
  };

  // ---- telling staff when a conversation starts waiting for a person
  const href = useCallback((id: string) => `/${slug}/inbox?c=${id}`, [slug]);
  const { permission, request } = useHandoffNotifications(list.waiting, href);
  const baseTitle = useRef<string | null>(null);
  useEffect(() => {
    baseTitle.current ??= document.title.replace(/^\(\d+\)\s*/, "");
    document.title = list.waiting.length ? `(${list.waiting.length}) ${baseTitle.current}` : baseTitle.current;
  }, [list.waiting.length]);

  const waitingIds = useMemo(() => new Set(list.waiting.map((w) => w.id)), [list.waiting]);

  return (
    <div className="-m-4 flex h-[calc(100dvh-7.5rem)] min-h-[32rem] border-slate-200 bg-white md:-m-8 md:h-screen">
      {/* the list */}
      <section aria-label="Conversations" className={cn("flex w-full flex-col border-r border-slate-200 md:w-80 md:shrink-0", selected && "hidden md:flex")}>
        <div className="space-y-2 border-b border-slate-200 p-3">
          <div className="flex items-center justify-between">
            <h1 className="text-lg font-semibold text-slate-900">Inbox</h1>
            {permission === "default" && (
              <button type="button" onClick={() => void request()} className="inline-flex items-center gap-1 text-xs font-medium text-teal-700 hover:underline">
                <Bell className="h-3.5 w-3.5" aria-hidden /> Turn on alerts
              </button>
            )}
            {permission === "denied" && (
              <span className="inline-flex items-center gap-1 text-xs text-slate-500" title="Allow notifications for this site in your browser to be alerted">
                <BellOff className="h-3.5 w-3.5" aria-hidden /> Alerts blocked
              </span>
            )}
          </div>
          {list.waiting.length > 0 && (
            <button
              type="button"
              onClick={() => setFilters((f) => ({ ...f, status: "waiting_human", assignee: undefined }))}
              className="w-full rounded-md bg-amber-100 px-2 py-1.5 text-left text-xs font-medium text-amber-900"
              data-testid="waiting-banner"
            >
              {list.waiting.length} waiting for a person
            </button>
          )}
          {filters.set && filters.from && filters.to && (
            <div className="flex items-center justify-between gap-2 rounded-md bg-teal-50 px-2 py-1.5 text-xs text-teal-900" data-testid="report-filter">
              <span className="min-w-0">
                From Analytics: {SET_LABEL[filters.set]}
                {filters.reason ? ` (${filters.reason.replaceAll("_", " ")})` : ""}, started {filters.from} to {filters.to}
              </span>
              <button
                type="button"
                className="shrink-0 font-medium text-teal-800 hover:underline"
                onClick={() => setFilters((f) => ({ ...f, set: undefined, reason: undefined, from: undefined, to: undefined }))}
              >
                Clear
              </button>
            </div>
          )}
          <label className="relative block">
            <span className="sr-only">Search conversations</span>
            <Search className="pointer-events-none absolute left-2 top-2.5 h-4 w-4 text-slate-400" aria-hidden />
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="Customer, email, phone or text"
              className="w-full rounded-md border border-slate-300 py-2 pl-8 pr-2 text-sm"
            />
          </label>
          <div className="grid grid-cols-2 gap-2 text-xs">
            <select aria-label="Status" className="rounded-md border border-slate-300 bg-white px-2 py-1.5" value={filters.status} onChange={(e) => setFilters((f) => ({ ...f, status: e.target.value as InboxFilters["status"] }))}>
              {STATUS_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <select
              aria-label="Channel"
              className="rounded-md border border-slate-300 bg-white px-2 py-1.5"
              value={filters.channel ?? ""}
              onChange={(e) => setFilters((f) => ({ ...f, channel: (e.target.value || undefined) as InboxFilters["channel"] }))}
            >
              <option value="">All channels</option>
              {Object.entries(CHANNEL_LABEL).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
            <select aria-label="Assigned to" className="rounded-md border border-slate-300 bg-white px-2 py-1.5" value={filters.assignee ?? ""} onChange={(e) => setFilters((f) => ({ ...f, assignee: e.target.value || undefined }))}>
              <option value="">Anyone</option>
              <option value="me">Me</option>
              <option value="unassigned">Unassigned</option>
              {assignees
                .filter((a) => a.userId !== me)
                .map((a) => (
                  <option key={a.userId} value={a.userId}>
                    {a.name}
                  </option>
                ))}
            </select>
            <label className="flex items-center gap-1.5 rounded-md border border-slate-300 px-2 py-1.5">
              <input type="checkbox" checked={filters.unread} onChange={(e) => setFilters((f) => ({ ...f, unread: e.target.checked }))} /> Unread only
            </label>
            <select
              aria-label="Intent"
              className="col-span-2 rounded-md border border-slate-300 bg-white px-2 py-1.5"
              value={filters.intent ?? ""}
              onChange={(e) => setFilters((f) => ({ ...f, intent: e.target.value || undefined }))}
            >
              <option value="">Any intent</option>
              {intents.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
              <option value="other">Other</option>
            </select>
          </div>
        </div>
        {setup && (
          // On a phone the conversation pane is hidden until one is open: the checklist folds into the list.
          <details className="border-b border-slate-200 p-3 md:hidden" open={list.items.length === 0}>
            <summary className="cursor-pointer text-sm font-medium text-teal-800">{setupSummary}</summary>
            <div className="mt-3">{setup}</div>
          </details>
        )}
        <ol className="flex-1 overflow-y-auto" data-testid="conversation-list">
          {list.items.length === 0 && <li className="p-6 text-center text-sm text-slate-500">No conversations match.</li>}
          {list.items.map((c) => {
            const badge = statusBadge(c);
            return (
              <li key={c.id}>
                <button
                  type="button"
                  onClick={() => open(c.id)}
                  aria-current={selected === c.id ? "true" : undefined}
                  data-testid="conversation-item"
                  className={cn(
                    "block w-full border-b border-l-4 border-b-slate-100 px-3 py-2.5 text-left hover:bg-slate-50",
                    waitingIds.has(c.id) || badge.waiting ? "border-l-amber-500 bg-amber-50/60" : "border-l-transparent",
                    selected === c.id && "bg-slate-100",
                  )}
                >
                  <span className="flex items-center gap-2">
                    <ChannelIcon channel={c.channel} />
                    <span className={cn("min-w-0 flex-1 truncate text-sm", c.unread ? "font-semibold text-slate-900" : "text-slate-800")}>{c.customerName}</span>
                    <time dateTime={c.lastMessageAt} className="shrink-0 text-[11px] text-slate-500" suppressHydrationWarning>
                      {timeAgo(c.lastMessageAt)}
                    </time>
                  </span>
                  <span className="mt-0.5 block truncate text-xs text-slate-600">
                    {c.previewRole === "assistant" ? "AI: " : c.previewRole === "agent" ? "You: " : ""}
                    {c.preview ?? "—"}
                  </span>
                  <span className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1">
                    <span className={cn("rounded-full px-1.5 py-0.5 text-[10px] font-medium", badge.className)}>{badge.label}</span>
                    {c.intent && <IntentChip name={c.intent} />}
                    {c.sentiment && <SentimentChip start={c.sentiment.start} now={c.sentiment.now} />}
                    {c.leadStage !== "new" && <LeadChip stage={c.leadStage} />}
                    {c.unread && <span className="h-2 w-2 rounded-full bg-teal-600" aria-label="Unread" role="img" />}
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      </section>

      {/* the conversation */}
      <section aria-label="Conversation" className={cn("min-w-0 flex-1 flex-col", selected ? "flex" : "hidden md:flex")}>
        {view && selected === view.conversation.id ? (
          <>
            <ConversationHeader
              conversation={view.conversation}
              customerName={view.customer.displayName}
              me={me}
              role={role}
              assignees={assignees}
              busy={busy}
              onAction={(a) => void act(a)}
              onBack={() => {
                setSelected(null);
                setView(null);
              }}
            />
            <details className="border-b border-slate-200 px-4 py-2 text-sm lg:hidden">
              <summary className="cursor-pointer text-xs font-medium text-slate-600">Customer details</summary>
              <div className="mt-2">
                <CustomerPanel slug={slug} customer={view.customer} />
              </div>
            </details>
            {error && (
              <p role="alert" className="mx-4 mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
                {error}
              </p>
            )}
            <Timeline
              items={view.timeline}
              conversationId={view.conversation.id}
              intents={intents}
              busy={busy}
              onCorrectIntent={(messageId, intentId) => void act({ action: "set_intent", messageId, intentId })}
            />
            <Composer key={view.conversation.id} conversation={view.conversation} rules={view.reply} busy={busy} onSend={act} />
          </>
        ) : (
          <div className="flex flex-1 items-center justify-center overflow-y-auto p-6 text-sm text-slate-500">
            {selected ? "Loading…" : setup ? <div className="hidden w-full justify-center md:flex">{setup}</div> : "Choose a conversation."}
          </div>
        )}
      </section>

      {/* the customer */}
      {view && selected === view.conversation.id && (
        <aside className="hidden w-72 shrink-0 overflow-y-auto border-l border-slate-200 p-4 lg:block">
          <CustomerPanel slug={slug} customer={view.customer} />
        </aside>
      )}
    </div>
  );
}
