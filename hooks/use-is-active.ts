"use client";
import { usePathname } from "next/navigation";

/** Whether a link's target is the current page (or, with `prefix`, a page below it). */
export function useIsActive(): (href: string, prefix?: boolean) => boolean {
  const pathname = usePathname();
  return (href, prefix = false) => pathname === href || (prefix && pathname.startsWith(`${href}/`));
}
