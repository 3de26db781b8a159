"use client";
// The calendar's interactive parts: the day or week grid per resource (a booking opens to move,
// cancel or mark a no-show), adding a booking and blocking time by hand, and the managers' set-up.
import { useActionState, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Field, FormMessage, Input, NativeSelect, SaveFooter } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import type { calendarView } from "@/lib/booking/setup";
import {
  addBookingAction,
  blockTimeAction,
  icsFeedAction,
  moveBookingAction,
  saveBookingSettingsAction,
  saveResourceAction,
  saveServiceAction,
  setBookingStatusAction,
  unblockTimeAction,
} from "@/app/(dashboard)/[business]/calendar/actions";

type Data = Awaited<ReturnType<typeof calendarView>>;
type Booking = Data["bookings"][number];
type Closure = Data["closures"][number];

const DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const STATUS_STYLE: Record<string, string> = {
  confirmed: "border-teal-300 bg-teal-50",
  held: "border-amber-300 bg-amber-50",
  cancelled: "border-slate-200 bg-slate-50 text-slate-500 line-through",
  no_show: "border-red-300 bg-red-50",
};
const STATUS_LABEL: Record<string, string> = { confirmed: "Confirmed", held: "Held (awaiting the customer)", cancelled: "Cancelled", no_show: "No-show" };
const clock = (m: number) => (m >= 1440 ? "24:00" : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`);
const dayLabel = (date: string) => {
  const d = new Date(`${date}T12:00:00Z`);
  return `${DAY_NAMES[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()}`;
};

function BookingItem({ slug, booking, data }: { slug: string; booking: Booking; data: Data }) {
  const [open, setOpen] = useState(false);
  const [state, move, pending] = useActionState(moveBookingAction.bind(null, slug, booking.id), null);
  const [statusState, setStatusState] = useState<FormState>(null);
  const [busy, start] = useTransition();
  const live = booking.status === "confirmed" || booking.status === "held";
  const id = (n: string) => `bk-${booking.id}-${n}`;
  return (
    <li className={`rounded-md border px-2 py-1.5 text-xs ${STATUS_STYLE[booking.status] ?? ""}`}>
      <button type="button" className="w-full text-left" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="font-semibold">
          {booking.from}–{booking.to}
        </span>{" "}
        {booking.serviceName} · {booking.customerName}
        <span className="sr-only"> ({STATUS_LABEL[booking.status] ?? booking.status})</span>
      </button>
      {open && (
        <div className="mt-2 space-y-2 border-t border-slate-200 pt-2">
          <p>
            {STATUS_LABEL[booking.status] ?? booking.status} · booked by {booking.source === "ai" ? "the AI" : booking.source === "staff" ? "staff" : "the API"}
          </p>
          {live && (
            <form action={move} className="grid gap-2 sm:grid-cols-3">
              <Field label="Move to" htmlFor={id("date")} error={state?.fieldErrors?.date}>
                <Input id={id("date")} name="date" type="date" defaultValue={booking.date} required />
              </Field>
              <Field label="Time" htmlFor={id("time")} error={state?.fieldErrors?.time}>
                <Input id={id("time")} name="time" type="time" step={300} defaultValue={booking.from} required />
              </Field>
              <Field label="With" htmlFor={id("resource")} error={state?.fieldErrors?.resourceId}>
                <NativeSelect id={id("resource")} name="resourceId" defaultValue={booking.resourceId}>
                  {data.resources.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                    </option>
                  ))}
                </NativeSelect>
              </Field>
              <div className="flex flex-wrap items-center gap-2 sm:col-span-3">
                <Button type="submit" variant="secondary" disabled={pending}>
                  {pending ? "Moving…" : "Move"}
                </Button>
                <Button type="button" variant="ghost" disabled={busy} onClick={() => start(async () => setStatusState(await setBookingStatusAction(slug, booking.id, "cancelled")))}>
                  Cancel booking
                </Button>
                {booking.status === "confirmed" && (
                  <Button type="button" variant="ghost" disabled={busy} onClick={() => start(async () => setStatusState(await setBookingStatusAction(slug, booking.id, "no_show")))}>
                    Mark no-show
                  </Button>
                )}
              </div>
            </form>
          )}
          <FormMessage state={state} />
          <FormMessage state={statusState} />
        </div>
      )}
    </li>
  );
}

function ClosureItem({ slug, closure }: { slug: string; closure: Closure }) {
  const [state, setState] = useState<FormState>(null);
  const [busy, start] = useTransition();
  return (
    <li className="rounded-md border border-dashed border-slate-300 bg-slate-100 px-2 py-1.5 text-xs text-slate-600">
      Blocked {closure.from}–{closure.endDate === closure.date ? closure.to : `${closure.endDate} ${closure.to}`}
      {closure.reason ? ` · ${closure.reason}` : ""}{" "}
      <button type="button" className="underline" disabled={busy} onClick={() => start(async () => setState(await unblockTimeAction(slug, closure.id)))}>
        Unblock
      </button>
      <FormMessage state={state} />
    </li>
  );
}

/** Rows are resources, columns the days; on a phone the grid scrolls sideways. */
export function CalendarGrid({ slug, data }: { slug: string; data: Data }) {
  const resources = data.resources.filter((r) => r.active || data.bookings.some((b) => b.resourceId === r.id));
  if (!resources.length) {
    return (
      <Card className="mb-6 text-sm text-slate-600">
        Nothing to book yet. {data.canManage ? "Add a service and a person or room under Set-up below." : "An owner or admin adds services and people or rooms."}
      </Card>
    );
  }
  return (
    // relative: the bookings' screen-reader labels are absolutely placed, and would widen the page past the scroller
    <div className="relative mb-6 overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[40rem] table-fixed border-collapse text-left text-sm">
        <caption className="sr-only">Bookings per resource and day</caption>
        <thead>
          <tr>
            <th scope="col" className="w-32 border-b border-slate-200 px-2 py-2 text-xs font-medium text-slate-500">
              Resource
            </th>
            {data.days.map((d) => (
              <th key={d} scope="col" className={`border-b border-l border-slate-200 px-2 py-2 text-xs font-medium ${d === data.today ? "text-teal-700" : "text-slate-500"}`}>
                {dayLabel(d)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r.id} className="align-top">
              <th scope="row" className="border-b border-slate-200 px-2 py-2 text-sm font-medium text-slate-900">
                {r.name}
              </th>
              {data.days.map((d) => {
                const items = data.bookings.filter((b) => b.resourceId === r.id && b.date === d);
                const blocked = data.closures.filter((c) => (c.resourceId === r.id || c.resourceId === null) && c.date <= d && d <= c.endDate);
                return (
                  <td key={d} className="border-b border-l border-slate-200 p-1.5">
                    <ul className="space-y-1">
                      {blocked.map((c) => (
                        <ClosureItem key={c.id} slug={slug} closure={c} />
                      ))}
                      {items.map((b) => (
                        <BookingItem key={b.id} slug={slug} booking={b} data={data} />
                      ))}
                    </ul>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Adding a booking and blocking time, side by side on a wide screen. */
export function CalendarForms({ slug, data }: { slug: string; data: Data }) {
  const [added, add, adding] = useActionState(addBookingAction.bind(null, slug), null);
  const [blocked, block, blocking] = useActionState(blockTimeAction.bind(null, slug), null);
  const services = data.services.filter((s) => s.active);
  const resources = data.resources.filter((r) => r.active);
  if (!services.length || !resources.length) return null;
  return (
    <div className="mb-6 grid gap-4 lg:grid-cols-2">
      <Card>
        <h2 className="mb-3 text-base font-semibold">Add a booking</h2>
        <form action={add} className="grid gap-3 sm:grid-cols-2">
          <Field label="Service" htmlFor="add-service" error={added?.fieldErrors?.serviceId}>
            <NativeSelect id="add-service" name="serviceId" required>
              {services.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.durationMinutes} min)
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="With" htmlFor="add-resource" error={added?.fieldErrors?.resourceId}>
            <NativeSelect id="add-resource" name="resourceId" required>
              {resources.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Customer" htmlFor="add-customer" error={added?.fieldErrors?.customerId}>
            <NativeSelect id="add-customer" name="customerId" required>
              {data.customers.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Day" htmlFor="add-date" error={added?.fieldErrors?.date}>
            <Input id="add-date" name="date" type="date" defaultValue={data.anchor} required />
          </Field>
          <Field label={`Time (${data.timeZone})`} htmlFor="add-time" error={added?.fieldErrors?.time}>
            <Input id="add-time" name="time" type="time" step={300} defaultValue="09:00" required />
          </Field>
          <Field label="Note" htmlFor="add-notes" error={added?.fieldErrors?.notes}>
            <Input id="add-notes" name="notes" maxLength={1000} />
          </Field>
          <div className="space-y-2 sm:col-span-2">
            <FormMessage state={added} />
            <Button type="submit" disabled={adding}>
              {adding ? "Booking…" : "Book"}
            </Button>
          </div>
        </form>
      </Card>
      <Card>
        <h2 className="mb-3 text-base font-semibold">Block time</h2>
        <form action={block} className="grid gap-3 sm:grid-cols-2">
          <Field label="For" htmlFor="block-resource" error={blocked?.fieldErrors?.resourceId} hint={data.canManage ? "Everyone: a holiday or closure." : undefined}>
            <NativeSelect id="block-resource" name="resourceId">
              {resources.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
              {data.canManage && <option value="">Everyone (the business is closed)</option>}
            </NativeSelect>
          </Field>
          <Field label="Day" htmlFor="block-date" error={blocked?.fieldErrors?.date}>
            <Input id="block-date" name="date" type="date" defaultValue={data.anchor} required />
          </Field>
          <Field label="From" htmlFor="block-from" error={blocked?.fieldErrors?.from}>
            <Input id="block-from" name="from" type="time" step={300} defaultValue="12:00" required />
          </Field>
          <Field label="Until" htmlFor="block-to" error={blocked?.fieldErrors?.to}>
            <Input id="block-to" name="to" type="time" step={300} defaultValue="13:00" required />
          </Field>
          <Field label="Reason" htmlFor="block-reason" error={blocked?.fieldErrors?.reason}>
            <Input id="block-reason" name="reason" maxLength={200} placeholder="Lunch, training, holiday…" />
          </Field>
          <div className="space-y-2 sm:col-span-2">
            <FormMessage state={blocked} />
            <Button type="submit" variant="secondary" disabled={blocking}>
              {blocking ? "Blocking…" : "Block"}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}

function ServiceForm({ slug, service }: { slug: string; service?: Data["services"][number] }) {
  const [state, action, pending] = useActionState(saveServiceAction.bind(null, slug, service?.id ?? null), null);
  const id = (n: string) => `svc-${service?.id ?? "new"}-${n}`;
  return (
    <form action={action} className="grid gap-2 border-b border-slate-100 pb-3 sm:grid-cols-5" aria-label={service ? `Service ${service.name}` : "New service"}>
      <Field label="Name" htmlFor={id("name")} error={state?.fieldErrors?.name}>
        <Input id={id("name")} name="name" defaultValue={service?.name} required maxLength={100} />
      </Field>
      <Field label="Minutes" htmlFor={id("dur")} error={state?.fieldErrors?.durationMinutes}>
        <Input id={id("dur")} name="durationMinutes" type="number" min={5} max={1440} defaultValue={service?.durationMinutes ?? 30} required />
      </Field>
      <Field label="Buffer after" htmlFor={id("buf")} error={state?.fieldErrors?.bufferMinutes}>
        <Input id={id("buf")} name="bufferMinutes" type="number" min={0} max={1440} defaultValue={service?.bufferMinutes ?? 0} />
      </Field>
      <Field label="Price" htmlFor={id("price")} error={state?.fieldErrors?.price}>
        <Input id={id("price")} name="price" type="number" min={0} step="0.01" defaultValue={service?.price ?? ""} />
      </Field>
      <Field label="Offered" htmlFor={id("active")}>
        <NativeSelect id={id("active")} name="active" defaultValue={service && !service.active ? "off" : "on"}>
          <option value="on">Yes</option>
          <option value="off">No</option>
        </NativeSelect>
      </Field>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-5">
        <SaveFooter state={state} pending={pending} />
      </div>
    </form>
  );
}

function ResourceForm({ slug, resource, services }: { slug: string; resource?: Data["resources"][number]; services: Data["services"] }) {
  const [state, action, pending] = useActionState(saveResourceAction.bind(null, slug, resource?.id ?? null), null);
  const id = (n: string) => `res-${resource?.id ?? "new"}-${n}`;
  const hoursOf = (d: number) => resource?.hours.find((h) => h.weekday === d);
  return (
    <form action={action} className="space-y-2 border-b border-slate-100 pb-3" aria-label={resource ? `Resource ${resource.name}` : "New person or room"}>
      <div className="grid gap-2 sm:grid-cols-3">
        <Field label="Name" htmlFor={id("name")} error={state?.fieldErrors?.name}>
          <Input id={id("name")} name="name" defaultValue={resource?.name} required maxLength={100} />
        </Field>
        <Field label="Services (none chosen: all)" htmlFor={id("services")} error={state?.fieldErrors?.serviceIds}>
          <NativeSelect id={id("services")} name="serviceIds" multiple defaultValue={resource?.serviceIds ?? []} className="h-20">
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </NativeSelect>
        </Field>
        <Field label="Bookable" htmlFor={id("active")}>
          <NativeSelect id={id("active")} name="active" defaultValue={resource && !resource.active ? "off" : "on"}>
            <option value="on">Yes</option>
            <option value="off">No</option>
          </NativeSelect>
        </Field>
      </div>
      <fieldset>
        <legend className="text-xs font-medium text-slate-600">Working hours (leave a day empty for a day off; all empty: the business&apos;s opening hours)</legend>
        <div className="mt-1 grid grid-cols-2 gap-2 sm:grid-cols-4 xl:grid-cols-7">
          {DAY_NAMES.map((name, d) => (
            <div key={name} className="text-xs">
              <span className="block font-medium">{name}</span>
              <Input aria-label={`${name} opens`} name={`opens-${d}`} type="time" step={300} defaultValue={hoursOf(d) ? clock(hoursOf(d)!.opens) : ""} />
              <Input aria-label={`${name} closes`} name={`closes-${d}`} type="time" step={300} defaultValue={hoursOf(d) ? clock(Math.min(hoursOf(d)!.closes, 1439)) : ""} className="mt-1" />
            </div>
          ))}
        </div>
        {state?.fieldErrors?.hours && <p className="mt-1 text-xs text-red-700">{state.fieldErrors.hours}</p>}
      </fieldset>
      <div className="flex flex-wrap items-center gap-2">
        <SaveFooter state={state} pending={pending} />
      </div>
    </form>
  );
}

function SettingsForm({ slug, settings }: { slug: string; settings: Data["settings"] }) {
  const [state, action, pending] = useActionState(saveBookingSettingsAction.bind(null, slug), null);
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-3" aria-label="Booking settings">
      <Field label="Lead time (minutes)" htmlFor="set-lead" error={state?.fieldErrors?.leadMinutes} hint="The earliest a customer can book ahead.">
        <Input id="set-lead" name="leadMinutes" type="number" min={0} defaultValue={settings.leadMinutes} required />
      </Field>
      <Field label="Bookings open (days ahead)" htmlFor="set-horizon" error={state?.fieldErrors?.horizonDays}>
        <Input id="set-horizon" name="horizonDays" type="number" min={1} max={730} defaultValue={settings.horizonDays} required />
      </Field>
      <Field label="Hold while confirming (minutes)" htmlFor="set-hold" error={state?.fieldErrors?.holdMinutes}>
        <Input id="set-hold" name="holdMinutes" type="number" min={1} max={1440} defaultValue={settings.holdMinutes} required />
      </Field>
      <Field label="Start times every (minutes)" htmlFor="set-step" error={state?.fieldErrors?.slotStepMinutes}>
        <Input id="set-step" name="slotStepMinutes" type="number" min={5} max={240} defaultValue={settings.slotStepMinutes} required />
      </Field>
      <Field label="Reminders (hours before, comma-separated)" htmlFor="set-reminders" error={state?.fieldErrors?.reminderHours} hint="Empty: no reminders.">
        <Input id="set-reminders" name="reminderHours" defaultValue={settings.reminderOffsets.map((m) => String(m / 60)).join(", ")} />
      </Field>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-3">
        <SaveFooter state={state} pending={pending} />
      </div>
    </form>
  );
}

function FeedCard({ slug, on }: { slug: string; on: boolean }) {
  const [state, setState] = useState<FormState>(null);
  const [busy, start] = useTransition();
  return (
    <Card>
      <h3 className="mb-2 font-semibold">Calendar feed (.ics)</h3>
      <p className="mb-3 text-sm text-slate-600">
        {on ? "The feed is on. A new address stops the old one from working." : "See your bookings in Google Calendar or Outlook through a secret address."}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" disabled={busy} onClick={() => start(async () => setState(await icsFeedAction(slug, true)))}>
          {on ? "Make a new address" : "Turn the feed on"}
        </Button>
        {on && (
          <Button type="button" variant="ghost" disabled={busy} onClick={() => start(async () => setState(await icsFeedAction(slug, false)))}>
            Turn the feed off
          </Button>
        )}
      </div>
      <div className="mt-3 space-y-2">
        <FormMessage state={state} />
        {state?.link && (
          <Input aria-label="Calendar feed address" readOnly value={state.link} onFocus={(e) => e.currentTarget.select()} className="font-mono text-xs" />
        )}
      </div>
    </Card>
  );
}

/** Owners and admins: services, people and rooms with their hours, booking settings. */
export function CalendarSetup({ slug, data }: { slug: string; data: Data }) {
  return (
    <section aria-labelledby="setup-title" className="space-y-4">
      <h2 id="setup-title" className="text-lg font-semibold">
        Set-up
      </h2>
      <Card>
        <h3 className="mb-2 font-semibold">Services</h3>
        <div className="space-y-3">
          {data.services.map((s) => (
            <ServiceForm key={s.id} slug={slug} service={s} />
          ))}
          <ServiceForm slug={slug} />
        </div>
      </Card>
      <Card>
        <h3 className="mb-2 font-semibold">People and rooms</h3>
        <div className="space-y-3">
          {data.resources.map((r) => (
            <ResourceForm key={r.id} slug={slug} resource={r} services={data.services} />
          ))}
          <ResourceForm slug={slug} services={data.services} />
        </div>
      </Card>
      <Card>
        <h3 className="mb-2 font-semibold">Booking rules</h3>
        <SettingsForm slug={slug} settings={data.settings} />
      </Card>
      <FeedCard slug={slug} on={data.feedOn} />
    </section>
  );
}
