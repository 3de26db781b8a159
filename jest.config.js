/**
 * jest on both database engines: every suite runs once on PGlite (the embedded default) and once on
 * a real PostgreSQL server with pgvector through postgres.js as production connects. The global setup
 * migrates a template per engine; each suite gets a clone (helpers/db.ts). `npm test` starts the
 * server (scripts/test-services.sh); PRISMAI_TEST_ENGINES=pglite narrows a local run to one engine.
 */
const engines = (process.env.PRISMAI_TEST_ENGINES || "pglite,postgres").split(",").map((e) => e.trim()).filter(Boolean);

const base = {
  testEnvironment: "node",
  // Process-wide holders (the database handle, limiter, cache) live on globalThis by design.
  testEnvironmentOptions: { globalsCleanup: "off" },
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts", "**/*.test.tsx"],
  transform: {
    "^.+\\.(t|j)sx?$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", tsx: true },
          transform: { react: { runtime: "automatic" } },
          target: "es2022",
        },
        // Keep import() native: PGlite is loaded as ESM (hence --experimental-vm-modules).
        module: { type: "commonjs", ignoreDynamic: true },
      },
    ],
  },
  // ESM-only packages are compiled to CommonJS like our own code.
  transformIgnorePatterns: ["/node_modules/(?!(jose|marked)/)"],
  moduleNameMapper: {
    "^@/(.*)$": "<rootDir>/$1",
    "^server-only$": "<rootDir>/__tests__/helpers/empty.js",
  },
  setupFiles: ["<rootDir>/__tests__/helpers/setup-env.ts"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/helpers/teardown.ts"],
};

module.exports = {
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.ts",
  testTimeout: 60000,
  maxWorkers: 2,
  projects: engines.map((engine) => ({ ...base, displayName: engine, globals: { PRISMAI_TEST_ENGINE: engine } })),
};
