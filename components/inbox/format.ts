// Small display helpers shared by the inbox components.
import type { ConversationDetail, InboxItem } from "@/lib/services/conversations";

export const SOURCE_LABEL: Record<string, string> = {
  faq: "FAQ",
  cache: "Cache",
  model: "Model",
  offline: "Offline",
  fallback: "Fixed reply",
  human: "Person",
};

/** A staff reply's delivery status as staff read it; "outbox" is where a simulated channel's sends stop. */
export function deliveryLabel(status: string): string {
  return status === "outbox" ? "sent · dev outbox (simulated channel)" : status;
}

export function money(usd: number): string {
  if (usd === 0) return "$0";
  return usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short" });
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

type StatusLike = Pick<InboxItem, "status" | "assigneeId" | "assigneeName"> | Pick<ConversationDetail, "status" | "assigneeId" | "assigneeName">;

export function statusBadge(c: StatusLike): { label: string; className: string; waiting: boolean } {
  if (c.status === "closed") return { label: "Closed", className: "bg-slate-100 text-slate-700", waiting: false };
  if (c.status === "waiting_human") {
    return c.assigneeId
      ? { label: `With ${c.assigneeName ?? "a person"}`, className: "bg-indigo-50 text-indigo-800", waiting: false }
      : { label: "Waiting for a person", className: "bg-amber-100 text-amber-900", waiting: true };
  }
  return { label: "AI answering", className: "bg-teal-50 text-teal-800", waiting: false };
}
