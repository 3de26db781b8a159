import Link from "next/link";
import { ZodError } from "zod";
import { memberContext } from "@/lib/auth/member";
import { calendarView } from "@/lib/booking/setup";
import { addDays } from "@/lib/booking/time";
import { zodMessage } from "@/lib/errors";
import { PageHeader } from "@/components/ui/card";
import { CalendarGrid, CalendarForms, CalendarSetup } from "@/components/calendar/calendar-client";

export const metadata = { title: "Calendar" };

type SearchParams = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function CalendarPage({ params, searchParams }: { params: Promise<{ business: string }>; searchParams: Promise<SearchParams> }) {
  const { business: slug } = await params;
  const sp = await searchParams;
  const { ctx } = await memberContext(slug);
  let error: string | null = null;
  let data;
  try {
    data = await calendarView({ ctx, input: { view: first(sp.view) || undefined, date: first(sp.date) || undefined } });
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    error = `That address is not a calendar day: ${zodMessage(err)}`;
    data = await calendarView({ ctx, input: {} });
  }
  const step = data.view === "week" ? 7 : 1;
  const href = (view: string, date: string) => `/${slug}/calendar?view=${view}&date=${date}`;
  const title = data.view === "week" ? `Week of ${data.days[0]}` : data.days[0]!;

  return (
    <div className="max-w-7xl">
      <PageHeader title="Calendar" description={`Bookings per person or room, in ${data.timeZone}. The AI books into the free times; you can add, move and block time by hand.`} />
      {error && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <nav aria-label="Calendar range" className="mb-4 flex flex-wrap items-center gap-2 text-sm">
        <Link className="rounded-md border border-slate-200 bg-white px-3 py-1.5" href={href(data.view, addDays(data.anchor, -step))}>
          ← Previous
        </Link>
        <Link className="rounded-md border border-slate-200 bg-white px-3 py-1.5" href={href(data.view, data.today)}>
          Today
        </Link>
        <Link className="rounded-md border border-slate-200 bg-white px-3 py-1.5" href={href(data.view, addDays(data.anchor, step))}>
          Next →
        </Link>
        <span className="px-2 font-medium text-slate-900">{title}</span>
        <span className="ml-auto flex gap-1">
          <Link aria-current={data.view === "day" ? "page" : undefined} className={`rounded-md px-3 py-1.5 ${data.view === "day" ? "bg-slate-900 text-white" : "border border-slate-200 bg-white"}`} href={href("day", data.anchor)}>
            Day
          </Link>
          <Link aria-current={data.view === "week" ? "page" : undefined} className={`rounded-md px-3 py-1.5 ${data.view === "week" ? "bg-slate-900 text-white" : "border border-slate-200 bg-white"}`} href={href("week", data.anchor)}>
            Week
          </Link>
        </span>
      </nav>
      <CalendarGrid slug={slug} data={data} />
      <CalendarForms slug={slug} data={data} />
      {data.canManage && <CalendarSetup slug={slug} data={data} />}
    </div>
  );
}
