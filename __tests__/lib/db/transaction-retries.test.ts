// Two transactions that lock the same two rows in opposite orders deadlock on PostgreSQL: the server
// rolls one back (40P01). withService runs the loser again, so both changes land and neither request
// fails. (PGlite runs one transaction at a time, so there the second simply waits its turn; the same
// test shows both changes land there too.)
import { sql } from "drizzle-orm";
import { getDbHandle, rows, transactionRetries, withService } from "@/lib/db/client";
import { useTestDb } from "../../helpers/db";

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    await tx.execute(sql`create table if not exists retry_scratch (id int primary key, touched text[] not null default '{}')`);
    await tx.execute(sql`insert into retry_scratch (id) values (1), (2) on conflict do nothing`);
  });
});

/** Resolves when both sides have arrived, or after `ms` (PGlite never lets the second side in). */
function meeting(ms: number) {
  let arrived = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((r) => (release = r));
  return async () => {
    if (++arrived === 2) release();
    await Promise.race([all, new Promise((r) => setTimeout(r, ms))]);
  };
}

it("a deadlock between two transactions is run again, and both changes land", async () => {
  const engine = (await getDbHandle()).kind;
  const before = transactionRetries.n;
  const meet = meeting(engine === "pglite" ? 50 : 5_000);
  let attempts = 0;
  const side = (first: number, second: number, name: string) =>
    withService(async (tx) => {
      attempts++;
      await tx.execute(sql`update retry_scratch set touched = array_append(touched, ${name}) where id = ${first}`);
      await meet();
      await tx.execute(sql`update retry_scratch set touched = array_append(touched, ${name}) where id = ${second}`);
      return name;
    });
  await expect(Promise.all([side(1, 2, "a"), side(2, 1, "b")])).resolves.toEqual(["a", "b"]);
  const found = await withService((tx) => rows<{ id: number; touched: string[] }>(tx, sql`select id, touched from retry_scratch order by id`));
  // each row got each side's change exactly once: the rolled-back attempt left nothing behind
  for (const r of found) expect([...r.touched].sort()).toEqual(["a", "b"]);
  if (engine === "postgres") {
    expect(transactionRetries.n - before).toBe(1);
    expect(attempts).toBe(3);
  } else {
    expect(attempts).toBe(2);
  }
});

it("an error that is not a conflict is not run again", async () => {
  let attempts = 0;
  await expect(
    withService(async (tx) => {
      attempts++;
      await tx.execute(sql`select 1 / 0`);
    }),
  ).rejects.toThrow();
  expect(attempts).toBe(1);
});
