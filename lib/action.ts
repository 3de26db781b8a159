import "server-only";
// Server actions' error mapping: navigation (notFound, redirect) passes through; anything else
// becomes what the form shows. A form that names its fields gets each problem next to its field
// (fieldErrors) and a short summary on top; the top message never shows a schema path. A domain verb
// puts its own error next to a field with AppError's details: new AppError(code, message, { field: "email" }).
import { unstable_rethrow } from "next/navigation";
import { ZodError } from "zod";
import { AppError, toErrorBody } from "@/lib/errors";

/** The first problem with each field, keyed by the field's name in the form. */
export type FieldErrors = Record<string, string>;
export type FormState = { error?: string; ok?: string; link?: string; fieldErrors?: FieldErrors } | null;
export type ActionError = { error: string; fieldErrors?: FieldErrors };

/**
 * The fields a form shows. A list names them as the input's keys; a map renames an input path to the
 * form's field (`{ "settings.helpText": "helpText" }`). A problem's path is matched without its list
 * indexes ("tags.2" → "tags"), then by ever shorter prefixes ("hours.weekly.mon.open" → "hours").
 */
export type FormFields = readonly string[] | Readonly<Record<string, string>>;

type Problem = { path: string | null; message: string };

function problemsOf(err: unknown): Problem[] | null {
  if (err instanceof ZodError) {
    return err.issues.map((i) => {
      const path = i.path.filter((p) => typeof p === "string").join(".");
      return { path: path || null, message: i.message };
    });
  }
  if (err instanceof AppError && typeof err.details?.field === "string") return [{ path: err.details.field, message: err.message }];
  return null;
}

function fieldFor(path: string | null, fields: FormFields): string | null {
  if (!path) return null;
  const names: Readonly<Record<string, string>> = Array.isArray(fields)
    ? Object.fromEntries((fields as readonly string[]).map((f) => [f, f]))
    : (fields as Readonly<Record<string, string>>);
  for (let p = path; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    if (Object.hasOwn(names, p)) return names[p]!;
  }
  return null;
}

const stop = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);
/** One message as it is; several as sentences. */
const sentence = (messages: string[]) => {
  const unique = [...new Set(messages)].slice(0, 5);
  return unique.length === 1 ? unique[0]! : unique.map(stop).join(" ");
};

/** What a server action returns for a thrown error; pass `fields` to place problems next to them. */
export function actionError(err: unknown, fields?: FormFields): ActionError {
  unstable_rethrow(err);
  const problems = problemsOf(err);
  if (!problems) return { error: toErrorBody(err).body.error.message };
  if (!fields) return { error: sentence(problems.map((p) => p.message)) };

  const fieldErrors: FieldErrors = {};
  const unplaced: string[] = [];
  for (const p of problems) {
    const field = fieldFor(p.path, fields);
    if (field === null) unplaced.push(p.message);
    else fieldErrors[field] ??= p.message;
  }
  const n = Object.keys(fieldErrors).length;
  if (n === 0) return { error: sentence(unplaced) };
  const summary = n === 1 ? "Check the highlighted field." : `Check the ${n} highlighted fields.`;
  return { error: unplaced.length ? `${stop(sentence(unplaced))} ${summary}` : summary, fieldErrors };
}
