"use client";
import Link from "next/link";
import { useIsActive } from "@/hooks/use-is-active";
import { cn } from "@/components/ui/cn";

const TABS: { href: string; label: string; everyone?: boolean }[] = [
  { href: "", label: "Business profile" },
  { href: "/team", label: "Team" },
  { href: "/ai", label: "AI" },
  { href: "/intents", label: "Intents" },
  { href: "/limits", label: "Limits & budget" },
  { href: "/test-agent", label: "Test your agent" },
  { href: "/api", label: "API" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/integrations", label: "Integrations" },
  { href: "/notifications", label: "Notifications", everyone: true },
];

/** Agents see only the tabs every member may open (their own notifications). */
export function SettingsTabs({ slug, manager = true }: { slug: string; manager?: boolean }) {
  const isActive = useIsActive();
  return (
    <div className="flex gap-1 overflow-x-auto border-b border-slate-200">
      {TABS.filter((t) => manager || t.everyone).map((t) => {
        const href = `/${slug}/settings${t.href}`;
        const active = isActive(href);
        return (
          <Link
            key={t.href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn("shrink-0 border-b-2 px-3 py-2 text-sm font-medium", active ? "border-teal-700 text-teal-800" : "border-transparent text-slate-600 hover:text-slate-900")}
          >
            {t.label}
          </Link>
        );
      })}
    </div>
  );
}
