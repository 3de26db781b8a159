import { GET } from "@/app/api/health/route";
import { closeDb, setDbHandleForTests } from "@/lib/db/client";
import { testEngine, useTestDb } from "../../helpers/db";

afterAll(() => closeDb());

describe("GET /api/health", () => {
  it("reports the database, the migrations and the adapter of each port", async () => {
    await useTestDb();
    // The postgres project connects through DATABASE_URL exactly as production does.
    const engine = testEngine();
    const res = await GET();
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: "ok",
      database: { reachable: true, driver: engine },
      migrations: { current: true },
      adapters: { database: engine, auth: "local", model: "offline", cache: "memory" },
    });
  });

  it("answers 503 with the reason when the database is down", async () => {
    await closeDb();
    setDbHandleForTests({
      db: { execute: async () => Promise.reject(new Error("connection refused")) } as never,
      kind: "postgres",
      exec: async () => {},
      close: async () => {},
    });
    const res = await GET();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "down", reason: "database unreachable: connection refused" });
    setDbHandleForTests(undefined);
  });
});
