// Which database engines the jest run covers, and the names both the global setup and the suites use.
// Every suite runs once per engine (jest projects "pglite" and "postgres"; see jest.config.js).
export type Engine = "pglite" | "postgres";

export const ENGINES: readonly Engine[] = ["pglite", "postgres"];

/** The engines this run covers: PRISMAI_TEST_ENGINES=pglite (or postgres) narrows a local run. */
export function selectedEngines(value = process.env.PRISMAI_TEST_ENGINES): Engine[] {
  if (!value) return [...ENGINES];
  const wanted = value.split(",").map((v) => v.trim()).filter(Boolean);
  const unknown = wanted.filter((v) => !ENGINES.includes(v as Engine));
  if (unknown.length) throw new Error(`PRISMAI_TEST_ENGINES: unknown engine ${unknown.join(", ")} (use pglite, postgres or both)`);
  return wanted as Engine[];
}

/** The migrated template every postgres suite clones. */
export const PG_TEMPLATE_DB = "prismai_template";

/** A URL naming another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
