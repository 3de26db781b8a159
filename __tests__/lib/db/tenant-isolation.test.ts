// Row-level security: a member of A reading, updating, inserting and deleting B's rows gets nothing
// or is refused — on every tenant table.
import { sql } from "drizzle-orm";
import { closeDb, rows, withService, withTenant } from "@/lib/db/client";
import { TENANT_TABLES } from "@/lib/db/schema";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";

let a: Awaited<ReturnType<typeof makeTenant>>;
let b: Awaited<ReturnType<typeof makeTenant>>;
let alice: { id: string };

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    alice = await makeUser(tx, "alice@a.test");
    const bob = await makeUser(tx, "bob@b.test");
    a = await makeTenant(tx, "tenant-a", alice.id);
    b = await makeTenant(tx, "tenant-b", bob.id);
    // an answer of the AI each, so answer_daily (kept by a trigger) has rows in both
    for (const t of [a, b]) {
      await tx.execute(
        sql`insert into messages (business_id, conversation_id, customer_id, channel_id, role, source, content)
            values (${t.businessId}, ${t.conversationId}, ${t.customerId}, ${t.channelId}, 'assistant', 'model', 'an answer')`,
      );
    }
  });
});

afterAll(() => closeDb());

/** The database's own refusal, from under drizzle's wrapper. */
async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { cause?: Error }).cause?.message ?? (err as Error).message);
  }
  return "accepted";
}

const idColumn = (table: string) => (table === "businesses" ? "id" : "business_id");

describe("row-level security", () => {
  it.each(TENANT_TABLES)("%s: a member of A sees A's rows and none of B's", async (table) => {
    const counts = await withTenant(alice.id, async (tx) => ({
      own: await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(idColumn(table))} = ${a.businessId}`),
      other: await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(idColumn(table))} = ${b.businessId}`),
      unfiltered: await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(idColumn(table))} <> ${a.businessId}`),
    }));
    expect(counts.own[0]!.n).toBeGreaterThan(0);
    expect(counts.other[0]!.n).toBe(0);
    expect(counts.unfiltered[0]!.n).toBe(0);
  });

  it.each(TENANT_TABLES)("%s: updating and deleting B's rows touches nothing", async (table) => {
    const col = sql.identifier(idColumn(table));
    const result = await withTenant(alice.id, async (tx) => ({
      updated: await rows(tx, sql`update ${sql.identifier(table)} set ${col} = ${col} where ${col} = ${b.businessId} returning 1`),
      deleted: await rows(tx, sql`delete from ${sql.identifier(table)} where ${col} = ${b.businessId} returning 1`),
    }));
    expect(result).toEqual({ updated: [], deleted: [] });
    const still = await withService((tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from ${sql.identifier(table)} where ${col} = ${b.businessId}`),
    );
    expect(still[0]!.n).toBeGreaterThan(0);
  });

  it("refuses inserts into B, including making yourself a member of B", async () => {
    const attempts = [
      sql`insert into members (business_id, user_id, role) values (${b.businessId}, ${alice.id}, 'owner')`,
      sql`insert into faqs (business_id, question, answer) values (${b.businessId}, 'q', 'a')`,
      sql`insert into customers (business_id, name) values (${b.businessId}, 'intruder')`,
      sql`insert into channels (business_id, kind, name, address) values (${b.businessId}, 'web', 'x', 'stolen')`,
      sql`insert into audit_log (business_id, action) values (${b.businessId}, 'forged')`,
      sql`insert into businesses (slug, name) values ('made-up', 'Made up')`,
    ];
    for (const attempt of attempts) {
      expect(await refused(withTenant(alice.id, (tx) => tx.execute(attempt)))).toMatch(/row-level security/);
    }
  });

  it("moving A's rows into B is refused", async () => {
    expect(
      await refused(withTenant(alice.id, (tx) => tx.execute(sql`update faqs set business_id = ${b.businessId} where business_id = ${a.businessId}`))),
    ).toMatch(/row-level security/);
  });

  it("sees colleagues but not strangers in users", async () => {
    const emails = await withTenant(alice.id, (tx) => rows<{ email: string }>(tx, sql`select email from users order by email`));
    expect(emails.map((r) => r.email)).toEqual(["alice@a.test"]);
  });

  it("keeps the session's claims inside the transaction", async () => {
    await withTenant(alice.id, async () => undefined);
    const outside = await withService((tx) => rows<{ uid: string | null }>(tx, sql`select app.current_user_id() as uid`));
    expect(outside[0]!.uid).toBeNull();
  });
});
