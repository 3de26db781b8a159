// The period and channel of Costs and Analytics as a plain GET form: it works before any script has
// loaded, and every choice is in the URL (so a link or a reload shows the same figures).
import Link from "next/link";

const PERIOD_OPTIONS = [
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
  { value: "this_month", label: "This month" },
  { value: "last_month", label: "Last month" },
  { value: "custom", label: "Custom dates" },
];
const CHANNEL_OPTIONS = [
  { value: "", label: "All channels" },
  { value: "web", label: "Web chat" },
  { value: "sms", label: "SMS" },
  { value: "whatsapp", label: "WhatsApp" },
  { value: "voice", label: "Phone" },
  { value: "email", label: "Email" },
  { value: "telegram", label: "Telegram" },
  { value: "instagram", label: "Instagram" },
];

const control = "rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

export function ReportFiltersForm({
  action,
  values,
  csvHref,
}: {
  action: string;
  values: { period: string; from: string; to: string; channel?: string };
  /** the CSV of what the page shows */
  csvHref?: string;
}) {
  return (
    <form method="get" action={action} className="flex flex-wrap items-end gap-2 text-sm" aria-label="Filters">
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">Period</span>
        <select name="period" defaultValue={values.period} className={control} aria-label="Period">
          {PERIOD_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">From (custom)</span>
        <input type="date" name="from" defaultValue={values.from} className={control} aria-label="From" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">To (custom)</span>
        <input type="date" name="to" defaultValue={values.to} className={control} aria-label="To" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-xs font-medium text-slate-600">Channel</span>
        <select name="channel" defaultValue={values.channel ?? ""} className={control} aria-label="Channel">
          {CHANNEL_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded-md bg-teal-700 px-3 py-1.5 font-medium text-white hover:bg-teal-800">
        Apply
      </button>
      {csvHref && (
        <Link href={csvHref} prefetch={false} download className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-900 hover:bg-slate-50">
          Download CSV
        </Link>
      )}
    </form>
  );
}

/** A filter the server refused: its message, and the way back to the default view. */
export function BadFilters({ message, href }: { message: string; href: string }) {
  return (
    <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
      <p className="font-medium">These filters cannot be shown</p>
      <p className="mt-1">{message}</p>
      <Link href={href} className="mt-2 inline-block text-teal-700 hover:underline">
        Show the last 30 days instead
      </Link>
    </div>
  );
}
