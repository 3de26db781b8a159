// npm run bench:campaign — 10,000 recipients through the embedded outbox on each engine: one SMS
// campaign planned (consent, quiet hours, segments priced on each real text), started, killed halfway
// and run again, then delivered by the outbox drains with no provider account (the embedded default).
// Reports the send rate, the process's peak memory, duplicates and missed recipients (both must be 0),
// and the estimate against the cost events the sends recorded. JSON in bench/results/campaign.json.
import { performance } from "node:perf_hooks";
import { enginesFromArgs, freshDatabase, machine, type BenchEngine, runChild, writeResult, numberArg } from "./engines";

process.env.DISABLE_SCHEDULER = "1";

const N = numberArg("n", 10_000);
const BATCH = numberArg("batch", 200);
const CHILD = process.argv.includes("--child");
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
// Monday 7 December 2026, 12:00 UTC: noon in London, where the recipients' +44 numbers put them
const NOW = new Date("2026-12-07T12:00:00Z");
// names that make a text UCS-2 (two SMS segments where GSM-7 needs one)
const NAMES = ["Amelia", "Oliver", "Isla", "Łukasz", "Zoë", "Harry", "Søren", "Chloé", "Jack", "Ivy"];

async function runOne(engine: BenchEngine) {
  const database = await freshDatabase(engine, "campaign");
  Object.assign(process.env, database.env);
  const { sql } = await import("drizzle-orm");
  const { getDbHandle, rows, closeDb, withService } = await import("@/lib/db/client");
  const { migrate } = await import("@/lib/db/migrate");
  const { sealIdentity } = await import("@/lib/pipeline/identities");
  const { setMonthlyBudget } = await import("@/lib/billing/budgets");
  const { saveCampaign, startCampaign, getCampaign } = await import("@/lib/campaigns/service");
  const { runCampaigns } = await import("@/lib/campaigns/send");
  const { drainOutbox } = await import("@/lib/channels/delivery");

  const handle = await getDbHandle();
  await migrate(handle);
  const [setup] = await rows<{ business: string; owner: string }>(
    handle.db,
    sql`with u as (insert into users (email, name) values ('owner@bench.test', 'Owner') returning id),
             b as (insert into businesses (slug, name, time_zone) values ('bench', 'Bench Dental', 'Europe/London') returning id),
             m as (insert into members (business_id, user_id, role) select b.id, u.id, 'owner' from b, u returning business_id),
             c as (insert into channels (business_id, kind, name, address) select b.id, 'sms', 'SMS', '+447700900000' from b returning id)
        select (select id from b) as business, (select id from u) as owner`,
  );
  const businessId = setup!.business;
  await setMonthlyBudget(handle.db, businessId, { limitUsd: 10_000 });

  // N customers with a UK mobile number each, consent recorded from the contact form
  for (let i = 0; i < N; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, N - i) }, (_, k) => i + k);
    await withService(async (tx) => {
      const ids = await rows<{ id: string; n: number }>(
        tx,
        sql`insert into customers (business_id, name, tags) select ${businessId}, x.name, array['bench', 'checkup:' || x.due]
            from jsonb_to_recordset(${JSON.stringify(chunk.map((n) => ({ name: `${NAMES[n % NAMES.length]} Number${n}`, due: `${1 + (n % 28)} January` })))}::jsonb) as x(name text, due text)
            returning id, 0 as n`,
      );
      const values = ids.map((c, k) => {
        const phone = `+447700${String(100000 + chunk[k]!).padStart(6, "0")}`;
        const sealed = sealIdentity({ kind: "phone", value: phone });
        return { customer: c.id, hash: sealed.valueHash, sealed: sealed.valueEncrypted };
      });
      await tx.execute(sql`insert into customer_identities (business_id, customer_id, kind, value_hash, value_encrypted)
          select ${businessId}, x.customer, 'phone', x.hash, x.sealed from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as x(customer uuid, hash text, sealed text)`);
      await tx.execute(sql`insert into consent_events (business_id, customer_id, channel_kind, granted, source, wording)
          select ${businessId}, x.customer, 'sms', true, 'contact_form', 'Text me offers' from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as x(customer uuid)`);
    });
  }

  const ctx = { businessId, actor: { type: "member" as const, userId: setup!.owner, role: "owner" as const } };
  const { id } = await saveCampaign({
    ctx,
    input: {
      campaign: {
        name: "Check-up reminders",
        audience: { tags: ["bench"], consent: true },
        channelKinds: ["sms"],
        body: "Hi {{first_name}}, your check-up at {{business}} is due {{checkup}}. Reply to book a time that suits you.",
      },
    },
  });
  const planStarted = performance.now();
  const { estimate, recipients } = await startCampaign({ ctx, input: { id, now: NOW } });
  const planSeconds = (performance.now() - planStarted) / 1000;

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  // the job is killed once half the recipients are sent…
  let sent = 0;
  const killAt = Math.floor(N / 2);
  try {
    await runCampaigns({ now: NOW, batchSize: BATCH, campaignId: id, afterSend: () => {
      if (++sent === killAt) throw new Error("killed");
    } });
  } catch (err) {
    if ((err as Error).message !== "killed") throw err;
  }
  // …and run again once its claims' five-minute lease is over
  let runs = 1;
  for (let at = new Date(NOW.getTime() + 6 * 60_000); ; at = new Date(at.getTime() + 1000)) {
    runs++;
    const r = await runCampaigns({ now: at, batchSize: BATCH, campaignId: id });
    if (r.completed.includes(id) || r.sent + r.failed + r.skipped + r.deferred === 0) break;
  }
  for (;;) {
    const d = await drainOutbox({ businessId });
    if (Object.values(d).every((x) => x.sent + x.failed + x.retrying === 0)) break;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  const [counts] = await rows<{ recipients: number; sent: number; queued: number; outbox_rows: number; customers_texted: number; outbox_sent: number }>(
    handle.db,
    sql`select (select count(*)::int from campaign_recipients where campaign_id = ${id}) as recipients,
               (select count(*)::int from campaign_recipients where campaign_id = ${id} and sent_at is not null) as sent,
               (select count(*)::int from campaign_recipients where campaign_id = ${id} and status in ('queued', 'sending')) as queued,
               (select count(*)::int from outbox where payload->>'campaignId' = ${id}) as outbox_rows,
               (select count(distinct m.customer_id)::int from outbox o join messages m on m.id = o.message_id where o.payload->>'campaignId' = ${id}) as customers_texted,
               (select count(*)::int from outbox where payload->>'campaignId' = ${id} and status = 'sent') as outbox_sent`,
  );
  const detail = await getCampaign({ ctx, input: { id } });
  const segments = await rows<{ units: number }>(handle.db, sql`select coalesce(sum(e.units), 0)::int as units from cost_events e join campaign_recipients r on r.message_id = e.message_id where r.campaign_id = ${id}`);
  await closeDb();
  await database.drop();
  return {
    engine,
    database: database.describe,
    recipients,
    planAndStartSeconds: round(planSeconds),
    sendSeconds: round(seconds),
    sendsPerSecond: round(counts!.sent / seconds),
    jobRuns: runs,
    killedAfter: killAt,
    sent: counts!.sent,
    stillQueued: counts!.queued,
    outboxRows: counts!.outbox_rows,
    outboxSent: counts!.outbox_sent,
    duplicates: counts!.outbox_rows - counts!.customers_texted,
    missed: recipients - counts!.customers_texted,
    peakRssMiB: round(peakRss / 1024 / 1024, 1),
    estimate: { totalUsd: estimate.totalUsd, smsSegments: estimate.byChannel.sms?.units ?? 0 },
    actual: { totalUsd: detail.summary.actualUsd, smsSegments: segments[0]!.units },
    estimateDeviationPct: detail.summary.deviation === null ? null : round(detail.summary.deviation * 100, 3),
    campaignStatus: detail.campaign.status,
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
    console.log(`[bench:campaign] ${engine}, ${N} recipients, batches of ${BATCH}, killed halfway…`);
    const result = runChild(["--db", engine, "--n", String(N), "--batch", String(BATCH)], `${engine}`);
    console.log(`  sent ${result.sent}/${result.recipients} in ${result.sendSeconds} s (${result.sendsPerSecond}/s), duplicates ${result.duplicates}, missed ${result.missed}, peak RSS ${result.peakRssMiB} MiB, estimate vs actual ${result.estimateDeviationPct} %`);
    runs.push(result);
  }
  const result = {
    benchmark: "campaign",
    at: new Date().toISOString(),
    machine: machine(),
    config: {
      recipients: N,
      batchSize: BATCH,
      channel: "sms, embedded outbox (no provider account)",
      note: "the job is killed after half the sends and run again after the claims' five-minute lease (simulated clock); names with Ł, ë, ø, é make 40 % of texts UCS-2",
    },
    runs,
  };
  writeResult("campaign", result);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
