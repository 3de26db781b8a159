"use server";
// Calendar actions: each resolves the member context again, so roles are enforced on every call
// (any member works the calendar; owners and admins change services, resources and settings).
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { disableIcsFeed, enableIcsFeed } from "@/lib/booking/ics";
import { addBookingByHand, blockTime, moveBookingByHand, saveBookingSettings, saveResource, saveService, setBookingStatus, unblockTime } from "@/lib/booking/setup";

export type { FormState };
const str = (v: FormDataEntryValue | null) => (typeof v === "string" ? v : "");
const optional = (v: FormDataEntryValue | null) => str(v).trim() || undefined;
const done = (slug: string) => revalidatePath(`/${slug}/calendar`, "layout");

export async function addBookingAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const b = await addBookingByHand({
      ctx,
      input: { serviceId: str(form.get("serviceId")), resourceId: str(form.get("resourceId")), customerId: str(form.get("customerId")), date: str(form.get("date")), time: str(form.get("time")), notes: optional(form.get("notes")) },
    });
    done(slug);
    return { ok: `Booked: ${b.serviceName} with ${b.resourceName} on ${b.label}.` };
  } catch (err) {
    return actionError(err, ["serviceId", "resourceId", "customerId", "date", "time", "notes"]);
  }
}

export async function moveBookingAction(slug: string, bookingId: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const b = await moveBookingByHand({ ctx, input: { bookingId, resourceId: str(form.get("resourceId")), date: str(form.get("date")), time: str(form.get("time")) } });
    done(slug);
    return { ok: `Moved to ${b.label}.` };
  } catch (err) {
    return actionError(err, ["resourceId", "date", "time"]);
  }
}

export async function setBookingStatusAction(slug: string, bookingId: string, status: "cancelled" | "no_show"): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await setBookingStatus({ ctx, input: { bookingId, status } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: status === "cancelled" ? "Cancelled: the time is free again." : "Marked as a no-show." };
}

export async function blockTimeAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await blockTime({ ctx, input: { resourceId: optional(form.get("resourceId")), date: str(form.get("date")), from: str(form.get("from")), to: str(form.get("to")), reason: optional(form.get("reason")) } });
  } catch (err) {
    return actionError(err, ["resourceId", "date", "from", "to", "reason"]);
  }
  done(slug);
  return { ok: "Time blocked." };
}

export async function unblockTimeAction(slug: string, closureId: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await unblockTime({ ctx, input: { closureId } });
  } catch (err) {
    return actionError(err);
  }
  done(slug);
  return { ok: "Unblocked." };
}

export async function saveServiceAction(slug: string, serviceId: string | null, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await saveService({
      ctx,
      input: {
        id: serviceId,
        service: { name: str(form.get("name")), durationMinutes: str(form.get("durationMinutes")), bufferMinutes: str(form.get("bufferMinutes")) || 0, price: str(form.get("price")), active: form.get("active") !== "off" },
      },
    });
  } catch (err) {
    return actionError(err, ["name", "durationMinutes", "bufferMinutes", "price"]);
  }
  done(slug);
  return { ok: "Service saved." };
}

const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

export async function saveResourceAction(slug: string, resourceId: string | null, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    // a day with both times set is a working day; a resource without any follows the business's hours
    const hours = WEEKDAYS.flatMap((d) => {
      const opens = str(form.get(`opens-${d}`));
      const closes = str(form.get(`closes-${d}`));
      return opens && closes ? [{ weekday: d, opens, closes }] : [];
    });
    await saveResource({
      ctx,
      input: { id: resourceId, resource: { name: str(form.get("name")), serviceIds: form.getAll("serviceIds").map(String), active: form.get("active") !== "off", hours } },
    });
  } catch (err) {
    return actionError(err, ["name", "serviceIds", "hours"]);
  }
  done(slug);
  return { ok: "Saved." };
}

export async function saveBookingSettingsAction(slug: string, _: FormState, form: FormData): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const reminderOffsets = str(form.get("reminderHours"))
      .split(",")
      .map((h) => h.trim())
      .filter(Boolean)
      .map((h) => Math.round(Number(h) * 60));
    await saveBookingSettings({
      ctx,
      input: { leadMinutes: str(form.get("leadMinutes")), horizonDays: str(form.get("horizonDays")), holdMinutes: str(form.get("holdMinutes")), slotStepMinutes: str(form.get("slotStepMinutes")), reminderOffsets },
    });
  } catch (err) {
    return actionError(err, { leadMinutes: "leadMinutes", horizonDays: "horizonDays", holdMinutes: "holdMinutes", slotStepMinutes: "slotStepMinutes", reminderOffsets: "reminderHours" });
  }
  done(slug);
  return { ok: "Booking settings saved." };
}

/** Turns the .ics feed on (a new secret address, shown once) or off. */
export async function icsFeedAction(slug: string, enable: boolean): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    if (!enable) {
      await disableIcsFeed({ ctx });
      done(slug);
      return { ok: "The calendar feed is off; its address no longer works." };
    }
    const { url } = await enableIcsFeed({ ctx });
    done(slug);
    return { ok: "Subscribe to this address in Google Calendar or Outlook. Keep it secret: anyone with it sees your bookings. It is shown only now.", link: url };
  } catch (err) {
    return actionError(err);
  }
}
