// Rows of a table that came back as JSON (json_agg of a subquery inside a bigger statement): each
// column read under its SQL name and mapped as drizzle maps it from the driver (timestamps to Dates,
// numeric money to numbers, jsonb as is), so one statement can return a table's rows beside others.
import { getTableColumns, type InferSelectModel, type Table } from "drizzle-orm";

export function rowsFromJson<T extends Table>(table: T, value: unknown): InferSelectModel<T>[] {
  const list = (typeof value === "string" ? JSON.parse(value) : value) as Record<string, unknown>[] | null;
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
