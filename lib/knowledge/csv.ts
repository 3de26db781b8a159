// CSV in and out (papaparse). Cells that a spreadsheet would run as a formula are written with a
// leading apostrophe, and read back without it, so an export imports unchanged.
import Papa from "papaparse";
import { AppError } from "@/lib/errors";
import { hasNul } from "@/lib/validation/text";

const FORMULA = /^'[=+\-@\t\r]/;

export function toCsv(header: string[], data: (string | number | boolean | null | undefined)[][]): string {
  return Papa.unparse({ fields: header, data: data.map((r) => r.map((v) => (v === null || v === undefined ? "" : v))) }, { escapeFormulae: true, newline: "\r\n" });
}

export type FaqCsvRow = { question: string; answer: string; enabled: boolean };

export const FAQ_CSV_HEADER = ["question", "answer", "enabled"];
export const MAX_FAQ_IMPORT_ROWS = 2000;
export const MAX_FAQ_IMPORT_BYTES = 1024 * 1024;

export function faqsToCsv(faqs: { question: string; answer: string; enabled: boolean }[]): string {
  return toCsv(FAQ_CSV_HEADER, faqs.map((f) => [f.question, f.answer, f.enabled ? "yes" : "no"]));
}

const unescapeCell = (v: string) => (FORMULA.test(v) ? v.slice(1) : v);

function parseEnabled(v: string | undefined, row: number): boolean {
  const s = (v ?? "").trim().toLowerCase();
  if (s === "" || ["yes", "y", "true", "1", "on", "enabled"].includes(s)) return true;
  if (["no", "n", "false", "0", "off", "disabled"].includes(s)) return false;
  throw new AppError("bad_request", `Row ${row}: "enabled" must be yes or no.`);
}

/**
 * Reads an FAQ CSV: a header row with "question" and "answer" (and optionally "enabled"), one FAQ
 * a row. Any bad row rejects the whole file with the row numbers, so nothing is half-imported.
 */
export function parseFaqCsv(text: string): FaqCsvRow[] {
  if (Buffer.byteLength(text) > MAX_FAQ_IMPORT_BYTES) throw new AppError("payload_too_large", "The CSV is larger than 1 MB.");
  // NUL characters in a CSV almost always mean it was saved as UTF-16 ("Unicode text"): every other
  // byte is NUL, and dropping them would import nothing sensible. Say how to save it instead.
  if (hasNul(text)) {
    throw new AppError("bad_request", 'This file contains NUL characters, so it is probably not saved as UTF-8 text (Excel\'s "Unicode text" is UTF-16). Save it as "CSV UTF-8" and import it again.');
  }
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ""), {
    header: true,
    skipEmptyLines: "greedy",
    transformHeader: (h) => h.trim().toLowerCase(),
  });
  const fields = parsed.meta.fields ?? [];
  if (!fields.includes("question") || !fields.includes("answer")) {
    throw new AppError("bad_request", 'The CSV needs a header row with "question" and "answer" columns.');
  }
  const fatal = parsed.errors.find((e) => e.type === "Quotes");
  if (fatal) throw new AppError("bad_request", `Row ${(fatal.row ?? 0) + 2}: ${fatal.message}.`);
  if (parsed.data.length > MAX_FAQ_IMPORT_ROWS) throw new AppError("bad_request", `The CSV has ${parsed.data.length} rows; import at most ${MAX_FAQ_IMPORT_ROWS} at a time.`);
  if (parsed.data.length === 0) throw new AppError("bad_request", "The CSV has no FAQ rows.");

  const problems: string[] = [];
  const out: FaqCsvRow[] = [];
  parsed.data.forEach((r, i) => {
    const row = i + 2; // the header is row 1
    const question = unescapeCell((r.question ?? "").trim());
    const answer = unescapeCell((r.answer ?? "").trim());
    if (!question) return void problems.push(`Row ${row}: the question is empty`);
    if (!answer) return void problems.push(`Row ${row}: the answer is empty`);
    if (question.length > 500) return void problems.push(`Row ${row}: the question is longer than 500 characters`);
    if (answer.length > 4000) return void problems.push(`Row ${row}: the answer is longer than 4000 characters`);
    try {
      out.push({ question, answer, enabled: parseEnabled(r.enabled, row) });
    } catch (err) {
      problems.push((err as Error).message.replace(/\.$/, ""));
    }
  });
  if (problems.length) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
    throw new AppError("bad_request", `${problems.slice(0, 5).join("; ")}${more}. Nothing was imported.`);
  }
  return out;
}
