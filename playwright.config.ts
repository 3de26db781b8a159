import { defineConfig } from "@playwright/test";

// End-to-end against a production build in Debian's Chromium, once per database engine: the
// embedded PGlite and a real PostgreSQL server (the one scripts/test-services.sh starts; `npm run
// test:e2e` runs through it). PRISMAI_E2E_ENGINES=pglite narrows a local run.
// PRISMAI_E2E_PORT moves both ports, so two checkouts can run their suites side by side.
const BASE_PORT = Number(process.env.PRISMAI_E2E_PORT ?? 3210);
const PORTS = { pglite: BASE_PORT, postgres: BASE_PORT + 1 } as const;
type Engine = keyof typeof PORTS;
const engines = (process.env.PRISMAI_E2E_ENGINES ?? "pglite,postgres").split(",").map((e) => e.trim()) as Engine[];
for (const e of engines) if (!(e in PORTS)) throw new Error(`PRISMAI_E2E_ENGINES: unknown engine ${e} (pglite, postgres)`);

// Fixed keys for the postgres server: in production mode DATABASE_URL requires both.
const SECRETS = { ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"), APP_SECRET: "e2e-app-secret-e2e-app-secret-0123456789" };

const servers = {
  // The first server also builds; servers start one after the other, so the second finds the build.
  pglite: `rm -rf .data/e2e && npx next build && PGLITE_DATA_DIR=.data/e2e/pglite APP_URL=http://127.0.0.1:${PORTS.pglite} npx next start -p ${PORTS.pglite} -H 127.0.0.1`,
  postgres:
    `${engines.includes("pglite") ? "" : "npx next build && "}` +
    `export DATABASE_URL="$(node scripts/e2e-postgres-db.mjs)" && npm run -s db:seed && ` +
    `APP_URL=http://127.0.0.1:${PORTS.postgres} npx next start -p ${PORTS.postgres} -H 127.0.0.1`,
};

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--disable-component-update", "--no-first-run", "--disable-sync"],
    },
  },
  projects: engines.map((engine) => ({ name: engine, use: { baseURL: `http://127.0.0.1:${PORTS[engine]}` } })),
  webServer: engines.map((engine) => ({
    command: servers[engine],
    url: `http://127.0.0.1:${PORTS[engine]}/api/health`,
    // next build takes 4–5 minutes on a loaded 2-core machine.
    timeout: 600_000,
    env: { NEXT_TELEMETRY_DISABLED: "1", ...(engine === "postgres" ? SECRETS : {}) },
    reuseExistingServer: false,
    stdout: "pipe" as const,
  })),
});
