import { defineConfig } from "@playwright/test";

const PORT = 3210;

// End-to-end against a production build on a fresh embedded database, in Debian's Chromium.
export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage", "--disable-component-update", "--no-first-run", "--disable-sync"],
    },
  },
  webServer: {
    command: `rm -rf .data/e2e && npx next build && PGLITE_DATA_DIR=.data/e2e/pglite APP_URL=http://127.0.0.1:${PORT} npx next start -p ${PORT} -H 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    // next build takes 4–5 minutes on a loaded 2-core machine.
    timeout: 600_000,
    env: { NEXT_TELEMETRY_DISABLED: "1" },
    reuseExistingServer: false,
    stdout: "pipe",
  },
});
