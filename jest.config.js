/** jest on PGlite with the real migrations: a template is migrated once, each suite gets a clone. */
module.exports = {
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
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.ts",
  setupFiles: ["<rootDir>/__tests__/helpers/setup-env.ts"],
  testTimeout: 60000,
  maxWorkers: 2,
};
