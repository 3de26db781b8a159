// npm run bench:relay — the hand-off relay's latency on each engine: the owner texts the business's
// SMS number from their verified phone ("#A7 answer", or "#A7 1" for the AI's suggestion), through the
// real signed webhook route (the Channel simulator's request), and the answer is stored as a staff
// reply, queued in the outbox and handed to the provider by the outbox drain after the webhook's
// response (the embedded default: the dev outbox is the provider). Measured from the moment the
// request reaches the route to the customer's outbox row being marked sent; p50/p95/max over ≥200
// relays spread over several open hand-offs, each checked to have reached its own conversation.
// JSON in bench/results/relay.json.
import { performance } from "node:perf_hooks";
import { enginesFromArgs, freshDatabase, machine, numberArg, runChild, writeResult, type BenchEngine } from "./engines";

process.env.DISABLE_SCHEDULER = "1";

const N = numberArg("n", 200);
const OPEN = numberArg("open", 5);
const CHILD = process.argv.includes("--child");
const OWNER_PHONE = "+447911123456";
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function runOne(engine: BenchEngine) {
  const database = await freshDatabase(engine, "relay");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb, withService } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { seedDemo } = await import("@/lib/db/seed");
  const { DEMO_BUSINESS_ID } = await import("@/lib/db/seed-data");
  const { embedPending } = await import("@/lib/knowledge/indexing");
  const { connectTwilioChannel } = await import("@/lib/channels/twilio/channels");
  const { simulate } = await import("@/lib/channels/simulator");
  const { backgroundIdle } = await import("@/lib/channels/twilio/background");
  const { encrypt } = await import("@/lib/security/crypto");
  const { phoneHash } = await import("@/lib/relay/phone");
  const { env } = await import("@/lib/env");
  const { POST: smsPost } = await import("@/app/api/webhooks/twilio/sms/route");

  const handle = await getDbHandle();
  await migrate(handle);
  await seedDemo(handle);
  await embedPending();
  await handle.db.execute(
    sql`update businesses set limits = limits || '{"monthlyBudgetUsd": 100000, "messagesPerMonth": 10000000, "customerMinIntervalSeconds": 0}'::jsonb where id = ${DEMO_BUSINESS_ID}`,
  );
  const [owner] = await rows<{ id: string }>(handle.db, sql`select user_id as id from members where business_id = ${DEMO_BUSINESS_ID} and role = 'owner'`);
  const ctx = { businessId: DEMO_BUSINESS_ID, actor: { type: "member" as const, userId: owner!.id, role: "owner" as const } };
  await connectTwilioChannel({ ctx, input: { kind: "sms", address: "+15017122661" } });
  // the owner's phone, verified (the code round trip is tested in __tests__/lib/relay)
  await withService((tx) =>
    tx.execute(
      sql`insert into member_phones (business_id, user_id, channel_kind, phone_encrypted, phone_hash, verified_at)
          values (${DEMO_BUSINESS_ID}, ${owner!.id}, 'sms', ${encrypt(OWNER_PHONE)}, ${phoneHash(OWNER_PHONE)}, now())`,
    ),
  );
  const origin = env().appUrl;
  const post = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string }) => smsPost(new Request(url, init));
  const text = (from: string, body: string) => simulate({ ctx, input: { kind: "sms", from, text: body }, origin, post });

  // OPEN customers ask for a person on SMS: OPEN hand-offs, each with its code
  const open: { code: string; conversationId: string }[] = [];
  for (let i = 0; i < OPEN; i++) {
    const question = `Customer ${i}: is there parking? I want to speak to a real person please`;
    await text(`+4477009${String(30000 + i)}`, question);
    await backgroundIdle();
    const [h] = await rows<{ code: string; conversation_id: string }>(
      handle.db,
      sql`select h.code, h.conversation_id from relay_handoffs h join messages m on m.conversation_id = h.conversation_id
          where h.closed_at is null and m.role = 'customer' and m.content = ${question}`,
    );
    if (!h) throw new Error(`customer ${i}'s question was not handed off`);
    open.push({ code: h.code, conversationId: h.conversation_id });
  }

  const latencies: number[] = [];
  const ackMs: number[] = [];
  let misrouted = 0;
  for (let i = 0; i < N; i++) {
    const target = open[i % open.length]!;
    // every tenth relay sends the AI's suggestion, the others a written answer
    const answer = `Answer ${i} for #${target.code}: we can see you at ${9 + (i % 8)}:00.`;
    const body = i % 10 === 9 ? `#${target.code} 1` : `#${target.code} ${answer}`;
    const started = performance.timeOrigin + performance.now();
    const r = await text(OWNER_PHONE, body);
    ackMs.push(performance.timeOrigin + performance.now() - started);
    if (r.status !== 200 || !r.replies[0]?.body.startsWith(`#${target.code}: sent to`)) throw new Error(`relay ${i} was not sent: ${r.status} ${r.replies[0]?.body ?? r.error}`);
    await backgroundIdle(); // the drain the reply starts after the response
    const [row] = await rows<{ sent_at: Date | string | null; status: string; conversation_id: string; content: string }>(
      handle.db,
      sql`select o.sent_at, o.status, m.conversation_id, m.content from outbox o join messages m on m.id = o.message_id
          where o.business_id = ${DEMO_BUSINESS_ID} and m.role = 'agent' order by m.created_at desc, o.created_at desc limit 1`,
    );
    if (!row || row.status !== "sent" || !row.sent_at) throw new Error(`relay ${i}: the customer's message was not handed to the provider`);
    if (row.conversation_id !== target.conversationId || (i % 10 !== 9 && row.content !== answer)) misrouted++;
    latencies.push(new Date(row.sent_at).getTime() - started);
  }
  await closeDb();
  await database.drop();
  const sorted = [...latencies].sort((a, b) => a - b);
  const acks = [...ackMs].sort((a, b) => a - b);
  return {
    engine,
    database: database.describe,
    relays: N,
    openHandoffs: OPEN,
    misrouted,
    toProviderMs: { p50: round(pct(sorted, 50)), p95: round(pct(sorted, 95)), max: round(sorted.at(-1)!) },
    webhookAckMs: { p50: round(pct(acks, 50)), p95: round(pct(acks, 95)), max: round(acks.at(-1)!) },
    goalP95Met: pct(sorted, 95) < 5000,
  };
}

async function main() {
  if (CHILD) {
    const result = await runOne(enginesFromArgs()[0]!);
    process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
    return;
  }
  const runs = [];
  for (const engine of enginesFromArgs()) {
    console.log(`[bench:relay] ${engine}, ${N} relays over ${OPEN} open hand-offs…`);
    const result = runChild(["--db", engine, "--n", String(N), "--open", String(OPEN)], engine);
    console.log(`  to provider p50 ${result.toProviderMs.p50} ms, p95 ${result.toProviderMs.p95} ms; webhook ack p95 ${result.webhookAckMs.p95} ms; misrouted ${result.misrouted}`);
    runs.push(result);
  }
  writeResult("relay", {
    benchmark: "relay",
    at: new Date().toISOString(),
    machine: machine(),
    config: {
      relays: N,
      openHandoffs: OPEN,
      path: "owner's SMS → signed POST /api/webhooks/twilio/sms (route handler in-process) → relay → staff reply stored and queued → outbox drain after the response → dev outbox row marked sent (embedded provider)",
      measured: "from the request reaching the route to the customer's outbox row's sent_at; every tenth relay is '#code 1' (the AI's suggestion)",
      goal: "p95 < 5000 ms",
    },
    runs,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
