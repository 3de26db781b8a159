import "server-only";
// The AI books: one turn of a booking conversation, called by the answer chain before FAQs, cache and
// model. With Gemini, the model calls the booking tools (find_slots, hold_slot, book, reschedule,
// cancel, my_bookings) through function calling; offline, a deterministic dialogue runs the same verbs
// (intent → service → day → offered times → hold → confirm). Either way the customer is the one the
// conversation resolved to on any channel, and every time read back carries its date, time and zone.
import { and, asc, eq, gt } from "drizzle-orm";
import { z } from "zod";
import type { Content, FunctionDeclaration, GoogleGenAI, Part } from "@google/genai";
import { getDb, withService } from "@/lib/db/client";
import { bookingDialogues, bookings, bookingServices, type businesses } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { LanguageModel } from "@/lib/ai/model";
import { createGenAI } from "@/lib/ai/gemini-client";
import { DEFAULT_FAST_MODEL } from "@/lib/ai/router";
import { isAffirmative } from "@/lib/ai/intents";
import { spendingAllowed, type Settlement } from "@/lib/pipeline/spend";
import type { AnswerSource } from "@/lib/pipeline/types";
import type { Ctx } from "@/lib/services/context";
import { cancelBooking, confirmBooking, customerBookings, findSlots, holdSlot, loadBookingContext, reschedule, type BookingView, type SlotView } from "./bookings";
import { parseWhen, type When } from "./dates";
import { addDays, describeInstant, localDateOf, localMinuteOf, parseLocalDate, zonedInstant } from "./time";

export type BookingTurnInput = {
  business: typeof businesses.$inferSelect;
  customerId: string;
  conversationId: string;
  channelId: string;
  messageId: string;
  text: string;
  /** earlier messages of the conversation, oldest first (for the model) */
  history: { role: string; content: string }[];
  /** whether the conversation has a booking dialogue under way, as the caller's load read it (else read here) */
  dialogueOpen?: boolean;
};

export type BookingTurnResult = {
  reply: string;
  source: AnswerSource;
  /** what the answer chain stores with the reply, and the model calls' settlement */
  details: { model: string | null; tokensIn: number; tokensOut: number; costUsd: number; settle?: Settlement };
};

type Opts = { now?: Date; model?: LanguageModel; genai?: GoogleGenAI };

/** A dialogue left this long is forgotten: the next message starts afresh. */
/** A booking dialogue left this long is over. */
export const DIALOGUE_TTL_MS = 30 * 60_000;
const MAX_OFFERED = 6;
const MAX_TOOL_ROUNDS = 5;
/** The model's word that a message is not about bookings: the answer chain answers it instead. */
const NOT_BOOKING = "NOT_BOOKING";

/** Asking to book, not merely mentioning an appointment ("the missed-appointment charge" is a question for the FAQs). */
const BOOK_RE = /\b(book|reserve|schedule)\b|\b(make|get|need|want|like) (an? |to book an? )?(appointment|booking|reservation)\b|\b(free|available|open) (slots?|times?|appointments?)\b|\bavailability\b/i;
const CANCEL_RE = /\bcancel\b/i;
const MOVE_RE = /\b(reschedule|re-schedule|move|change)\b|can'?t make it|cannot make it|won'?t make it|can not make it/i;
const LIST_RE = /\bmy (bookings?|appointments?|reservations?)\b|\bwhen is my\b|\bdo i have (a |an |any )?(bookings?|appointments?)\b/i;
const STOP_RE = /^\s*(stop|never ?mind|forget it|no thanks|no thank you)\b/i;
const NO_RE = /^\s*(no|nope|nah|not really|neither|none)\b/i;

const Offered = z.object({ start: z.string(), resourceId: z.string(), label: z.string() });
type Offered = z.infer<typeof Offered>;
const WhenState = z.object({ date: z.string(), minute: z.number().optional(), window: z.object({ from: z.number(), to: z.number() }).optional(), text: z.string(), dayNamed: z.boolean().optional() });
/** The stored dialogue; a row of another shape (an older version's) is ignored and the dialogue starts afresh. */
const State = z.discriminatedUnion("step", [
  z.object({ step: z.literal("service"), when: WhenState.optional(), moveId: z.string().optional() }),
  z.object({ step: z.literal("day"), serviceId: z.string(), moveId: z.string().optional() }),
  z.object({ step: z.literal("time"), serviceId: z.string(), date: z.string(), offered: z.array(Offered).min(1), moveId: z.string().optional() }),
  z.object({ step: z.literal("confirm"), bookingId: z.string() }),
  z.object({ step: z.literal("confirm_move"), bookingId: z.string(), start: z.string(), resourceId: z.string(), label: z.string() }),
  z.object({ step: z.literal("confirm_cancel"), bookingId: z.string(), label: z.string() }),
  z.object({ step: z.literal("gemini") }),
]);
type State = z.infer<typeof State>;

type Turn = BookingTurnInput & { ctx: Ctx; now: Date; timeZone: string; services: { id: string; name: string; durationMinutes: number }[] };

/** The narrow hook of the answer chain: null when this message is not about bookings. */
export async function bookingTurn(input: BookingTurnInput, opts: Opts = {}): Promise<BookingTurnResult | null> {
  const now = opts.now ?? new Date();
  const text = input.text.trim();
  const asked = BOOK_RE.test(text) || CANCEL_RE.test(text) || MOVE_RE.test(text) || LIST_RE.test(text);
  const open = and(eq(bookingDialogues.businessId, input.business.id), eq(bookingDialogues.conversationId, input.conversationId), gt(bookingDialogues.updatedAt, new Date(now.getTime() - DIALOGUE_TTL_MS)));
  // on the hot path of every answer: a message that asks nothing about bookings, in a conversation
  // with no dialogue under way (the pipeline's load says; else one indexed read), goes on at once
  if (!asked && !(input.dialogueOpen ?? (await (await getDb()).select({ id: bookingDialogues.conversationId }).from(bookingDialogues).where(open).limit(1)).length > 0)) return null;
  const { services, timeZone, dialogue } = await withService(async (tx) => {
    const services = await tx
      .select({ id: bookingServices.id, name: bookingServices.name, durationMinutes: bookingServices.durationMinutes })
      .from(bookingServices)
      .where(and(eq(bookingServices.businessId, input.business.id), eq(bookingServices.active, true)))
      .orderBy(asc(bookingServices.name));
    if (!services.length) return { services, timeZone: "UTC", dialogue: null };
    const bc = await loadBookingContext(tx, input.business.id);
    const [dialogue] = await tx.select().from(bookingDialogues).where(open);
    return { services, timeZone: bc.timeZone, dialogue: dialogue ?? null };
  });
  // a business that offers nothing to book: the answer chain goes on as before
  if (!services.length) return null;
  const gemini = env().adapters.model === "gemini" && (!opts.model || opts.model.provider === "gemini") && env().PRISMAI_BENCH_MODEL_DELAY_MS === undefined;
  const parsed = dialogue ? State.safeParse(dialogue.state) : null;
  // a dialogue the other responder began (the model changed in between) starts afresh
  const state = parsed?.success && (parsed.data.step === "gemini") === gemini ? parsed.data : null;
  if (!state && !asked) return null;
  const turn: Turn = { ...input, ctx: { businessId: input.business.id, actor: { type: "customer", customerId: input.customerId } }, now, timeZone, services };
  if (gemini) return geminiTurn(turn, opts);
  const { reply, next } = await offlineTurn(turn, state, text);
  await saveState(turn, next);
  return { reply, source: "offline", details: { model: null, tokensIn: 0, tokensOut: 0, costUsd: 0 } };
}

async function saveState(turn: Turn, next: State | null) {
  await withService(async (tx) => {
    if (!next) {
      await tx.delete(bookingDialogues).where(and(eq(bookingDialogues.businessId, turn.business.id), eq(bookingDialogues.conversationId, turn.conversationId)));
      return;
    }
    await tx
      .insert(bookingDialogues)
      .values({ businessId: turn.business.id, conversationId: turn.conversationId, customerId: turn.customerId, state: next as Record<string, unknown>, updatedAt: turn.now })
      .onConflictDoUpdate({ target: bookingDialogues.conversationId, set: { state: next as Record<string, unknown>, updatedAt: turn.now } });
  });
}

// ---------------------------------------------------------------- the offline dialogue

const zoneOf = (label: string) => label.slice(label.lastIndexOf("("));
const clockOf = (label: string) => /at (\d{2}:\d{2})/.exec(label)?.[1] ?? "";
const dayOf = (label: string) => label.slice(0, label.indexOf(" at "));

function matchService(text: string, services: Turn["services"]) {
  const t = text.toLowerCase();
  return services.find((s) => t.includes(s.name.toLowerCase())) ?? services.find((s) => s.name.toLowerCase().split(/\s+/).some((w) => w.length > 3 && t.includes(w)));
}

function serviceQuestion(services: Turn["services"]): string {
  return `Which service would you like to book: ${services.map((s) => `${s.name} (${s.durationMinutes} min)`).join(", ")}?`;
}

/** The local minute a customer picked ("10:30", "10am", "at 3", "the second one"), among what was offered. */
function pickOffered(text: string, offered: Offered[], timeZone: string): Offered | null {
  const ordinals: [RegExp, number][] = [
    [/\b(first|1st|earliest)\b|^\s*1\s*$/i, 0],
    [/\b(second|2nd)\b|^\s*2\s*$/i, 1],
    [/\b(third|3rd)\b|^\s*3\s*$/i, 2],
    [/\b(fourth|4th)\b|^\s*4\s*$/i, 3],
    [/\b(fifth|5th)\b|^\s*5\s*$/i, 4],
    [/\b(sixth|6th)\b|^\s*6\s*$/i, 5],
  ];
  for (const [re, i] of ordinals) if (re.test(text) && offered[i]) return offered[i];
  if (/\b(last|latest)\b/i.test(text)) return offered[offered.length - 1] ?? null;
  const m = /\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\b/i.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  if (m[3]?.toLowerCase() === "pm" && hour < 12) hour += 12;
  if (m[3]?.toLowerCase() === "am" && hour === 12) hour = 0;
  const candidates = [hour * 60 + minute, ...(!m[3] && hour >= 1 && hour <= 7 ? [(hour + 12) * 60 + minute] : [])];
  return offered.find((o) => candidates.includes(localMinuteOf(new Date(o.start), timeZone))) ?? null;
}

/** Offers times for a service from the day asked for (or the next days that have any); holds an exact time asked for. */
async function offer(turn: Turn, serviceId: string, when: When, moveId?: string): Promise<{ reply: string; next: State | null }> {
  const service = turn.services.find((s) => s.id === serviceId)!;
  let date = when.date;
  let slots: SlotView[] = [];
  for (let ahead = 0; ahead < 14; ahead++, date = addDays(date, 1)) {
    const found = await findSlots({ ctx: turn.ctx, input: { serviceId, date, window: ahead === 0 ? when.window : undefined } }, { now: turn.now });
    slots = found.slots;
    if (slots.length) break;
  }
  if (!slots.length) return { reply: `I'm sorry, there is nothing free for ${service.name} in the next two weeks. Would you like me to pass you to a person?`, next: null };
  const sameDay = date === when.date;
  if (sameDay && when.minute !== undefined) {
    const exact = slots.find((s) => localMinuteOf(new Date(s.start), turn.timeZone) === when.minute);
    if (exact) return hold(turn, serviceId, { start: exact.start, resourceId: exact.resourceId, label: exact.label }, moveId);
  }
  const offered = pickSpread(slots, when.minute, turn.timeZone).map((s) => ({ start: s.start, resourceId: s.resourceId, label: s.label }));
  const first = offered[0]!.label;
  const times = offered.map((o) => clockOf(o.label)).join(", ");
  const lead = !sameDay
    ? `Nothing is free for ${service.name} on ${dayOf(describeInstant(dateStart(when.date, turn.timeZone), turn.timeZone))}. The next free day is ${dayOf(first)}: `
    : when.minute !== undefined
      ? `${String(Math.floor(when.minute / 60)).padStart(2, "0")}:${String(when.minute % 60).padStart(2, "0")} is not free. On ${dayOf(first)} I can offer `
      : `For ${service.name} on ${dayOf(first)} I can offer `;
  return { reply: `${lead}${times} ${zoneOf(first)}. Which time suits you?`, next: { step: "time", serviceId, date, offered, moveId } };
}

/** Local noon of a day: on that day whatever the zone and its clock changes. */
function dateStart(date: string, timeZone: string): Date {
  return zonedInstant(date, 720, timeZone)!;
}

/** Up to MAX_OFFERED times, nearest to a time asked for, else spread over the day. */
function pickSpread(slots: SlotView[], minute: number | undefined, timeZone: string): SlotView[] {
  if (slots.length <= MAX_OFFERED) return slots;
  if (minute !== undefined) {
    return [...slots]
      .sort((a, b) => Math.abs(localMinuteOf(new Date(a.start), timeZone) - minute) - Math.abs(localMinuteOf(new Date(b.start), timeZone) - minute))
      .slice(0, MAX_OFFERED)
      .sort((a, b) => a.start.localeCompare(b.start));
  }
  const step = slots.length / MAX_OFFERED;
  return Array.from({ length: MAX_OFFERED }, (_, i) => slots[Math.floor(i * step)]!);
}

async function hold(turn: Turn, serviceId: string, slot: Offered, moveId?: string): Promise<{ reply: string; next: State | null }> {
  const service = turn.services.find((s) => s.id === serviceId)!;
  if (moveId) {
    return { reply: `Shall I move your ${service.name} to ${slot.label}? (yes/no)`, next: { step: "confirm_move", bookingId: moveId, start: slot.start, resourceId: slot.resourceId, label: slot.label } };
  }
  try {
    const held = await holdSlot({ ctx: turn.ctx, input: { serviceId, start: slot.start, resourceId: slot.resourceId, channelId: turn.channelId, conversationId: turn.conversationId } }, { now: turn.now });
    const minutes = Math.round((Date.parse(held.holdExpiresAt!) - turn.now.getTime()) / 60_000);
    return { reply: `I'm holding ${service.name} with ${held.resourceName} for you on ${held.label} for ${minutes} minutes. Shall I book it? (yes/no)`, next: { step: "confirm", bookingId: held.id } };
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "conflict") throw err;
    return offer(turn, serviceId, { date: localDateOf(new Date(slot.start), turn.timeZone), text: "" }).then((o) => ({ ...o, reply: `${err.message} ${o.reply}` }));
  }
}

function describeList(list: BookingView[]): string {
  return list.map((b) => `${b.serviceName} on ${b.label}`).join("; ");
}

async function offlineTurn(turn: Turn, state: State | null, text: string): Promise<{ reply: string; next: State | null }> {
  const when = parseWhen(text, turn.now, turn.timeZone);
  const yes = isAffirmative(text) || /^\s*(yes|yeah|yep|confirm|book it)\b/i.test(text);
  const no = NO_RE.test(text);

  if (STOP_RE.test(text) && state) {
    if (state.step === "confirm") await cancelBooking({ ctx: turn.ctx, input: { bookingId: state.bookingId } }, { now: turn.now }).catch(() => undefined);
    return { reply: "No problem, I've left your bookings as they were.", next: null };
  }
  if (CANCEL_RE.test(text) && state?.step !== "confirm_cancel") {
    const list = (await customerBookings({ ctx: turn.ctx }, { now: turn.now })).filter((b) => b.status === "confirmed");
    const chosen = (when && list.find((b) => localDateOf(new Date(b.start), turn.timeZone) === when.date)) ?? list[0];
    if (!chosen) return { reply: "You have no upcoming bookings to cancel.", next: null };
    return { reply: `Shall I cancel your ${chosen.serviceName} on ${chosen.label}? (yes/no)`, next: { step: "confirm_cancel", bookingId: chosen.id, label: chosen.label } };
  }
  if (MOVE_RE.test(text) && !(state?.step === "confirm_move" && yes)) {
    const list = (await customerBookings({ ctx: turn.ctx }, { now: turn.now })).filter((b) => b.status === "confirmed");
    const chosen = list[0];
    if (!chosen) return { reply: "You have no upcoming bookings to move.", next: null };
    const serviceId = chosen.serviceId;
    // a new day in the same message ("can't make it, Thursday instead?") is offered at once
    const fresh = when && when.date !== localDateOf(new Date(chosen.start), turn.timeZone) ? when : null;
    if (fresh) return offer(turn, serviceId, fresh, chosen.id);
    return { reply: `No problem. Your ${chosen.serviceName} is on ${chosen.label}. Which other day would suit you?`, next: { step: "day", serviceId, moveId: chosen.id } };
  }

  if (LIST_RE.test(text)) {
    const list = await customerBookings({ ctx: turn.ctx }, { now: turn.now });
    return { reply: list.length ? `Your upcoming bookings: ${describeList(list)}.` : "You have no upcoming bookings.", next: null };
  }

  switch (state?.step) {
    case "confirm": {
      if (yes) {
        const booked = await confirmBooking({ ctx: turn.ctx, input: { bookingId: state.bookingId } }, { now: turn.now }).catch((err: unknown) => {
          if (err instanceof AppError && err.code === "conflict") return err;
          throw err;
        });
        if (booked instanceof AppError) return { reply: `${booked.message}`, next: null };
        return { reply: `You're booked: ${booked.serviceName} with ${booked.resourceName} on ${booked.label}. See you then!`, next: null };
      }
      if (no || when) {
        await cancelBooking({ ctx: turn.ctx, input: { bookingId: state.bookingId } }, { now: turn.now }).catch(() => undefined);
        const serviceId = await serviceOfBooking(turn, state.bookingId);
        if (when) return offer(turn, serviceId, when);
        return { reply: "All right, I've let that time go. Which other day or time would suit you?", next: { step: "day", serviceId } };
      }
      return { reply: "Shall I book the time I'm holding for you? Please answer yes or no.", next: state };
    }
    case "confirm_cancel": {
      if (yes) {
        const done = await cancelBooking({ ctx: turn.ctx, input: { bookingId: state.bookingId } }, { now: turn.now });
        return { reply: `Done: your ${done.serviceName} on ${done.label} is cancelled.`, next: null };
      }
      return { reply: "All right, your booking stays as it is.", next: null };
    }
    case "confirm_move": {
      if (yes) {
        try {
          const moved = await reschedule({ ctx: turn.ctx, input: { bookingId: state.bookingId, start: state.start, resourceId: state.resourceId } }, { now: turn.now });
          return { reply: `Done: your ${moved.serviceName} is now on ${moved.label}.`, next: null };
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== "conflict") throw err;
          const serviceId = await serviceOfBooking(turn, state.bookingId);
          const again = await offer(turn, serviceId, { date: localDateOf(new Date(state.start), turn.timeZone), text: "" }, state.bookingId);
          return { ...again, reply: `${err.message} ${again.reply}` };
        }
      }
      const serviceId = await serviceOfBooking(turn, state.bookingId);
      if (when) return offer(turn, serviceId, when, state.bookingId);
      return { reply: "All right. Which other day would suit you?", next: { step: "day", serviceId, moveId: state.bookingId } };
    }
    case "time": {
      const otherDay = when?.dayNamed && when.date !== state.date;
      const picked = otherDay ? null : pickOffered(text, state.offered, turn.timeZone);
      if (picked) return hold(turn, state.serviceId, picked, state.moveId);
      // another day, or a time not offered on this one ("14:15?")
      if (when) return offer(turn, state.serviceId, otherDay ? when : { ...when, date: state.date }, state.moveId);
      return { reply: `Please choose one of these times: ${state.offered.map((o) => clockOf(o.label)).join(", ")} ${zoneOf(state.offered[0]!.label)}, or name another day.`, next: state };
    }
    case "day": {
      if (when) return offer(turn, state.serviceId, when, state.moveId);
      return { reply: "Which day would suit you? For example “tomorrow”, “Friday afternoon” or “the 14th”.", next: state };
    }
    case "service": {
      const service = matchService(text, turn.services);
      if (!service) return { reply: serviceQuestion(turn.services), next: state };
      const day = when ?? state.when;
      if (day) return offer(turn, service.id, day, state.moveId);
      return { reply: `${service.name} it is. Which day would suit you?`, next: { step: "day", serviceId: service.id, moveId: state.moveId } };
    }
  }

  // a new booking conversation
  const service = turn.services.length === 1 ? turn.services[0]! : matchService(text, turn.services);
  if (!service) return { reply: serviceQuestion(turn.services), next: { step: "service", when: when ?? undefined } };
  if (when) return offer(turn, service.id, when);
  return { reply: `I can book ${service.name} for you. Which day would suit you? For example “tomorrow”, “Friday afternoon” or “the 14th”.`, next: { step: "day", serviceId: service.id } };
}

async function serviceOfBooking(turn: Turn, bookingId: string): Promise<string> {
  const [row] = await withService((tx) => tx.select({ serviceId: bookings.serviceId }).from(bookings).where(and(eq(bookings.businessId, turn.business.id), eq(bookings.id, bookingId))));
  return row?.serviceId ?? turn.services[0]!.id;
}

// ---------------------------------------------------------------- Gemini function calling

const TOOL_DECLARATIONS: FunctionDeclaration[] = [
  {
    name: "find_slots",
    description: "Free start times for a service on a day. Give the day as the customer said it (\"tomorrow\", \"next Tuesday afternoon\", \"the 14th\") or as YYYY-MM-DD.",
    parametersJsonSchema: {
      type: "object",
      properties: { service: { type: "string", description: "the service's name" }, day: { type: "string" } },
      required: ["service", "day"],
    },
  },
  {
    name: "hold_slot",
    description: "Holds one offered start time for the customer while they confirm. Returns the hold with its read-back label.",
    parametersJsonSchema: {
      type: "object",
      properties: { service: { type: "string" }, start: { type: "string", description: "the slot's start exactly as find_slots returned it" } },
      required: ["service", "start"],
    },
  },
  {
    name: "book",
    description: "Confirms a held booking once the customer has said yes.",
    parametersJsonSchema: { type: "object", properties: { booking_id: { type: "string" } }, required: ["booking_id"] },
  },
  {
    name: "reschedule",
    description: "Moves one of the customer's bookings to a start time find_slots offered.",
    parametersJsonSchema: { type: "object", properties: { booking_id: { type: "string" }, start: { type: "string" } }, required: ["booking_id", "start"] },
  },
  {
    name: "cancel",
    description: "Cancels one of the customer's bookings (or a hold) once they have said so.",
    parametersJsonSchema: { type: "object", properties: { booking_id: { type: "string" } }, required: ["booking_id"] },
  },
  {
    name: "my_bookings",
    description: "The customer's upcoming bookings (they are known already: never ask for an email or a name to find them).",
    parametersJsonSchema: { type: "object", properties: {} },
  },
];

/** Runs one tool call as the customer; errors a customer can act on go back to the model as results. */
async function runTool(turn: Turn, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const service = () => {
    const s = matchService(String(args.service ?? ""), turn.services);
    if (!s) throw new AppError("not_found", `No service called “${String(args.service ?? "")}”. Services: ${turn.services.map((x) => x.name).join(", ")}.`);
    return s;
  };
  try {
    switch (name) {
      case "find_slots": {
        const day = String(args.day ?? "");
        const when: When | null = parseLocalDate(day) ? { date: day, text: day } : parseWhen(day, turn.now, turn.timeZone);
        if (!when) return { error: `I could not tell which day “${day}” is.` };
        const found = await findSlots({ ctx: turn.ctx, input: { serviceId: service().id, date: when.date, window: when.window } }, { now: turn.now });
        return { date: found.date, timeZone: found.timeZone, slots: found.slots.slice(0, 12).map((s) => ({ start: s.start, label: s.label })) };
      }
      case "hold_slot": {
        const held = await holdSlot({ ctx: turn.ctx, input: { serviceId: service().id, start: String(args.start ?? ""), channelId: turn.channelId, conversationId: turn.conversationId } }, { now: turn.now });
        return { booking: held };
      }
      case "book":
        return { booking: await confirmBooking({ ctx: turn.ctx, input: { bookingId: String(args.booking_id ?? "") } }, { now: turn.now }) };
      case "reschedule":
        return { booking: await reschedule({ ctx: turn.ctx, input: { bookingId: String(args.booking_id ?? ""), start: String(args.start ?? "") } }, { now: turn.now }) };
      case "cancel":
        return { booking: await cancelBooking({ ctx: turn.ctx, input: { bookingId: String(args.booking_id ?? "") } }, { now: turn.now }) };
      case "my_bookings":
        return { bookings: await customerBookings({ ctx: turn.ctx }, { now: turn.now }) };
      default:
        return { error: `Unknown tool ${name}.` };
    }
  } catch (err) {
    if (err instanceof AppError) return { error: err.message };
    if (err && typeof err === "object" && "issues" in err) return { error: "Those arguments were not valid: use the values the tools returned." };
    throw err;
  }
}

function systemPrompt(turn: Turn): string {
  return [
    `You are the booking assistant of ${turn.business.name}. It is now ${describeInstant(turn.now, turn.timeZone)}.`,
    `Services: ${turn.services.map((s) => `${s.name} (${s.durationMinutes} min)`).join(", ")}.`,
    "Use the tools for every time you offer: never invent a time. Offer a few times, hold the one the customer picks, ask them to confirm, then book.",
    "When you read back a booking or a hold, write out its date, time and time zone exactly as the tool's label gives them.",
    "The customer is already known on this channel: for their bookings call my_bookings, never ask for an email.",
    "Answer in plain text, briefly, in the customer's language.",
    `If the customer's message is not about booking, moving, cancelling or finding their bookings, answer exactly ${NOT_BOOKING} and nothing else.`,
  ].join("\n");
}

async function geminiTurn(turn: Turn, opts: Opts): Promise<BookingTurnResult | null> {
  const model = DEFAULT_FAST_MODEL;
  const system = systemPrompt(turn);
  const contents: Content[] = [
    ...turn.history
      .filter((m) => m.role === "customer" || m.role === "assistant" || m.role === "agent")
      .slice(-10)
      .map((m) => ({ role: m.role === "customer" ? "user" : "model", parts: [{ text: m.content }] })),
    { role: "user", parts: [{ text: turn.text }] },
  ];
  const allowance = await spendingAllowed({
    business: turn.business,
    model,
    // every round sends the conversation again, with the tools' results on top
    prompt: (system + JSON.stringify(contents) + JSON.stringify(TOOL_DECLARATIONS)).repeat(MAX_TOOL_ROUNDS),
    maxOutputTokens: 1024 * MAX_TOOL_ROUNDS,
  });
  // out of budget or paused: the answer chain's own gate says so to the customer
  if (!allowance.ok) return null;
  const ai = opts.genai ?? createGenAI();
  let tokensIn = 0;
  let tokensOut = 0;
  let finished = false;
  try {
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const response = await ai.models.generateContent({
        model,
        contents,
        config: { systemInstruction: system, tools: [{ functionDeclarations: TOOL_DECLARATIONS }], temperature: 0.2, maxOutputTokens: 1024, automaticFunctionCalling: { disable: true } },
      });
      tokensIn += response.usageMetadata?.promptTokenCount ?? 0;
      tokensOut += (response.usageMetadata?.candidatesTokenCount ?? 0) + (response.usageMetadata?.thoughtsTokenCount ?? 0);
      const parts: Part[] = response.candidates?.[0]?.content?.parts ?? [];
      const calls = parts.filter((p) => p.functionCall);
      if (!calls.length) {
        const reply = parts.filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text).join("").trim();
        if (!reply) break;
        if (reply === NOT_BOOKING) {
          // the call was made and is charged; the dialogue is over and the answer chain goes on
          await allowance.settle({ model, tokensIn, tokensOut, messageId: turn.messageId, conversationId: turn.conversationId });
          await saveState(turn, null);
          return null;
        }
        await saveState(turn, finished ? null : { step: "gemini" });
        const actual = { model, tokensIn, tokensOut, messageId: turn.messageId, conversationId: turn.conversationId };
        return { reply, source: "model", details: { model, tokensIn, tokensOut, costUsd: allowance.costOf(actual), settle: allowance.settlement(actual) } };
      }
      contents.push({ role: "model", parts });
      const results: Part[] = [];
      for (const p of calls) {
        const name = p.functionCall!.name ?? "";
        const result = await runTool(turn, name, (p.functionCall!.args ?? {}) as Record<string, unknown>);
        if ((name === "book" || name === "cancel" || name === "reschedule") && !("error" in result)) finished = true;
        results.push({ functionResponse: { id: p.functionCall!.id, name, response: result } });
      }
      contents.push({ role: "user", parts: results });
    }
  } catch (err) {
    await allowance.release();
    throw err;
  }
  // the model gave no answer within its rounds: charge what was used, let the answer chain go on
  await allowance.settle({ model, tokensIn, tokensOut, messageId: turn.messageId, conversationId: turn.conversationId });
  return null;
}
