/** @type {import('next').NextConfig} */

// `next dev` serves its own scripts only to the hosts it knows; opened at 127.0.0.1 (or the host of
// APP_URL) the pages would never hydrate. localhost is always allowed.
const devHosts = ["127.0.0.1", "[::1]"];
try {
  if (process.env.APP_URL) devHosts.push(new URL(process.env.APP_URL).hostname);
} catch {
  // an invalid APP_URL is reported by lib/env.ts at start-up
}

const nextConfig = {
  // PGlite ships WebAssembly and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "@electric-sql/pglite-pgvector", "postgres", "twilio"],
  poweredByHeader: false,
  typedRoutes: false,
  allowedDevOrigins: [...new Set(devHosts)],
};

export default nextConfig;
