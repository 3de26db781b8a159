// A fresh database per suite: a clone of the template the global setup migrated.
import fs from "node:fs";
import { drizzle } from "drizzle-orm/pglite";
import * as schema from "@/lib/db/schema";
import { openPglite, setDbHandleForTests, type Db, type DbHandle } from "@/lib/db/client";

export async function useTestDb(): Promise<DbHandle & { client: Awaited<ReturnType<typeof openPglite>> }> {
  const file = process.env.PRISMAI_TEMPLATE_DB;
  if (!file) throw new Error("PRISMAI_TEMPLATE_DB is not set: run through jest's globalSetup");
  const client = await openPglite({ loadDataDir: new Blob([fs.readFileSync(file)]) });
  const db = drizzle({ client, schema }) as unknown as Db;
  const handle: DbHandle = { db, kind: "pglite", exec: async (s) => void (await client.exec(s)), close: () => client.close() };
  setDbHandleForTests(handle);
  return { ...handle, client };
}
