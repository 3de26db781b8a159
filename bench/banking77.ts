// Reading ../shared/data/banking77 (text,category CSV files) for the benchmarks.
import fs from "node:fs";
import path from "node:path";

export type Row = { text: string; category: string };

export const BANKING77_DIR = path.resolve(process.cwd(), "../shared/data/banking77");

/** RFC 4180 CSV (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(src: string): string[][] {
  const records: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.some((f) => f !== "")) records.push(row);
      row = [];
    } else field += c;
  }
  if (field !== "" || row.length) {
    row.push(field);
    records.push(row);
  }
  return records;
}

export function readRows(file: string): Row[] {
  const [header, ...records] = parseCsv(fs.readFileSync(file, "utf8"));
  const ti = header!.indexOf("text");
  const ci = header!.indexOf("category");
  return records.map((r) => ({ text: r[ti]!, category: r[ci]! }));
}
