// The owner's own phone and the hand-off relay, in embedded mode on the demo clinic (SMS, WhatsApp
// and voice channels with no Twilio account: everything sent lands in the dev outbox). A member adds
// a number, verified by a code texted through the business's channel; hand-offs climb the member's
// ladder at a fixed clock (dashboard, a text after N minutes, a call after M, nothing in quiet hours,
// nothing twice); the owner answers several open hand-offs from that phone through the real SMS
// webhook (the Channel simulator signs the request) and every answer reaches the right customer.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import { ZodError } from "zod";
import { rows, withService, withTenant } from "@/lib/db/client";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { simulate } from "@/lib/channels/simulator";
import { handleInbound } from "@/lib/pipeline/inbound";
import { findCustomerByIdentity } from "@/lib/pipeline/customers";
import { suggestFaqs } from "@/lib/knowledge/suggestions";
import { getMemberPhoneSettings, removeMemberPhone, requestMemberPhoneCode, saveMemberLadder, verifyMemberPhone } from "@/lib/relay/phone";
import { inQuietHours, runRelayLadder } from "@/lib/relay/ladder";
import { parseOwnerText } from "@/lib/relay/reply";
import { ownerPhoneFeed, ownerPhoneSend, ownerPhoneState } from "@/lib/relay/simulator";
import { JOBS } from "@/lib/jobs";
import type { MemberCtx } from "@/lib/services/context";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import NotificationsPage from "@/app/(dashboard)/[business]/settings/notifications/page";
import { requestMemberPhoneCodeAction, saveMemberLadderAction } from "@/app/(dashboard)/[business]/settings/notifications/actions";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { signInAs } from "../../helpers/session";
import { makeUser } from "../../helpers/fixtures";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP } from "../../fixtures/twilio";

const OWNER_PHONE = "+447911123456";
let owner: MemberCtx;
let agent: MemberCtx;
let web: string;
let n = 0;
const customerPhone = () => `+4477009${String(20000 + ++n).slice(-5)}`;

const problem = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof ZodError ? e.issues[0]!.message : e instanceof Error ? e.message : String(e)),
  );

/** What the dev outbox holds of `kind` (verification, relay_notice, relay_call, staff_reply), oldest first. */
const outboxOf = (kind: string) =>
  withService((tx) =>
    rows<{ body: string; recipient: string; status: string; channel_kind: string; payload: Record<string, unknown> }>(
      tx,
      sql`select body, recipient, status, channel_kind, payload from outbox where business_id = ${DEMO_BUSINESS_ID} and payload->>'kind' = ${kind} order by created_at, id`,
    ),
  );
const lastCode = async () => /\b(\d{6})\b/.exec((await outboxOf("verification")).at(-1)!.body)![1]!;
const masked = (e164: string) => `${e164.slice(0, 3)}${"•".repeat(e164.length - 7)}${e164.slice(-4)}`;

/** The simulator plays someone texting the business's SMS (or WhatsApp) number; returns the TwiML replies. */
async function texts(from: string, text: string, kind: "sms" | "whatsapp" = "sms") {
  const route = kind === "sms" ? smsPost : whatsappPost;
  const r = await simulate({ ctx: owner, input: { kind, from, text }, origin: ORIGIN, post: (url, init) => route(new Request(url, init)) });
  expect(r.status).toBe(200);
  await backgroundIdle();
  return r.replies.map((m) => m.body);
}

/** A customer who asks for a person on `kind`; returns their conversation and its hand-off code. */
async function handOff(kind: "sms" | "whatsapp" | "web", question: string): Promise<{ conversationId: string; code: string; from: string }> {
  const from = kind === "web" ? `visitor-${++n}` : customerPhone();
  if (kind === "web") {
    await handleInbound({ businessId: DEMO_BUSINESS_ID, channelId: web, channelKind: "web", from: { kind: "web", value: from }, text: question }, { defer: () => undefined });
  } else {
    await texts(from, question, kind);
  }
  const [row] = await withService((tx) =>
    rows<{ conversation_id: string; code: string; status: string }>(
      tx,
      sql`select m.conversation_id, h.code, c.status from messages m
          join conversations c on c.id = m.conversation_id
          join relay_handoffs h on h.conversation_id = m.conversation_id and h.closed_at is null
          where m.business_id = ${DEMO_BUSINESS_ID} and m.role = 'customer' and m.content = ${question}`,
    ),
  );
  expect(row).toMatchObject({ status: "waiting_human", code: expect.stringMatching(/^[A-HJ-NP-Z][2-9]$/) });
  return { conversationId: row!.conversation_id, code: row!.code, from };
}

/** The conversation's messages a customer sees (the hand-off reply and what staff answered), oldest first. */
const thread = (conversationId: string) =>
  withService((tx) =>
    rows<{ role: string; content: string; author_id: string | null }>(
      tx,
      sql`select role, content, author_id from messages where conversation_id = ${conversationId} and role in ('agent', 'assistant') order by created_at, id`,
    ),
  );

beforeAll(async () => {
  owner = await useDemoBusiness();
  await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: OUR_NUMBER } });
  await connectTwilioChannel({ ctx: owner, input: { kind: "whatsapp", address: OUR_WHATSAPP } });
  await withService(async (tx) => {
    const user = await makeUser(tx, "dana.agent@demo-dental.test");
    await tx.execute(sql`insert into members (business_id, user_id, role) values (${DEMO_BUSINESS_ID}, ${user.id}, 'agent')`);
    agent = { businessId: DEMO_BUSINESS_ID, actor: { type: "member", userId: user.id, role: "agent" } };
    const [w] = await rows<{ id: string }>(tx, sql`select id from channels where business_id = ${DEMO_BUSINESS_ID} and kind = 'web'`);
    web = w!.id;
  });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("a member's own phone", () => {
  const T = new Date("2026-12-07T10:00:00Z");
  const at = (min: number) => new Date(T.getTime() + min * 60_000);

  it("takes a real international number only, on a channel the business has", async () => {
    expect(await problem(requestMemberPhoneCode({ ctx: owner, input: { kind: "sms", phone: "07911 123456" } }, { now: T }))).toBe(
      "Enter the number in international format: + and the country code, e.g. +14155550100.",
    );
    expect(await problem(requestMemberPhoneCode({ ctx: owner, input: { kind: "fax", phone: OWNER_PHONE } }, { now: T }))).toBe("Choose SMS or WhatsApp.");
    expect((await getMemberPhoneSettings({ ctx: owner })).kinds).toEqual(["sms", "whatsapp"]);
  });

  it("is verified by a hashed, expiring, attempt-limited code texted through the business's channel", async () => {
    const sent = await requestMemberPhoneCode({ ctx: owner, input: { kind: "sms", phone: "+44 7911 123456" } }, { now: T });
    expect(sent.masked).toBe(masked(OWNER_PHONE));
    const [code] = await outboxOf("verification");
    expect(code).toMatchObject({ channel_kind: "sms", status: "sent", recipient: masked(OWNER_PHONE) });
    expect(code!.body).toMatch(/^Riverside Dental Clinic: your code for hand-off alerts is \d{6}\./);
    // sealed at rest: neither the number nor the code is stored as written
    const [stored] = await withService((tx) => rows<Record<string, string>>(tx, sql`select phone_encrypted, phone_hash, code_hash from member_phones where user_id = ${owner.actor.userId}`));
    expect(JSON.stringify(stored)).not.toContain("7911123456");
    expect(JSON.stringify(stored)).not.toContain(await lastCode());

    expect(await problem(requestMemberPhoneCode({ ctx: owner, input: { kind: "sms", phone: OWNER_PHONE } }, { now: at(0.5) }))).toBe(
      "A code was sent less than a minute ago. Wait a moment before asking for another.",
    );
    const wrong = (await lastCode()) === "000000" ? "111111" : "000000";
    expect(await problem(verifyMemberPhone({ ctx: owner, input: { code: wrong } }, { now: at(1) }))).toBe("That code is not right. 4 tries left.");
    expect(await problem(verifyMemberPhone({ ctx: owner, input: { code: await lastCode() } }, { now: at(11) }))).toBe("This code has expired. Send a new code.");
    for (let i = 0; i < 4; i++) await problem(verifyMemberPhone({ ctx: owner, input: { code: wrong } }, { now: at(2) }));
    expect(await problem(verifyMemberPhone({ ctx: owner, input: { code: await lastCode() } }, { now: at(2) }))).toBe("Too many wrong codes. Send a new code.");

    await requestMemberPhoneCode({ ctx: owner, input: { kind: "sms", phone: OWNER_PHONE } }, { now: at(3) });
    expect(await verifyMemberPhone({ ctx: owner, input: { code: await lastCode() } }, { now: at(4) })).toEqual({ verified: true });
    expect((await getMemberPhoneSettings({ ctx: owner })).phone).toMatchObject({ kind: "sms", masked: masked(OWNER_PHONE), verified: true, codeExpiresAt: null });
  });

  it("is the member's alone: another member neither sees it nor can take the same number", async () => {
    expect((await getMemberPhoneSettings({ ctx: agent })).phone).toBeNull();
    const seen = await withTenant(agent.actor.userId, (tx) => rows(tx, sql`select 1 from member_phones where user_id = ${owner.actor.userId}`));
    expect(seen).toEqual([]);
    await requestMemberPhoneCode({ ctx: agent, input: { kind: "whatsapp", phone: OWNER_PHONE } }, { now: at(10) });
    expect(await problem(verifyMemberPhone({ ctx: agent, input: { code: await lastCode() } }, { now: at(11) }))).toBe("Another member of this business already uses this number.");
    await removeMemberPhone({ ctx: agent });
    expect((await getMemberPhoneSettings({ ctx: agent })).phone).toBeNull();
  });

  it("keeps the ladder and quiet hours it is given, and refuses ones that make no sense", async () => {
    expect(await problem(saveMemberLadder({ ctx: agent, input: { textAfterMinutes: 5, callAfterMinutes: "" } }))).toBe("Add your phone number first.");
    expect(await problem(saveMemberLadder({ ctx: owner, input: { textAfterMinutes: 10, callAfterMinutes: 5 } }))).toBe(
      "The call comes after the text: give it at least as many minutes.",
    );
    expect(await problem(saveMemberLadder({ ctx: owner, input: { textAfterMinutes: 5, callAfterMinutes: "", quietStart: "22:00" } }))).toBe(
      "Give quiet hours both a start and an end, or neither.",
    );
    expect(await problem(saveMemberLadder({ ctx: owner, input: { textAfterMinutes: 5, callAfterMinutes: "", quietStart: "25:00", quietEnd: "07:00" } }))).toBe(
      "Write quiet hours as HH:MM, e.g. 22:00.",
    );
    await saveMemberLadder({ ctx: owner, input: { textAfterMinutes: "5", callAfterMinutes: "15", quietStart: "22:00", quietEnd: "07:00" } });
    expect((await getMemberPhoneSettings({ ctx: owner })).phone).toMatchObject({ textAfterMinutes: 5, callAfterMinutes: 15, quietStart: "22:00", quietEnd: "07:00" });
  });
});

describe("Settings → Notifications", () => {
  const page = async () =>
    renderToString(await NotificationsPage({ params: Promise.resolve({ business: "demo-dental" }) })).replaceAll("&#x27;", "'").replaceAll("&amp;", "&");

  it("every member, agents included, sets their own phone there, and sees nobody else's", async () => {
    await signInAs("dana.agent@demo-dental.test");
    const html = await page();
    expect(html).toContain("Hand-offs on your phone");
    expect(html).toContain("Your phone number");
    expect(html).not.toContain(masked(OWNER_PHONE));
    expect(await requestMemberPhoneCodeAction("demo-dental", { kind: "sms", phone: "555 0100" })).toMatchObject({
      fieldErrors: { phone: "Enter the number in international format: + and the country code, e.g. +14155550100." },
    });
    expect(await saveMemberLadderAction("demo-dental", { textAfterMinutes: "-3" })).toMatchObject({ fieldErrors: { textAfterMinutes: "The text delay cannot be negative." } });
  });
});

describe("the escalation ladder, at a fixed clock", () => {
  // Monday 7 December 2026; London is on UTC in winter
  const T0 = new Date("2026-12-07T10:00:00Z");
  const at = (min: number, from = T0) => new Date(from.getTime() + min * 60_000);
  const notices = (handoffCode: string) =>
    withService((tx) =>
      rows<{ step: string }>(tx, sql`select n.step from relay_notices n join relay_handoffs h on h.id = n.handoff_id where h.code = ${handoffCode} and h.closed_at is null order by n.step`),
    ).then((r) => r.map((x) => x.step));

  it("runs as a job, and reads quiet hours across midnight in the business's time zone", () => {
    expect(typeof JOBS["relay-ladder"].run).toBe("function");
    expect(inQuietHours(new Date("2026-12-07T23:30:00Z"), "Europe/London", 22 * 60, 7 * 60)).toBe(true);
    expect(inQuietHours(new Date("2026-12-07T06:59:00Z"), "Europe/London", 22 * 60, 7 * 60)).toBe(true);
    expect(inQuietHours(new Date("2026-12-07T07:00:00Z"), "Europe/London", 22 * 60, 7 * 60)).toBe(false);
    // 22:30 in New York is 03:30 UTC the next day
    expect(inQuietHours(new Date("2026-12-08T03:30:00Z"), "America/New_York", 22 * 60, 7 * 60)).toBe(true);
    expect(inQuietHours(new Date("2026-12-07T12:00:00Z"), "Europe/London", null, null)).toBe(false);
  });

  it("dashboard first, a text after N minutes, a call after M, each once", async () => {
    await connectTwilioChannel({ ctx: owner, input: { kind: "voice", address: "+15017122699" } });
    const h = await handOff("sms", "Is there parking near you? I want to speak to a real person please");
    await withService((tx) => tx.execute(sql`update relay_handoffs set opened_at = ${T0} where code = ${h.code} and closed_at is null`));
    // the dashboard's notice is the hand-off email notifyHandoff sends at once
    expect((await outboxOf("handoff")).some((m) => m.payload.conversationId === h.conversationId)).toBe(true);

    await runRelayLadder({ now: at(4), businessId: DEMO_BUSINESS_ID });
    expect(await notices(h.code)).toEqual([]);
    await runRelayLadder({ now: at(5), businessId: DEMO_BUSINESS_ID });
    expect(await notices(h.code)).toEqual(["text"]);
    const notice = (await outboxOf("relay_notice")).find((m) => m.payload.code === h.code)!;
    expect(notice).toMatchObject({ channel_kind: "sms", status: "sent", recipient: masked(OWNER_PHONE) });
    expect(notice.body).toContain(`Riverside Dental Clinic: #${h.code} A customer on SMS needs a person.`);
    expect(notice.body).toContain(`"Is there parking near you? I want to speak to a real person please"`);
    expect(notice.body).toMatch(new RegExp(`Suggested reply \\(send "#${h.code} 1"\\): .*[Pp]arking`));
    expect(notice.body).toContain(`Reply "#${h.code} your answer" to answer, "#${h.code} done" to hand back to the AI.`);

    await runRelayLadder({ now: at(10), businessId: DEMO_BUSINESS_ID });
    expect((await outboxOf("relay_notice")).filter((m) => m.payload.code === h.code)).toHaveLength(1);
    await runRelayLadder({ now: at(15), businessId: DEMO_BUSINESS_ID });
    expect(await notices(h.code)).toEqual(["call", "text"]);
    const [call] = (await outboxOf("relay_call")).slice(-1);
    expect(call).toMatchObject({ channel_kind: "voice", status: "sent", recipient: masked(OWNER_PHONE) });
    expect(call!.body).toContain(`Hand-off ${h.code.split("").join(" ")}`);
    await runRelayLadder({ now: at(60), businessId: DEMO_BUSINESS_ID });
    expect(await notices(h.code)).toEqual(["call", "text"]);
    // answered, it leaves the list of open hand-offs
    expect(await texts(OWNER_PHONE, `#${h.code} done`)).toEqual([expect.stringContaining(`#${h.code}: handed back to the AI.`)]);
  });

  it("waits out the member's quiet hours, and stops once a person has answered", async () => {
    const late = new Date("2026-12-07T22:30:00Z");
    const h = await handOff("whatsapp", "I want to speak to a real person about my crown please");
    await withService((tx) => tx.execute(sql`update relay_handoffs set opened_at = ${late} where code = ${h.code} and closed_at is null`));
    await runRelayLadder({ now: at(40, late), businessId: DEMO_BUSINESS_ID }); // 23:10
    expect(await notices(h.code)).toEqual([]);
    await runRelayLadder({ now: new Date("2026-12-08T07:01:00Z"), businessId: DEMO_BUSINESS_ID });
    expect(await notices(h.code)).toEqual(["call", "text"]);

    const answered = await handOff("sms", "Please can a real person ring me back today");
    await withService((tx) => tx.execute(sql`update relay_handoffs set opened_at = ${T0} where code = ${answered.code} and closed_at is null`));
    expect(await texts(OWNER_PHONE, `#${answered.code} We will ring you at 2pm.`)).toEqual([expect.stringContaining(`#${answered.code}: sent to`)]);
    await runRelayLadder({ now: at(30), businessId: DEMO_BUSINESS_ID });
    expect(await notices(answered.code)).toEqual([]);
    for (const code of [h.code, answered.code]) await texts(OWNER_PHONE, `#${code} done`);
  });
});

describe("the owner answers from their phone", () => {
  it("reads the code first, with or without #", () => {
    expect(parseOwnerText("#A7 Yes, we can see you at 4pm")).toEqual({ code: "A7", hashed: true, body: "Yes, we can see you at 4pm" });
    expect(parseOwnerText("b3: done")).toEqual({ code: "B3", hashed: false, body: "done" });
    expect(parseOwnerText("1")).toEqual({ code: null, hashed: false, body: "1" });
    expect(parseOwnerText("Thanks, see you then")).toEqual({ code: null, hashed: false, body: "Thanks, see you then" });
  });

  it("with several hand-offs open, every reply reaches its own conversation; without a code nothing is guessed", async () => {
    const sms = await handOff("sms", "Is there parking? I want to speak to a real person please");
    const wa = await handOff("whatsapp", "Can I speak to a real person about my invoice");
    const chat = await handOff("web", "I want to talk to a human about my bill please");
    const fourth = await handOff("sms", "Could a real person help me with my retainer please");
    expect(new Set([sms.code, wa.code, chat.code, fourth.code]).size).toBe(4);

    // no code: the list comes back and nothing reaches anyone
    const [list] = await texts(OWNER_PHONE, "Yes we can see you at 4pm");
    expect(list).toMatch(/^4 conversations are waiting; nothing was sent\. Start your reply with the code:/);
    for (const h of [sms, wa, chat, fourth]) expect(list).toContain(`#${h.code} `);
    for (const h of [sms, wa, chat, fourth]) expect((await thread(h.conversationId)).filter((m) => m.role === "agent")).toEqual([]);
    // the owner's number never became a customer
    expect(await withService((tx) => findCustomerByIdentity(tx, DEMO_BUSINESS_ID, { kind: "phone", value: OWNER_PHONE }))).toBeUndefined();

    // a code no open hand-off has (codes are random: the test picks one that is free)
    const open = await withService((tx) => rows<{ code: string }>(tx, sql`select code from relay_handoffs where business_id = ${DEMO_BUSINESS_ID} and closed_at is null`));
    const free = ["Z9", "Y8", "X7", "W6", "V5", "U4"].find((c) => !open.some((o) => o.code === c))!;
    expect(await texts(OWNER_PHONE, `#${free} hello`)).toEqual([expect.stringMatching(new RegExp(`^#${free} is not an open hand-off; nothing was sent\\.`))]);

    // three answers at once, in a shuffled order, one of them the AI's suggestion
    const replies = await Promise.all([
      texts(OWNER_PHONE, `#${wa.code} Your invoice is on its way by email today.`),
      texts(OWNER_PHONE, `${chat.code.toLowerCase()}: The bill was for your hygiene visit on 2 December.`),
      texts(OWNER_PHONE, `#${sms.code} 1`),
    ]);
    expect(replies[0]).toEqual([expect.stringMatching(new RegExp(`^#${wa.code}: sent to Simulated customer on WhatsApp\\.`))]);
    expect(replies[1]).toEqual([expect.stringMatching(new RegExp(`^#${chat.code}: sent to .* on web chat\\.`))]);
    const [suggestion] = await withService((tx) => rows<{ suggestion: string }>(tx, sql`select suggestion from relay_handoffs where code = ${sms.code} and closed_at is null`));
    expect(suggestion!.suggestion).toMatch(/parking/i);

    expect((await thread(wa.conversationId)).filter((m) => m.role === "agent")).toEqual([
      { role: "agent", content: "Your invoice is on its way by email today.", author_id: owner.actor.userId },
    ]);
    // the web chat customer sees it in their chat (web needs no push)
    expect((await thread(chat.conversationId)).filter((m) => m.role === "agent").map((m) => m.content)).toEqual(["The bill was for your hygiene visit on 2 December."]);
    expect((await thread(sms.conversationId)).filter((m) => m.role === "agent").map((m) => m.content)).toEqual([suggestion!.suggestion]);
    expect((await thread(fourth.conversationId)).filter((m) => m.role === "agent")).toEqual([]);
    // the pushed ones left for the customer's own number on their own channel
    const staff = await outboxOf("staff_reply");
    expect(staff.find((m) => m.body === "Your invoice is on its way by email today.")).toMatchObject({ channel_kind: "whatsapp", recipient: masked(wa.from), status: "sent" });
    expect(staff.find((m) => m.body === suggestion!.suggestion)).toMatchObject({ channel_kind: "sms", recipient: masked(sms.from), status: "sent" });

    // "done" hands one back to the AI; the others stay with the owner
    expect(await texts(OWNER_PHONE, `#${wa.code} done`)).toEqual([expect.stringContaining("handed back to the AI")]);
    const status = await withService((tx) => rows<{ id: string; status: string }>(tx, sql`select id, status from conversations where id in (${wa.conversationId}, ${sms.conversationId})`));
    expect(Object.fromEntries(status.map((r) => [r.id, r.status]))).toEqual({ [wa.conversationId]: "open", [sms.conversationId]: "waiting_human" });

    // with one left open, the code may be left out
    for (const h of [chat, fourth]) await texts(OWNER_PHONE, `#${h.code} done`);
    expect(await texts(OWNER_PHONE, "Thanks for your patience, see you soon")).toEqual([expect.stringContaining(`#${sms.code}: sent to a customer on SMS.`)]);
    expect((await thread(sms.conversationId)).filter((m) => m.role === "agent").map((m) => m.content)).toEqual([suggestion!.suggestion, "Thanks for your patience, see you soon"]);
    await texts(OWNER_PHONE, "done");
    expect(await texts(OWNER_PHONE, "anyone there?")).toEqual(["No conversation is waiting for a person right now, so nothing was sent."]);

    // relayed answers are drafted as suggested FAQs (Knowledge → Suggested), from the staff's answer
    const suggested = await withService((tx) => suggestFaqs(tx, DEMO_BUSINESS_ID));
    expect(suggested).toEqual(
      expect.arrayContaining([expect.objectContaining({ from: "staff", question: "Can I speak to a real person about my invoice", answer: "Your invoice is on its way by email today." })]),
    );
  });

  it("a text from a number that is not verified is a customer's like any other", async () => {
    const stranger = customerPhone();
    await texts(stranger, "What are your opening hours?");
    expect(await withService((tx) => findCustomerByIdentity(tx, DEMO_BUSINESS_ID, { kind: "phone", value: stranger }))).toBeDefined();
  });
});

describe("embedded mode: the owner's phone as a simulator panel", () => {
  const post = (url: string, init: RequestInit) => smsPost(new Request(url, init));

  it("shows what reached the member's own number, and sends from it through the real webhook", async () => {
    // This run is on the real clock: the same ladder without quiet hours, whatever hour the suite runs at.
    await saveMemberLadder({ ctx: owner, input: { textAfterMinutes: "5", callAfterMinutes: "15", quietStart: "", quietEnd: "" } });
    const since = new Date(Date.now() - 1000);
    const h = await handOff("sms", "Can a real person tell me if you take children? I want to speak to a real person please");
    await withService((tx) => tx.execute(sql`update relay_handoffs set opened_at = now() - interval '6 minutes' where code = ${h.code} and closed_at is null`));
    await runRelayLadder({ businessId: DEMO_BUSINESS_ID });

    expect((await ownerPhoneState({ ctx: owner })).phone).toEqual({ kind: "sms", masked: masked(OWNER_PHONE), verified: true });
    // (on the real clock the ladder also climbs what the fixed-clock tests above left owing: this
    // hand-off's own notice is the one to find, once)
    const feed = await ownerPhoneFeed({ ctx: owner, since });
    expect(feed.map((f) => f.body).filter((b) => b.includes(`#${h.code} `))).toEqual([expect.stringContaining(`#${h.code} A customer on SMS needs a person.`)]);
    // another member's phone shows none of it
    expect(await ownerPhoneFeed({ ctx: agent, since })).toEqual([]);

    const sent = await ownerPhoneSend({ ctx: owner, input: { text: `#${h.code} Yes, we see children from age 3.` }, origin: ORIGIN, post });
    await backgroundIdle();
    expect(sent.replies).toEqual([expect.stringContaining(`#${h.code}: sent to a customer on SMS.`)]);
    expect((await thread(h.conversationId)).filter((m) => m.role === "agent").map((m) => m.content)).toEqual(["Yes, we see children from age 3."]);
    expect(await problem(ownerPhoneSend({ ctx: owner, input: { text: "  " }, origin: ORIGIN, post }))).toBe("Write a message.");
    expect(await problem(ownerPhoneSend({ ctx: agent, input: { text: "hello" }, origin: ORIGIN, post }))).toBe("Add and verify your phone under Settings → Notifications first.");
    await texts(OWNER_PHONE, `#${h.code} done`);
  });
});
