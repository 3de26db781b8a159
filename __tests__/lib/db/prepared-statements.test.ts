// DATABASE_PREPARED_STATEMENTS=1 (a direct or session-mode connection): every statement is a named
// prepared statement on the server, planned once per connection, in transactions too. What must not
// change for anyone: answers, values into raw SQL, transactions and savepoints that roll back, and a
// statement whose table gained a column since it was prepared. On PGlite the setting has nothing to
// act on; the same behaviour is checked there.
import { sql } from "drizzle-orm";
import { closeDb, getDb, getDbHandle, rows, withService } from "@/lib/db/client";
import { seedDemo } from "@/lib/db/seed";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { embedPending } from "@/lib/knowledge/indexing";
import { handleInbound } from "@/lib/pipeline/inbound";
import { resetSemanticCacheForTests } from "@/lib/cache";
import { setLimiterForTests } from "@/lib/ratelimit";
import { testEngine, useTestDb } from "../../helpers/db";

const tasks: Promise<unknown>[] = [];
const defer = (task: () => Promise<unknown>) => void tasks.push(task().catch(() => undefined));

beforeAll(async () => {
  process.env.DATABASE_PREPARED_STATEMENTS = "1";
  await useTestDb();
  await seedDemo(await getDbHandle());
  await embedPending(DEMO_BUSINESS_ID);
  resetSemanticCacheForTests();
  setLimiterForTests(undefined);
});
afterAll(async () => {
  while (tasks.length) await Promise.allSettled(tasks.splice(0));
  await closeDb();
  delete process.env.DATABASE_PREPARED_STATEMENTS;
});

const ask = (text: string, from: string) =>
  handleInbound({ businessId: DEMO_BUSINESS_ID, channelId: "00000000-0000-4000-8000-00000000c001", channelKind: "web", from: { kind: "web", value: from }, text }, { defer });

describe("prepared statements", () => {
  it("are really prepared on PostgreSQL: the server keeps named statements for the connection", async () => {
    // one transaction is one connection: what it prepared is in that session's pg_prepared_statements
    const named = await withService(async (tx) => {
      for (let i = 0; i < 3; i++) await rows(tx, sql`select id from businesses where id = ${DEMO_BUSINESS_ID}`);
      if (testEngine() !== "postgres") return null;
      return rows<{ statement: string }>(tx, sql`select statement from pg_prepared_statements where statement like ${"%from businesses where id = $1%"}`);
    });
    if (testEngine() === "postgres") expect(named!.length).toBeGreaterThanOrEqual(1);
  });

  it("answer the same questions, again and again, with the same answers", async () => {
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await ask("What are your opening hours?", `prepared-${i}`);
      expect(r.reply?.source).toBe("faq");
      answers.push(r.reply!.content);
    }
    expect(new Set(answers).size).toBe(1);
  });

  it("take dates and objects into raw SQL as the unprepared client does", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    for (let i = 0; i < 7; i++) {
      const [row] = await rows<{ same: boolean; a: string }>(await getDb(), sql`select ${at}::timestamptz = '2026-03-04T05:06:07.089Z'::timestamptz as same, (${{ a: i }}::jsonb)->>'a' as a`);
      expect(row).toEqual({ same: true, a: String(i) });
    }
  });

  it("roll back a transaction and a savepoint as before", async () => {
    const count = async () => Number((await rows<{ n: string }>(await getDb(), sql`select count(*)::text as n from audit_log where action = 'prepared.test'`))[0]!.n);
    const before = await count();
    await expect(
      withService(async (tx) => {
        await tx.execute(sql`insert into audit_log (business_id, action) values (${DEMO_BUSINESS_ID}, 'prepared.test')`);
        throw new Error("roll it back");
      }),
    ).rejects.toThrow("roll it back");
    expect(await count()).toBe(before);
    await withService(async (tx) => {
      await tx.execute(sql`insert into audit_log (business_id, action) values (${DEMO_BUSINESS_ID}, 'prepared.test')`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into audit_log (business_id, action) values (${DEMO_BUSINESS_ID}, 'prepared.test')`);
          throw new Error("only the savepoint");
        })
        .catch(() => undefined);
    });
    expect(await count()).toBe(before + 1);
  });

  it("still read a table that gained a column after the statement was prepared", async () => {
    const read = async () => (await rows<Record<string, unknown>>(await getDb(), sql`select * from audit_log where business_id = ${DEMO_BUSINESS_ID} and action = 'prepared.test' limit 1`))[0]!;
    for (let i = 0; i < 3; i++) expect(await read()).not.toHaveProperty("prepared_extra");
    await (await getDbHandle()).exec(`alter table audit_log add column prepared_extra int default 7`);
    expect(await read()).toMatchObject({ prepared_extra: 7 });
  });
});
