// Rows of a table that came back as JSON (json_agg or row_to_json of a subquery inside a bigger
// statement): each column read under its SQL name and mapped as drizzle maps it from the driver
// (timestamps to Dates, numeric money to numbers, jsonb as is), so one statement can return a table's
// rows beside others.
import { getTableColumns, sql, type InferSelectModel, type SQL, type Table } from "drizzle-orm";
import { rows, type Executor } from "@/lib/db/client";

/** A json value as the driver returned it: parsed already (postgres.js and PGlite parse json), or as text. */
export function fromJson<T>(value: unknown): T | null {
  return (typeof value === "string" ? JSON.parse(value) : (value ?? null)) as T | null;
}

/** The rows of a json array (json_agg); none for null. */
export function rowsFromJson<T extends Table>(table: T, value: unknown): InferSelectModel<T>[] {
  const list = fromJson<Record<string, unknown>[]>(value);
  const columns = Object.entries(getTableColumns(table));
  return (list ?? []).map(
    (raw) =>
      Object.fromEntries(
        columns.map(([key, column]) => {
          const v = raw[column.name];
          return [key, v === null || v === undefined ? null : column.mapFromDriverValue(v)];
        }),
      ) as InferSelectModel<T>,
  );
}

/** One row of a json object (row_to_json), or null for a null value (no row). */
export function rowFromJson<T extends Table>(table: T, value: unknown): InferSelectModel<T> | null {
  const row = fromJson<Record<string, unknown>>(value);
  return row ? rowsFromJson(table, [row])[0]! : null;
}

/**
 * Several selects in one statement, one round trip: each query's rows come back as one json array
 * under its name (none for a query left out). Columns arrive as JSON has them: numbers, strings
 * (uuids, text, timestamps in ISO form), arrays; a float JSON cannot hold (NaN) as a string.
 */
export async function selectTogether<K extends string>(
  ex: Executor,
  queries: Record<K, SQL | null | undefined>,
  /** common table expressions the queries read (`name as (select …)`): a parameter they share is sent once */
  ctes?: SQL,
): Promise<Record<K, Record<string, unknown>[]>> {
  const names = Object.keys(queries) as K[];
  const columns = names.map((name, i) => {
    const q = queries[name];
    return q ? sql`(select coalesce(json_agg(t${sql.raw(String(i))}), '[]'::json) from (${q}) t${sql.raw(String(i))}) as ${sql.identifier(name)}` : sql`'[]'::json as ${sql.identifier(name)}`;
  });
  const [row] = await rows<Record<string, unknown>>(ex, sql`${ctes ? sql`with ${ctes} ` : sql``}select ${sql.join(columns, sql`, `)}`);
  return Object.fromEntries(names.map((name) => [name, fromJson<Record<string, unknown>[]>(row?.[name]) ?? []])) as Record<K, Record<string, unknown>[]>;
}
