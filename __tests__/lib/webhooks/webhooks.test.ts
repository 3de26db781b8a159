// Outbound webhooks end to end, against a real receiver on 127.0.0.1 that checks every signature with
// the svix library: events written by the database in the transaction of the change, signed the
// Standard Webhooks way, retried on Svix's schedule (walked with an injected clock, no sleeping), in
// order per conversation, logged attempt by attempt, replayed by hand, the secret rotated with a day's
// overlap, a failing endpoint disabled with an email to the owner, private addresses refused, and
// only owners and admins let in.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { sql } from "drizzle-orm";
import { ZodError } from "zod";
import { closeDb, rows, withService } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { JOBS } from "@/lib/jobs";
import { handleInbound } from "@/lib/pipeline/inbound";
import { actOnConversation } from "@/lib/services/conversations";
import { setLeadStage } from "@/lib/services/customers";
import { stageOf } from "@/lib/intel/leads";
import type { MemberCtx } from "@/lib/services/context";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getDeliveryLog,
  listWebhookEndpoints,
  replayWebhookDelivery,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "@/lib/services/webhooks";
import { DISABLE_AFTER_EXHAUSTED, MAX_ATTEMPTS, RETRY_SCHEDULE_MS, drainWebhooks } from "@/lib/webhooks/deliver";
import { postWebhook } from "@/lib/webhooks/http";
import { checkEndpointUrl } from "@/lib/webhooks/ssrf";
import { createWebhookEndpointAction, replayWebhookDeliveryAction } from "@/app/(dashboard)/[business]/settings/webhooks/actions";
import WebhooksPage from "@/app/(dashboard)/[business]/settings/webhooks/page";
import WebhookLogPage from "@/app/(dashboard)/[business]/settings/webhooks/log/page";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";
import { startWebhookReceiver, verifies, type Receiver } from "../../helpers/webhook-receiver";

const ALL = ["message.received", "answer.sent", "conversation.handed_off", "conversation.closed", "customer.created", "customer.updated", "customer.lead_stage_changed"];

let businessId: string;
let web: string;
let owner: MemberCtx;
let agent: MemberCtx;
let otherOwner: MemberCtx;
let receiver: Receiver;

const problem = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof ZodError ? `bad_request: ${e.issues[0]!.message}` : `${(e as { code?: string }).code ?? (e as Error).name}: ${(e as Error).message}`),
  );

const allowPrivate = (on: boolean) => {
  if (on) process.env.WEBHOOKS_ALLOW_PRIVATE_URLS = "1";
  else delete process.env.WEBHOOKS_ALLOW_PRIVATE_URLS;
  resetEnvForTests();
};

/** An endpoint on the local receiver; its secret is what the receiver verifies with. */
async function endpoint(events = ALL) {
  const { id, secret } = await createWebhookEndpoint({ ctx: owner, input: { url: receiver.url, events } });
  receiver.secrets = [secret];
  return { id, secret };
}

/** A new web-chat visitor writes; the pipeline answers (or hands over). */
let visitors = 0;
const customerWrites = (text: string) => handleInbound({ businessId, channelId: web, channelKind: "web", from: { kind: "web", value: `visitor-${++visitors}` }, text });

/** Runs the `webhooks` job at each point of the schedule in turn, starting at `from`; returns the last clock. */
async function walkSchedule(from: Date, delays: readonly number[] = RETRY_SCHEDULE_MS): Promise<Date> {
  // never before the events just written (their first attempt is due at the time of their transaction)
  let t = Math.max(from.getTime(), Date.now());
  for (const d of delays) {
    t += d;
    await drainWebhooks({ now: () => new Date(t) });
  }
  return new Date(t);
}

const deliveries = (endpointId: string) =>
  withService((tx) =>
    rows<{ id: string; status: string; attempts: number; event_type: string }>(
      tx,
      sql`select d.id, d.status, d.attempts, m.event_type from webhook_deliveries d join webhook_messages m on m.id = d.message_id where d.endpoint_id = ${endpointId} order by d.seq`,
    ),
  );

beforeAll(async () => {
  allowPrivate(true);
  await useTestDb();
  allowPrivate(true);
  const cast = await withService((tx) => makeTwoTenants(tx));
  businessId = cast.a.businessId;
  web = cast.a.channelId;
  owner = { businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
  agent = { businessId, actor: { type: "member", userId: cast.carol.id, role: "agent" } };
  otherOwner = { businessId: cast.b.businessId, actor: { type: "member", userId: cast.bob.id, role: "owner" } };
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.close();
  allowPrivate(false);
  await closeDb();
});

beforeEach(async () => {
  receiver.received.length = 0;
  receiver.respond = () => ({ status: 200, body: "ok" });
  allowPrivate(true);
  // each test starts with no endpoint and nothing queued
  await withService(async (tx) => {
    await tx.execute(sql`delete from webhook_endpoints`);
    await tx.execute(sql`delete from webhook_messages`);
  });
});

describe("delivery", () => {
  it("a conversation's events reach the endpoint in order, each signed so svix verifies it", async () => {
    const { secret } = await endpoint();
    const r = await customerWrites("I want to speak to a real person please");
    expect(r.handedOff).toBe(true);
    await actOnConversation({ ctx: owner, input: { id: r.conversationId, action: { action: "close" } } }, { defer: () => {} });
    // the `webhooks` job (QStash's /api/jobs/webhooks, or the in-process scheduler) delivers them
    const result = await JOBS.webhooks.run();
    expect(result).toEqual({ delivered: 5, retrying: 0, failed: 0, disabled: 0 });

    expect(receiver.received.map((x) => x.verifiedWith)).toEqual(receiver.received.map(() => [secret]));
    expect(receiver.received.map((x) => x.type)).toEqual(["customer.created", "message.received", "answer.sent", "conversation.handed_off", "conversation.closed"]);
    const [created, received, answered, handedOff, closed] = receiver.received;
    // created with the identity they wrote from, in one statement: the event already names how they reach us
    expect(created!.data).toMatchObject({ id: r.customerId, identities: ["web"] });
    expect(received!.data).toMatchObject({ conversation_id: r.conversationId, customer_id: r.customerId, channel: "web", role: "customer", content: "I want to speak to a real person please" });
    expect(answered!.data).toMatchObject({ conversation_id: r.conversationId, role: "assistant" });
    expect(handedOff!.data).toMatchObject({ id: r.conversationId, status: "waiting_human", previous_status: "open" });
    expect(closed!.data).toMatchObject({ id: r.conversationId, status: "closed", previous_status: "waiting_human" });
    // Standard Webhooks ids and a body svix refuses once changed
    for (const x of receiver.received) expect(x.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(new Set(receiver.received.map((x) => x.id)).size).toBe(5);
    expect(verifies(secret, { ...closed!, rawBody: closed!.rawBody.replace("closed", "opened") })).toBe(false);
    // delivered once: the job has nothing left
    expect(await drainWebhooks()).toEqual({ delivered: 0, retrying: 0, failed: 0, disabled: 0 });
  });

  it("only the events an endpoint chose are queued for it, and a business without endpoints queues nothing", async () => {
    await customerWrites("Hello, are you open on Sunday?");
    expect(await withService((tx) => rows(tx, sql`select 1 from webhook_messages`))).toHaveLength(0);
    const { id } = await endpoint(["customer.updated"]);
    const r = await customerWrites("Hello again");
    await withService((tx) => tx.execute(sql`update customers set last_seen_at = now() + interval '1 minute' where id = ${r.customerId}`));
    await withService((tx) => tx.execute(sql`update customers set tags = array['vip'] where id = ${r.customerId}`));
    await drainWebhooks();
    expect(receiver.received.map((x) => [x.type, x.data.tags])).toEqual([["customer.updated", ["vip"]]]);
    expect((await deliveries(id)).map((d) => d.event_type)).toEqual(["customer.updated"]);
  });

  it("a customer's lead stage moving is an event with the score and the quotes that earned it; a score that stays in its stage is not", async () => {
    await endpoint(["customer.lead_stage_changed"]);
    // written straight to the tables, so the after-answer intelligence job does not score it as well
    const { r, m } = await withService(async (tx) => {
      const [cu] = await rows<{ id: string }>(tx, sql`insert into customers (business_id, name) values (${businessId}, 'Lead Person') returning id`);
      const [co] = await rows<{ id: string }>(tx, sql`insert into conversations (business_id, customer_id, channel_id) values (${businessId}, ${cu!.id}, ${web}) returning id`);
      const [msg] = await rows<{ id: string }>(
        tx,
        sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content)
            values (${businessId}, ${co!.id}, ${cu!.id}, ${web}, 'customer', 'We are looking to book before June') returning id`,
      );
      return { r: { customerId: cu!.id }, m: msg };
    });
    const score = (n: number) => withService((tx) => tx.execute(sql`update customers set lead_score = ${n} where id = ${r.customerId}`));
    await withService((tx) =>
      tx.execute(sql`insert into lead_evidence (business_id, customer_id, message_id, kind, quote, points)
        values (${businessId}, ${r.customerId}, ${m!.id}, 'timing', 'We are looking to book before June', 25)`),
    );
    await score(25); // new → qualified
    await score(30); // still qualified: no event
    await setLeadStage({ ctx: owner, input: { id: r.customerId, stage: "customer" } }); // qualified → customer (staff)
    await drainWebhooks();
    expect(receiver.received.map((x) => [x.type, x.data.previous_stage, x.data.stage, x.data.score])).toEqual([
      ["customer.lead_stage_changed", "new", "qualified", 25],
      ["customer.lead_stage_changed", "qualified", "customer", 30],
    ]);
    expect(receiver.received[0]!.data).toMatchObject({ id: r.customerId, evidence: [{ kind: "timing", quote: "We are looking to book before June", points: 25, message_id: m!.id }] });
  });

  it("the database reads a lead stage exactly as the app does (app.lead_stage and stageOf)", async () => {
    const staffStages = [null, "customer", "lost"] as const;
    const cases = staffStages.flatMap((staff) => Array.from({ length: 101 }, (_, score) => ({ score, staff })));
    const found = await withService((tx) =>
      rows<{ score: number; staff: string | null; stage: string }>(
        tx,
        sql`select s.score, t.staff, app.lead_stage(s.score, t.staff) as stage
            from generate_series(0, 100) s(score) cross join (values (null::text), ('customer'), ('lost')) t(staff)`,
      ),
    );
    expect(found).toHaveLength(cases.length);
    for (const f of found) expect([f.score, f.staff, f.stage]).toEqual([f.score, f.staff, stageOf(Number(f.score), f.staff)]);
    expect(new Set(found.map((f) => f.stage))).toEqual(new Set(["new", "qualified", "hot", "customer", "lost"]));
  });

  it("an event is written in the transaction of its change: a rolled-back change sends nothing", async () => {
    await endpoint(["customer.created"]);
    await expect(
      withService(async (tx) => {
        await tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Never was')`);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Real one')`));
    await drainWebhooks();
    expect(receiver.received.map((x) => x.data.name)).toEqual(["Real one"]);
  });

  it("retries a failing receiver on Svix's schedule (immediately, 5 s, 5 min, 30 min …) and logs every attempt", async () => {
    const { id } = await endpoint(["customer.created"]);
    // the receiver fails three times with a long error page, then accepts
    receiver.respond = (n) => (n < 3 ? { status: 500, body: `<html>${"x".repeat(5000)}</html>` } : { status: 204 });
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Retried')`));
    const t0 = new Date();
    const at = (ms: number) => drainWebhooks({ now: () => new Date(t0.getTime() + ms) });

    expect(await at(0)).toMatchObject({ retrying: 1 });
    expect(await at(4_999)).toMatchObject({ retrying: 0, delivered: 0 });
    expect(await at(5_000)).toMatchObject({ retrying: 1 });
    expect(await at(5_000 + 299_000)).toMatchObject({ retrying: 0 });
    expect(await at(5_000 + 300_000)).toMatchObject({ retrying: 1 });
    expect(await at(5_000 + 300_000 + 1_799_000)).toMatchObject({ retrying: 0 });
    expect(await at(5_000 + 300_000 + 1_800_000)).toMatchObject({ delivered: 1 });

    expect(receiver.received.map((x) => x.status)).toEqual([500, 500, 500, 204]);
    expect(new Set(receiver.received.map((x) => x.id)).size).toBe(1);
    const log = await getDeliveryLog({ ctx: owner, input: { endpointId: id } });
    expect(log.entries).toHaveLength(1);
    const entry = log.entries[0]!;
    expect([entry.status, entry.attempts, entry.webhookId]).toEqual(["delivered", 4, receiver.received[0]!.id]);
    expect(entry.log.map((a) => [a.statusCode, a.ok, a.trigger])).toEqual([
      [500, false, "schedule"],
      [500, false, "schedule"],
      [500, false, "schedule"],
      [204, true, "schedule"],
    ]);
    expect(entry.log[0]!.responseBody).toHaveLength(1000);
    for (const a of entry.log) expect(a.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("keeps a conversation's events in order: a later one waits while an earlier one is pending retry; other conversations do not wait", async () => {
    await endpoint(["message.received"]);
    const first = await customerWrites("First question");
    await withService(async (tx) => {
      const [m] = await rows<{ channel_id: string }>(tx, sql`select channel_id from conversations where id = ${first.conversationId}`);
      await tx.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content)
                           values (${businessId}, ${first.conversationId}, ${first.customerId}, ${m!.channel_id}, 'customer', 'Second question')`);
    });
    const other = await customerWrites("Someone else's question");
    // the first message's first attempt fails
    receiver.respond = (n, r) => (n === 0 && r.data.content === "First question" ? { status: 503 } : { status: 200 });
    const t0 = new Date();
    await drainWebhooks({ now: () => t0 });
    expect(receiver.received.map((x) => [x.data.content, x.status])).toEqual([
      ["First question", 503],
      ["Someone else's question", 200],
    ]);
    await drainWebhooks({ now: () => new Date(t0.getTime() + 5_000) });
    expect(receiver.received.map((x) => [x.data.content, x.status])).toEqual([
      ["First question", 503],
      ["Someone else's question", 200],
      ["First question", 200],
      ["Second question", 200],
    ]);
    expect(other.conversationId).not.toBe(first.conversationId);
  });

  it("several drains at once (instances, or the job overlapping itself) send each event once, still in order per conversation", async () => {
    await endpoint(["message.received"]);
    // every fifth request fails, but an event at most once (its retry comes 5 s later)
    const failedOnce = new Set<string>();
    receiver.respond = (n, r) => {
      if (n % 5 !== 2 || failedOnce.has(r.id)) return { status: 200 };
      failedOnce.add(r.id);
      return { status: 500 };
    };
    const convs = await withService(async (tx) => {
      const made = await rows<{ id: string; customer_id: string }>(
        tx,
        sql`with cu as (insert into customers (business_id, name) select ${businessId}, 'Racer ' || g from generate_series(1, 6) g returning id)
            insert into conversations (business_id, customer_id, channel_id) select ${businessId}, cu.id, ${web} from cu returning id, customer_id`,
      );
      for (let n = 0; n < 8; n++) {
        for (const c of made) {
          await tx.execute(sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, content)
                               values (${businessId}, ${c.id}, ${c.customer_id}, ${web}, 'customer', ${`step ${n}`})`);
        }
      }
      return made;
    });
    // the 5 s retries come due as the clock moves; four drains race at every step
    const t0 = Date.now();
    for (let step = 0; step < 12; step++) {
      await Promise.all([0, 1, 2, 3].map(() => drainWebhooks({ now: () => new Date(t0 + step * 5_000), limit: 4, concurrency: 2 })));
    }
    const acked = receiver.received.filter((x) => x.status === 200);
    expect(failedOnce.size).toBeGreaterThan(0);
    expect(acked).toHaveLength(convs.length * 8);
    expect(new Set(acked.map((x) => x.id)).size).toBe(convs.length * 8);
    for (const c of convs) {
      expect([c.id, acked.filter((x) => x.data.conversation_id === c.id).map((x) => x.data.content)]).toEqual([c.id, Array.from({ length: 8 }, (_, n) => `step ${n}`)]);
    }
  });

  it(`disables an endpoint after ${DISABLE_AFTER_EXHAUSTED} events in a row failed every attempt, and emails the owner`, async () => {
    const { id } = await endpoint(["customer.created"]);
    receiver.respond = () => ({ status: 503, body: "down for maintenance" });
    const newCustomers = (n: number, prefix: string) =>
      withService(async (tx) => {
        for (let i = 0; i < n; i++) await tx.execute(sql`insert into customers (business_id, name) values (${businessId}, ${`${prefix} ${i}`})`);
      });
    // four events exhaust all 8 attempts (about 28 hours): still on
    await newCustomers(DISABLE_AFTER_EXHAUSTED - 1, "Early");
    let t = await walkSchedule(new Date());
    expect(receiver.received).toHaveLength((DISABLE_AFTER_EXHAUSTED - 1) * MAX_ATTEMPTS);
    expect((await deliveries(id)).map((d) => [d.status, d.attempts])).toEqual(new Array(DISABLE_AFTER_EXHAUSTED - 1).fill(["failed", MAX_ATTEMPTS]));
    expect((await listWebhookEndpoints({ ctx: owner }))[0]!.enabled).toBe(true);

    // the fifth disables it, and the owner (only the owner) is emailed
    await newCustomers(1, "Last");
    t = await walkSchedule(t);
    const [view] = await listWebhookEndpoints({ ctx: owner });
    expect([view!.enabled, view!.disabledReason]).toEqual([false, `Every attempt failed for ${DISABLE_AFTER_EXHAUSTED} events in a row.`]);
    const mail = await withService((tx) =>
      rows<{ recipient: string; subject: string; body: string }>(tx, sql`select recipient, subject, body from outbox where business_id = ${businessId} and payload->>'kind' = 'webhook_disabled'`),
    );
    expect(mail.map((m) => [m.recipient, m.subject])).toEqual([["alice@a.test", "Biz tenant-a: a webhook endpoint was disabled"]]);
    expect(mail[0]!.body).toContain(receiver.url);
    expect(mail[0]!.body).toContain("/tenant-a/settings/webhooks");

    // disabled: new events are not queued for it, and nothing more is sent
    const sent = receiver.received.length;
    await newCustomers(1, "After");
    await walkSchedule(t);
    expect(receiver.received).toHaveLength(sent);
    expect(await deliveries(id)).toHaveLength(DISABLE_AFTER_EXHAUSTED);

    // turned on again by hand: the count starts over and new events flow
    receiver.respond = () => ({ status: 200 });
    await updateWebhookEndpoint({ ctx: owner, input: { id, changes: { enabled: true } } });
    await newCustomers(1, "Back");
    await drainWebhooks();
    expect(receiver.received.at(-1)!.data.name).toBe("Back 0");
  });

  it("a success in between starts the count of exhausted events over", async () => {
    const { id } = await endpoint(["customer.created"]);
    receiver.respond = (_, r) => (String(r.data.name).startsWith("Fine") ? { status: 200 } : { status: 500 });
    let t = new Date();
    for (let round = 0; round < 2; round++) {
      await withService(async (tx) => {
        for (let i = 0; i < DISABLE_AFTER_EXHAUSTED - 1; i++) await tx.execute(sql`insert into customers (business_id, name) values (${businessId}, ${`Broken ${round}.${i}`})`);
      });
      t = await walkSchedule(t);
      await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, ${`Fine ${round}`})`));
      t = await walkSchedule(t, [1000]);
    }
    expect((await deliveries(id)).filter((d) => d.status === "failed")).toHaveLength(2 * (DISABLE_AFTER_EXHAUSTED - 1));
    expect((await listWebhookEndpoints({ ctx: owner }))[0]!.enabled).toBe(true);
  });
});

describe("replay", () => {
  it("sends a failed delivery again at once, logs it as a replay and marks it delivered", async () => {
    const { id } = await endpoint(["customer.created"]);
    receiver.respond = () => ({ status: 500, body: "broken" });
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Replayed')`));
    await walkSchedule(new Date());
    const [failed] = await deliveries(id);
    expect(failed!.status).toBe("failed");

    receiver.respond = () => ({ status: 200, body: "thanks" });
    await signInAs("alice@a.test");
    const r = await replayWebhookDeliveryAction("tenant-a", failed!.id);
    expect(r).toEqual({ ok: expect.stringMatching(/^Delivered: the endpoint answered 200 in \d+ ms\.$/) });
    const log = await getDeliveryLog({ ctx: owner, input: { endpointId: id } });
    expect(log.entries[0]!.status).toBe("delivered");
    expect(log.entries[0]!.log.at(-1)).toMatchObject({ trigger: "replay", ok: true, statusCode: 200, responseBody: "thanks" });
    // the same webhook-id as every scheduled attempt, so the receiver can tell it is the same event
    expect(new Set(receiver.received.map((x) => x.id)).size).toBe(1);
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS + 1);
  });

  it("is refused to an agent and to another business", async () => {
    await endpoint(["customer.created"]);
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Someone')`));
    const [d] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from webhook_deliveries`));
    expect(await problem(replayWebhookDelivery({ ctx: agent, input: { id: d!.id } }))).toBe("forbidden: Only owner or admins can do this.");
    expect(await problem(replayWebhookDelivery({ ctx: otherOwner, input: { id: d!.id } }))).toBe("not_found: Delivery not found.");
    expect(receiver.received).toHaveLength(0);
  });
});

describe("secrets", () => {
  it("rotating signs with both the new and the old secret for 24 hours, then with the new one only", async () => {
    const { id, secret: old } = await endpoint(["customer.created"]);
    const t0 = new Date();
    const { secret: fresh } = await rotateWebhookSecret({ ctx: owner, input: { id } }, { now: t0 });
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(fresh).not.toBe(old);
    expect((await revealWebhookSecret({ ctx: owner, input: { id } })).secret).toBe(fresh);
    receiver.secrets = [old, fresh];

    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'During overlap')`));
    await drainWebhooks({ now: () => new Date(t0.getTime() + 23 * 3600_000) });
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'After overlap')`));
    await drainWebhooks({ now: () => new Date(t0.getTime() + 24 * 3600_000 + 1000) });
    expect(receiver.received.map((x) => [x.data.name, x.signature.split(" ").length, x.verifiedWith])).toEqual([
      ["During overlap", 2, [old, fresh]],
      ["After overlap", 1, [fresh]],
    ]);
  });

  it("keeps secrets sealed at rest and out of the audit log", async () => {
    const { id, secret } = await endpoint(["customer.created"]);
    await rotateWebhookSecret({ ctx: owner, input: { id } });
    const dump = await withService((tx) =>
      rows<{ t: string }>(tx, sql`select (select string_agg(x::text, '|') from webhook_endpoints x) || (select string_agg(a::text, '|') from audit_log a) as t`),
    );
    expect(dump[0]!.t).not.toContain(secret.slice(6));
    expect(dump[0]!.t).toContain("webhook_endpoint.secret_rotated");
  });
});

describe("what is refused", () => {
  it("refuses URLs to private, loopback and local addresses, plain http and credentials unless the test flag is set", async () => {
    allowPrivate(false);
    const refused = async (url: string) => problem(createWebhookEndpoint({ ctx: owner, input: { url, events: ["customer.created"] } }));
    const inward = "bad_request: The URL must point to a public internet address, not a private, local or loopback one.";
    expect(await refused(receiver.url)).toBe("bad_request: The URL must start with https://.");
    expect(await refused("http://example.com/hook")).toBe("bad_request: The URL must start with https://.");
    for (const url of ["https://127.0.0.1/hook", "https://10.1.2.3/", "https://192.168.0.10/", "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://localhost/", "https://db.internal/", "https://intranet/"]) {
      expect([url, await refused(url)]).toEqual([url, inward]);
    }
    expect(await refused("https://user:pw@example.com/")).toBe("bad_request: Put no user name or password in the URL; verify our signature instead.");
    expect(await refused("not a url")).toBe("bad_request: Enter a full URL, starting with https://.");
    expect(checkEndpointUrl("https://hooks.example.com/prismai#x")).toBe("https://hooks.example.com/prismai");
    expect(await withService((tx) => rows(tx, sql`select 1 from webhook_endpoints`))).toHaveLength(0);
  });

  it("refuses to post to a private address at delivery time, whatever was saved, and checks the address the name resolves to", async () => {
    const { id } = await endpoint(["customer.created"]);
    allowPrivate(false);
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Not sent')`));
    await drainWebhooks();
    expect(receiver.received).toHaveLength(0);
    const log = await getDeliveryLog({ ctx: owner, input: { endpointId: id } });
    expect(log.entries[0]!.log[0]).toMatchObject({ ok: false, statusCode: null, error: "refused: not a public https URL" });
    // a name that resolves to loopback: the socket's own lookup refuses it
    const port = new URL(receiver.url).port;
    const r = await postWebhook(`https://localhost:${port}/hooks`, {}, "{}");
    expect([r.status, r.error]).toEqual([null, "refused: localhost resolves to a private or loopback address"]);
  });

  it("lets only owners and admins see or change endpoints, and only their own business's", async () => {
    const { id } = await endpoint(["customer.created"]);
    const forbidden = "forbidden: Only owner or admins can do this.";
    expect(await problem(listWebhookEndpoints({ ctx: agent }))).toBe(forbidden);
    expect(await problem(createWebhookEndpoint({ ctx: agent, input: { url: receiver.url, events: ["customer.created"] } }))).toBe(forbidden);
    expect(await problem(revealWebhookSecret({ ctx: agent, input: { id } }))).toBe(forbidden);
    expect(await problem(getDeliveryLog({ ctx: agent, input: { endpointId: id } }))).toBe(forbidden);
    const gone = "not_found: Webhook endpoint not found.";
    expect(await problem(revealWebhookSecret({ ctx: otherOwner, input: { id } }))).toBe(gone);
    expect(await problem(rotateWebhookSecret({ ctx: otherOwner, input: { id } }))).toBe(gone);
    expect(await problem(updateWebhookEndpoint({ ctx: otherOwner, input: { id, changes: { enabled: false } } }))).toBe(gone);
    expect(await problem(deleteWebhookEndpoint({ ctx: otherOwner, input: { id } }))).toBe(gone);
    expect(await problem(getDeliveryLog({ ctx: otherOwner, input: { endpointId: id } }))).toBe(gone);
    expect(await listWebhookEndpoints({ ctx: otherOwner })).toEqual([]);
    expect((await listWebhookEndpoints({ ctx: owner })).map((e) => e.id)).toEqual([id]);
  });

  it("the form shows each problem next to its field", async () => {
    await signInAs("alice@a.test");
    allowPrivate(false);
    const r = await createWebhookEndpointAction("tenant-a", { url: "http://127.0.0.1/x", events: [] });
    expect(r).toEqual({
      error: "Check the 2 highlighted fields.",
      fieldErrors: { url: "The URL must start with https://.", events: "Choose at least one event." },
    });
    await signInAs("carol@a.test");
    expect(await createWebhookEndpointAction("tenant-a", { url: "https://example.com/x", events: ["customer.created"] })).toEqual({ error: "Only owner or admins can do this." });
  });
});

describe("the pages", () => {
  it("Settings → Webhooks lists the endpoints with their state, and the log shows each attempt with a Replay button", async () => {
    const { id } = await endpoint(["customer.created"]);
    receiver.respond = () => ({ status: 418, body: "I'm a teapot, not a webhook receiver" });
    await withService((tx) => tx.execute(sql`insert into customers (business_id, name) values (${businessId}, 'Page person')`));
    await drainWebhooks();
    await signInAs("alice@a.test");
    const page = renderToString(await WebhooksPage({ params: Promise.resolve({ business: "tenant-a" }) })).replaceAll("&#x27;", "'");
    expect(page).toContain(receiver.url);
    expect(page).toContain("1 event waiting to be delivered.");
    expect(page).toContain("failed (418)");
    expect(page).toContain(`/tenant-a/settings/webhooks/log?endpoint=${id}`);
    const log = renderToString(await WebhookLogPage({ params: Promise.resolve({ business: "tenant-a" }), searchParams: Promise.resolve({ endpoint: id }) })).replaceAll("&#x27;", "'");
    expect(log).toContain("customer.created");
    expect(log).toContain("waiting to retry");
    expect(log).toContain("I'm a teapot, not a webhook receiver");
    expect(log).toContain("Replay");
    // the log without an endpoint (a bookmark, a hand-typed URL) goes back to the list of endpoints
    await expect(WebhookLogPage({ params: Promise.resolve({ business: "tenant-a" }), searchParams: Promise.resolve({}) })).rejects.toMatchObject({
      digest: expect.stringContaining("/tenant-a/settings/webhooks"),
    });
    // an agent sees no endpoint, only that settings are for owners and admins
    await signInAs("carol@a.test");
    const theirs = renderToString(await WebhooksPage({ params: Promise.resolve({ business: "tenant-a" }) }));
    expect(theirs).not.toContain(receiver.url);
    expect(theirs).toContain("Only owners and admins");
  });
});
