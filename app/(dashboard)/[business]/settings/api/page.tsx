import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { listApiKeys } from "@/lib/services/api-keys";
import { ENDPOINTS } from "@/lib/public-api/endpoints";
import { openApiDocument } from "@/lib/public-api/openapi";
import { API_RESOURCES, API_SCOPES, type ApiResource } from "@/lib/public-api/scopes";
import { Card } from "@/components/ui/card";
import { SettingsNoAccess } from "../no-access";
import { ApiKeys } from "./api-keys-client";

export const metadata = { title: "API" };

type Param = { name: string; in: string; required: boolean; description?: string; schema: { type?: string | string[]; enum?: string[]; format?: string; minimum?: number; maximum?: number } };

/** "string", "integer 1–100", "one of: open, closed", as a person reads a parameter's schema. */
function typeOf(p: Param): string {
  const s = p.schema;
  if (s.enum) return `one of: ${s.enum.join(", ")}`;
  const base = Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
  const range = s.minimum !== undefined && s.maximum !== undefined ? ` ${s.minimum}–${s.maximum}` : "";
  return `${s.format ?? base}${range}`;
}

const METHOD_STYLE: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800",
  POST: "bg-teal-100 text-teal-800",
  PATCH: "bg-amber-100 text-amber-800",
  DELETE: "bg-red-100 text-red-800",
};

export default async function ApiSettingsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const keys = await listApiKeys({ ctx });
  const doc = openApiDocument();
  const resources = Object.keys(API_RESOURCES) as ApiResource[];

  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-medium">API keys</h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Keys let your own systems (a CRM, Zapier, a booking tool) use this business&apos;s data through the PrismAI API. A key belongs to the business, not to
          you: it keeps working if you leave the team, until it is revoked or expires. Send it as <code className="rounded bg-slate-100 px-1">Authorization: Bearer prism_…</code>.
        </p>
        <ApiKeys slug={slug} keys={keys} scopes={[...API_SCOPES]} resources={API_RESOURCES} />
      </Card>

      <Card>
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="font-medium">Reference</h2>
          <a className="text-sm text-teal-800 underline" href="/api/v1/openapi.json" target="_blank" rel="noreferrer">
            OpenAPI 3.1 document (openapi.json)
          </a>
        </div>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Base URL <code className="rounded bg-slate-100 px-1">/api/v1</code>. Errors are <code className="rounded bg-slate-100 px-1">{`{ "error": { "code", "message" } }`}</code>. Lists are
          newest first, a page at a time: pass <code className="rounded bg-slate-100 px-1">nextCursor</code> back as <code className="rounded bg-slate-100 px-1">cursor</code>. Every POST accepts an{" "}
          <code className="rounded bg-slate-100 px-1">Idempotency-Key</code> header, so a retry never does the work twice. Each key has its own rate limit, reported in the{" "}
          <code className="rounded bg-slate-100 px-1">RateLimit</code> and <code className="rounded bg-slate-100 px-1">RateLimit-Policy</code> headers. Campaigns and bookings are not in the API yet.
        </p>
        <div className="space-y-6">
          {resources
            .filter((r) => ENDPOINTS.some((e) => e.resource === r))
            .map((resource) => (
              <section key={resource} aria-labelledby={`api-${resource}`}>
                <h3 id={`api-${resource}`} className="text-sm font-semibold capitalize text-slate-900">
                  {resource}
                </h3>
                <p className="mb-2 text-xs text-slate-500">{API_RESOURCES[resource]}</p>
                <ul className="divide-y divide-slate-100 rounded-md border border-slate-200">
                  {ENDPOINTS.filter((e) => e.resource === resource).map((e) => {
                    const op = (doc.paths[e.path] as Record<string, { parameters: Param[] }>)[e.method.toLowerCase()]!;
                    const curl = [
                      `curl -X ${e.method} "$PRISMAI_URL/api/v1${e.path}"`,
                      `  -H "Authorization: Bearer $PRISMAI_API_KEY"`,
                      ...(e.body ? [`  -H "Content-Type: application/json"`, `  -d '${JSON.stringify(e.example ?? {})}'`] : []),
                    ].join(" \\\n");
                    return (
                      <li key={`${e.method} ${e.path}`}>
                        <details className="group px-3 py-2">
                          <summary className="flex cursor-pointer flex-wrap items-center gap-2 text-sm">
                            <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${METHOD_STYLE[e.method]}`}>{e.method}</span>
                            <code className="break-all font-mono text-xs text-slate-900">/api/v1{e.path}</code>
                            <span className="text-slate-600">{e.summary}</span>
                            <span className="ml-auto rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-600">{e.scope}</span>
                          </summary>
                          <div className="mt-2 space-y-3 text-sm">
                            {e.description && <p className="text-slate-600">{e.description}</p>}
                            {op.parameters.length > 0 && (
                              <table className="w-full text-left text-xs">
                                <thead className="text-slate-500">
                                  <tr>
                                    <th className="py-1 pr-3 font-medium">Parameter</th>
                                    <th className="py-1 pr-3 font-medium">In</th>
                                    <th className="py-1 pr-3 font-medium">Type</th>
                                    <th className="py-1 font-medium">Required</th>
                                  </tr>
                                </thead>
                                <tbody>
                                  {op.parameters.map((p) => (
                                    <tr key={`${p.in}:${p.name}`} className="border-t border-slate-100 align-top">
                                      <td className="py-1 pr-3 font-mono">{p.name}</td>
                                      <td className="py-1 pr-3">{p.in}</td>
                                      <td className="py-1 pr-3">
                                        {typeOf(p)}
                                        {p.description && <div className="text-slate-500">{p.description}</div>}
                                      </td>
                                      <td className="py-1">{p.required ? "yes" : "no"}</td>
                                    </tr>
                                  ))}
                                </tbody>
                              </table>
                            )}
                            <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">{curl}</pre>
                          </div>
                        </details>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
        </div>
      </Card>
    </div>
  );
}
