"use client";
import Link from "next/link";
import { useIsActive } from "@/hooks/use-is-active";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import {
  BarChart3,
  CalendarDays,
  ChevronsUpDown,
  DollarSign,
  Inbox,
  LibraryBig,
  Megaphone,
  RadioTower,
  Settings,
  Users,
} from "lucide-react";
import { cn } from "@/components/ui/cn";

// `managers`: pages that answer agents with "no access" (each page checks for itself); not linked for them.
const ITEMS = [
  { href: "inbox", label: "Inbox", icon: Inbox },
  { href: "customers", label: "Customers", icon: Users },
  { href: "calendar", label: "Calendar", icon: CalendarDays },
  { href: "knowledge", label: "Knowledge", icon: LibraryBig },
  { href: "channels", label: "Channels", icon: RadioTower },
  { href: "campaigns", label: "Campaigns", icon: Megaphone, managers: true },
  { href: "analytics", label: "Analytics", icon: BarChart3, managers: true },
  { href: "costs", label: "Costs", icon: DollarSign, managers: true },
  { href: "settings", label: "Settings", icon: Settings, managers: true },
] as const;

export function DashboardNav({ slug, manager = true }: { slug: string; manager?: boolean }) {
  const isActive = useIsActive();
  return (
    <nav aria-label="Dashboard" className="flex gap-1 overflow-x-auto md:flex-col md:overflow-visible">
      {ITEMS.filter((item) => manager || !("managers" in item)).map(({ href, label, icon: Icon }) => {
        const target = `/${slug}/${href}`;
        const active = isActive(target, true);
        return (
          <Link
            key={href}
            href={target}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex shrink-0 items-center gap-2 rounded-md px-3 py-2 text-sm font-medium",
              active ? "bg-teal-50 text-teal-800" : "text-slate-700 hover:bg-slate-100",
            )}
          >
            <Icon className="h-4 w-4" aria-hidden />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}

export function BusinessSwitcher({ current, businesses }: { current: string; businesses: { slug: string; name: string; role: string }[] }) {
  const active = businesses.find((b) => b.slug === current);
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger className="flex w-full items-center justify-between gap-2 rounded-md border border-slate-200 bg-white px-3 py-2 text-left text-sm font-semibold hover:bg-slate-50">
        <span className="truncate">{active?.name ?? current}</span>
        <ChevronsUpDown className="h-4 w-4 text-slate-500" aria-hidden />
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="start" sideOffset={4} className="z-50 min-w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
          {businesses.map((b) => (
            <DropdownMenu.Item key={b.slug} asChild>
              <Link href={`/${b.slug}/inbox`} className="flex justify-between gap-4 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100">
                <span>{b.name}</span>
                <span className="text-xs text-slate-500">{b.role}</span>
              </Link>
            </DropdownMenu.Item>
          ))}
          <DropdownMenu.Separator className="my-1 h-px bg-slate-200" />
          <DropdownMenu.Item asChild>
            <Link href="/businesses" className="block rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-slate-100">
              All businesses / create new
            </Link>
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
