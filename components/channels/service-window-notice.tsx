// WhatsApp's 24-hour customer-service window, said plainly where staff write to a customer
// (the channel page and the inbox reply box). Give it the result of serviceWindow().
import { Clock } from "lucide-react";
import { cn } from "@/components/ui/cn";

export function ServiceWindowNotice({ open, closesAt, className }: { open: boolean; closesAt: Date | string | null; className?: string }) {
  const closes = closesAt ? new Date(closesAt) : null;
  const when = closes?.toLocaleString("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  return (
    <p role="status" className={cn("flex items-start gap-2 rounded-md px-3 py-2 text-sm", open ? "bg-emerald-50 text-emerald-900" : "bg-amber-50 text-amber-900", className)}>
      <Clock className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
      {open ? (
        <span>WhatsApp&apos;s 24-hour window is open{when ? ` until ${when}` : ""}: you can reply freely.</span>
      ) : (
        <span>
          WhatsApp&apos;s 24-hour window is closed{when ? ` (it closed ${when})` : ""}: only an approved template can be sent until the customer writes again.
        </span>
      )}
    </p>
  );
}
