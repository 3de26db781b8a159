// The digest texted to the owners' phone: the number is checked (E.164), sealed, and verified by a
// 6-digit code sent to it through the business's own SMS channel (the dev outbox here) before any
// digest goes there — a wrong code is counted, a code expires, five wrong ones need a new code. The
// text is short (spend against the budget, AI resolutions, hand-offs waiting, the top 3 unanswered
// questions, one link to add FAQs), priced in cost_events, and sent once per period like the email.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import { ZodError } from "zod";
import { closeDb, rows, withService, type Tx } from "@/lib/db/client";
import { countSegments } from "@/lib/channels/twilio/segments";
import { sendDigests } from "@/lib/jobs/digest";
import { getDigestPhoneSettings, removeDigestPhone, requestDigestPhoneCode, verifyDigestPhone } from "@/lib/services/digest-phone";
import type { MemberCtx } from "@/lib/services/context";
import LimitsPage from "@/app/(dashboard)/[business]/settings/limits/page";
import { requestDigestPhoneCodeAction } from "@/app/(dashboard)/[business]/settings/actions";
import { useTestDb } from "../../helpers/db";
import { seedExchange } from "../../helpers/exchanges";
import { makeTwoTenants } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";

const TZ = "Europe/London";
// Friday 20 November 2026, 09:00 in London: yesterday's daily digest is due
const NOW = new Date("2026-11-20T09:00:00Z");
const PHONE = "+447911123456";
const QUESTIONS = [
  "Do you whiten children's teeth at the clinic on Saturdays?",
  "Can I pay for my implant in monthly instalments?",
  "Is there parking for bicycles?",
  "Do you see cats?",
];

let businessId: string;
let owner: MemberCtx;
let agent: MemberCtx;
let otherOwner: MemberCtx;
let web: string;
let customer: string;

const problem = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof ZodError ? e.issues[0]!.message : e instanceof Error ? `${(e as { code?: string }).code ?? "error"}: ${e.message}` : String(e)),
  );

/** The dev outbox's record of what was texted to PHONE (recipient masked), newest last. */
const texts = (kind: string) =>
  withService((tx) =>
    rows<{ body: string; recipient: string; status: string; payload: { period?: string } }>(
      tx,
      sql`select body, recipient, status, payload from outbox where business_id = ${businessId} and channel_kind = 'sms' and payload->>'kind' = ${kind} order by created_at, id`,
    ),
  );
const lastCode = async () => /\b(\d{6})\b/.exec((await texts("verification")).at(-1)!.body)![1]!;
/** SMS segments charged to the business (cost_events.units). */
const smsCosts = () =>
  withService((tx) => rows<{ n: number }>(tx, sql`select coalesce(sum(units), 0)::int as n from cost_events where business_id = ${businessId} and kind = 'sms'`)).then((r) => r[0]!.n);

const exchange = (tx: Tx, created: string, question: string, status: "open" | "waiting_human" = "open") =>
  seedExchange(tx, { businessId, customerId: customer, channelId: web }, created, question, "I'm not sure. Shall I pass you to someone on the team?", status);

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    businessId = cast.a.businessId;
    web = cast.a.channelId;
    owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
    agent = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
    otherOwner = { businessId: cast.b.businessId, actor: { type: "member", userId: cast.bob.id, role: "owner" } };
    await tx.execute(sql`update businesses set time_zone = ${TZ}, limits = '{"digest": "daily", "monthlyBudgetUsd": 50}'::jsonb where id = ${businessId}`);
    await tx.execute(sql`update conversations set created_at = '2026-10-01T10:00:00Z' where business_id = ${businessId}`);
    // makeTenant's placeholder phones: these owners have set none
    await tx.execute(sql`delete from digest_phones`);
    await tx.execute(sql`insert into channels (business_id, kind, name, address) values (${businessId}, 'sms', 'SMS', '+15550002222')`);
    const [c] = await rows<{ id: string }>(tx, sql`insert into customers (business_id, name) values (${businessId}, 'Nia') returning id`);
    customer = c!.id;
    // yesterday: the first question three times, then the others once each; one conversation still waits for a person
    await exchange(tx, "2026-11-19T09:00:00Z", QUESTIONS[0]!);
    await exchange(tx, "2026-11-19T10:00:00Z", QUESTIONS[0]!);
    await exchange(tx, "2026-11-19T11:00:00Z", QUESTIONS[0]!, "waiting_human");
    await exchange(tx, "2026-11-19T12:00:00Z", QUESTIONS[1]!);
    await exchange(tx, "2026-11-19T13:00:00Z", QUESTIONS[2]!);
    await exchange(tx, "2026-11-19T14:00:00Z", QUESTIONS[3]!);
    await tx.execute(sql`insert into cost_events (business_id, kind, cost_usd, created_at) values (${businessId}, 'model', 1.25, '2026-11-19T12:00:00Z')`);
  });
});
afterAll(() => closeDb());

describe("setting the number", () => {
  it("offers the business's SMS/WhatsApp channels; a business without one is told so on the settings screen", async () => {
    expect(await getDigestPhoneSettings({ ctx: owner })).toEqual({ kinds: ["sms"], phone: null });
    expect(await getDigestPhoneSettings({ ctx: otherOwner })).toEqual({ kinds: [], phone: null });
    await signInAs("bob@b.test");
    const out = renderToString(await LimitsPage({ params: Promise.resolve({ business: "tenant-b" }) })).replaceAll("&#x27;", "'");
    expect(out).toContain("This business has no SMS or WhatsApp channel, so the digest can only go by email.");
    expect(out).not.toContain("Send code");
    await signInAs("alice@a.test");
    const mine = renderToString(await LimitsPage({ params: Promise.resolve({ business: "tenant-a" }) }));
    expect(mine).toContain("Send code");
  });

  it("refuses what is not an E.164 number, a channel the business lacks, and agents", async () => {
    const message = "Enter the number in international format: + and the country code, e.g. +14155550100.";
    for (const phone of ["07911123456", "12345", "+44 7700", "+999 123 456 7890", "", "call me"]) {
      expect(await problem(requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone } }))).toBe(message);
    }
    expect(await problem(requestDigestPhoneCode({ ctx: owner, input: { kind: "whatsapp", phone: PHONE } }))).toBe(
      "bad_request: This business has no WhatsApp channel to send from. Connect one under Channels first.",
    );
    expect(await problem(requestDigestPhoneCode({ ctx: otherOwner, input: { kind: "sms", phone: PHONE } }))).toMatch(/^bad_request: This business has no SMS channel/);
    expect(await problem(requestDigestPhoneCode({ ctx: agent, input: { kind: "sms", phone: PHONE } }))).toMatch(/^forbidden:/);
    // the form shows the problem beside the field
    await signInAs("alice@a.test");
    expect(await requestDigestPhoneCodeAction("tenant-a", { kind: "sms", phone: "0770" })).toMatchObject({ fieldErrors: { phone: message } });
    expect(await texts("verification")).toEqual([]);
  });
});

describe("verifying it", () => {
  it("sends a 6-digit code by SMS (priced), keeps the number sealed and out of the audit log, counts wrong codes", async () => {
    const costsBefore = await smsCosts();
    const sent = await requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone: "+44 7911 123456" } });
    expect(sent.masked).toBe("+44••••••3456");
    const [text] = await texts("verification");
    expect(text).toMatchObject({ recipient: "+44••••••3456" });
    expect(text!.body).toMatch(/^Biz tenant-a digest: your code is \d{6}\. It expires in 10 minutes\./);
    expect(await smsCosts()).toBe(costsBefore + 1);

    const [stored] = await withService((tx) => rows<{ phone_encrypted: string; code_hash: string }>(tx, sql`select phone_encrypted, code_hash from digest_phones where business_id = ${businessId}`));
    expect(stored!.phone_encrypted).not.toContain("7911123456");
    expect(stored!.code_hash).not.toContain(await lastCode());
    const audit = await withService((tx) => rows<{ details: unknown }>(tx, sql`select details from audit_log where business_id = ${businessId} and action like 'digest_phone.%'`));
    expect(JSON.stringify(audit)).not.toContain("7911123456");
    expect((await getDigestPhoneSettings({ ctx: owner })).phone).toMatchObject({ kind: "sms", masked: "+44••••••3456", verified: false });

    const wrong = (await lastCode()) === "000000" ? "111111" : "000000";
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: wrong } }))).toBe("bad_request: That code is not right. 4 tries left.");
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: wrong } }))).toBe("bad_request: That code is not right. 3 tries left.");
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: "12a456" } }))).toBe("Enter the 6-digit code.");
    // a new code within the minute is refused
    expect(await problem(requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone: PHONE } }))).toMatch(/^rate_limited: A code was sent less than a minute ago/);
  });

  it("a code expires after 10 minutes; five wrong codes need a new one; the right one verifies", async () => {
    const later = new Date(Date.now() + 2 * 60_000);
    await requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone: PHONE } }, { now: later });
    const code = await lastCode();
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code } }, { now: new Date(later.getTime() + 10 * 60_000 + 1) }))).toBe(
      "bad_request: This code has expired. Send a new code.",
    );

    const again = new Date(later.getTime() + 2 * 60_000);
    await requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone: PHONE } }, { now: again });
    const fresh = await lastCode();
    const wrong = fresh === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) await problem(verifyDigestPhone({ ctx: owner, input: { code: wrong } }, { now: again }));
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: fresh } }, { now: again }))).toBe("bad_request: Too many wrong codes. Send a new code.");

    const third = new Date(again.getTime() + 2 * 60_000);
    await requestDigestPhoneCode({ ctx: owner, input: { kind: "sms", phone: PHONE } }, { now: third });
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: fresh } }, { now: third }))).toMatch(/not right|expired/);
    await verifyDigestPhone({ ctx: owner, input: { code: await lastCode() } }, { now: third });
    expect((await getDigestPhoneSettings({ ctx: owner })).phone).toMatchObject({ verified: true, codeExpiresAt: null });
    expect(await problem(verifyDigestPhone({ ctx: owner, input: { code: "123456" } }, { now: third }))).toBe("bad_request: This number is already verified.");
  });
});

describe("the digest on the phone", () => {
  it("is not sent while the number is unverified", async () => {
    await withService((tx) => tx.execute(sql`update digest_phones set verified_at = null where business_id = ${businessId}`));
    try {
      expect(await sendDigests({ now: new Date("2026-11-19T09:00:00Z") })).toEqual({ businesses: 1, emails: 1, texts: 0 });
      expect(await texts("digest")).toEqual([]);
    } finally {
      await withService((tx) => tx.execute(sql`update digest_phones set verified_at = now() where business_id = ${businessId}`));
    }
  });

  it("is short, says what matters with one link, costs a send, and goes once per period however often the job runs", async () => {
    const costsBefore = await smsCosts();
    const runs = await Promise.all([sendDigests({ now: NOW }), sendDigests({ now: NOW }), sendDigests({ now: NOW })]);
    expect(runs.reduce((n, r) => n + r.texts, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.emails, 0)).toBe(1);
    expect(await sendDigests({ now: new Date("2026-11-20T17:00:00Z") })).toEqual({ businesses: 0, emails: 0, texts: 0 });

    const sent = (await texts("digest")).filter((t) => t.payload.period === "daily:2026-11-20");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ recipient: "+44••••••3456", status: "sent" });
    const body = sent[0]!.body;
    expect(body).toContain("Biz tenant-a yesterday: spent $1.25 (month $1.25 of $50.00 budget).");
    expect(body).toContain("AI resolved 0; 1 waiting for a person.");
    expect(body).toContain(`Unanswered: "Do you whiten children's teeth..." x3`);
    // the top 3 only (one each: alphabetical after the most asked)
    expect(body).toContain('"Can I pay for my implant in mon..."');
    expect(body).toContain('"Do you see cats?"');
    expect(body).not.toContain("bicycles");
    expect(body.match(/https?:\/\//g)).toHaveLength(1);
    expect(body).toContain("/tenant-a/knowledge?tab=faqs");
    expect(countSegments(body).segments).toBe(2);
    expect(await smsCosts()).toBe(costsBefore + countSegments(body).segments);
  });

  it("stops when the number is removed", async () => {
    await removeDigestPhone({ ctx: owner });
    expect(await sendDigests({ now: new Date("2026-11-21T09:00:00Z") })).toEqual({ businesses: 1, emails: 1, texts: 0 });
    expect((await texts("digest")).filter((t) => t.payload.period === "daily:2026-11-21")).toEqual([]);
    expect(await getDigestPhoneSettings({ ctx: owner })).toEqual({ kinds: ["sms"], phone: null });
  });
});
