// The end-to-end suite's PostgreSQL database: a fresh `prismai_e2e` on the test server
// (PRISMAI_TEST_PG_URL, started by scripts/test-services.sh); prints its URL. The app's own
// `npm run db:seed` then migrates and seeds it exactly as a deployment would.
import postgres from "postgres";

const server = process.env.PRISMAI_TEST_PG_URL;
if (!server) {
  console.error("PRISMAI_TEST_PG_URL is not set: run the end-to-end suite through `npm run test:e2e`");
  process.exit(1);
}
const name = process.env.PRISMAI_E2E_DB ?? "prismai_e2e";
const admin = postgres(server, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${name} with (force)`);
await admin.unsafe(`create database ${name}`);
await admin.end({ timeout: 5 });
const url = new URL(server);
url.pathname = `/${name}`;
console.log(url.toString());
