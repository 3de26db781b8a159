// After every suite: close the database it opened (a postgres pool would otherwise hold its
// connections, and its database, until the worker exits).
import { closeDb } from "@/lib/db/client";

afterAll(async () => {
  await closeDb();
});
