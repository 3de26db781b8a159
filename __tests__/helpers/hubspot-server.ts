// A local stand-in for HubSpot's CRM v3 API on 127.0.0.1, speaking its shapes: contact search (filter
// groups OR-ed, filters AND-ed, EQ), create (409 on a taken email, as HubSpot answers), PATCH (404 for
// an unknown id), notes created with associations, GET contacts for a token check, 401 for a wrong
// token, and HubSpot's own rolling limit of 100 requests per 10 seconds per token (429 with its
// error body); failNext adds 429s or 5xx on demand.
import { startJsonServer, type JsonRequest, type JsonStandIn } from "./json-server";

type Obj = { id: string; properties: Record<string, string>; createdAt: string; updatedAt: string; archived: false };
type Note = Obj & { associations: { to: { id: string }; types: { associationCategory: string; associationTypeId: number }[] }[] };

export type HubspotStandIn = JsonStandIn & {
  token: string;
  contacts: Map<string, Obj>;
  notes: Note[];
  /** when each request arrived (Date.now() of this process) */
  times: number[];
  /** the most requests seen in any 10 s window */
  peakPer10s(): number;
};

const RATE_LIMIT_BODY = {
  status: "error",
  message: "You have reached your ten_secondly_rolling limit.",
  errorType: "RATE_LIMIT",
  correlationId: "c0ffee00-0000-4000-8000-000000000000",
  policyName: "TEN_SECONDLY_ROLLING",
};

export async function startHubspotServer(token = "pat-na1-11111111-2222-3333-4444-555555555555"): Promise<HubspotStandIn> {
  const contacts = new Map<string, Obj>();
  const notes: Note[] = [];
  const times: number[] = [];
  let nextId = 1001;
  const now = () => new Date().toISOString();
  const obj = (properties: Record<string, string>): Obj => ({ id: String(nextId++), properties, createdAt: now(), updatedAt: now(), archived: false });

  const route = (req: JsonRequest) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      return { status: 401, body: { status: "error", message: "Authentication credentials not found.", category: "INVALID_AUTHENTICATION" } };
    }
    const t = Date.now();
    times.push(t);
    if (times.filter((x) => x > t - 10_000).length > 100) return { status: 429, body: RATE_LIMIT_BODY };
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (req.method === "GET" && req.path === "/crm/v3/objects/contacts") {
      return { status: 200, body: { results: [...contacts.values()].slice(0, Number(req.query.get("limit") ?? 10)) } };
    }
    if (req.method === "POST" && req.path === "/crm/v3/objects/contacts/search") {
      const groups = (body.filterGroups ?? []) as { filters: { propertyName: string; operator: string; value: string }[] }[];
      const results = [...contacts.values()].filter((c) => groups.some((g) => g.filters.every((f) => f.operator === "EQ" && c.properties[f.propertyName] === f.value)));
      return { status: 200, body: { total: results.length, results } };
    }
    if (req.method === "POST" && req.path === "/crm/v3/objects/contacts") {
      const properties = (body.properties ?? {}) as Record<string, string>;
      const taken = properties.email && [...contacts.values()].find((c) => c.properties.email === properties.email);
      if (taken) return { status: 409, body: { status: "error", message: `Contact already exists. Existing ID: ${taken.id}`, category: "CONFLICT" } };
      const c = obj(properties);
      contacts.set(c.id, c);
      return { status: 201, body: c };
    }
    const patch = /^\/crm\/v3\/objects\/contacts\/(\d+)$/.exec(req.path);
    if (req.method === "PATCH" && patch) {
      const c = contacts.get(patch[1]!);
      if (!c) return { status: 404, body: { status: "error", message: "resource not found", category: "OBJECT_NOT_FOUND" } };
      Object.assign(c.properties, (body.properties ?? {}) as Record<string, string>);
      c.updatedAt = now();
      return { status: 200, body: c };
    }
    if (req.method === "POST" && req.path === "/crm/v3/objects/notes") {
      const associations = (body.associations ?? []) as Note["associations"];
      const missing = associations.find((a) => !contacts.has(a.to.id));
      if (missing) return { status: 400, body: { status: "error", message: `No contact with id ${missing.to.id}`, category: "VALIDATION_ERROR" } };
      const n: Note = { ...obj((body.properties ?? {}) as Record<string, string>), associations };
      notes.push(n);
      return { status: 201, body: { id: n.id, properties: n.properties, createdAt: n.createdAt, updatedAt: n.updatedAt, archived: false } };
    }
    return { status: 404, body: { status: "error", message: `No route ${req.method} ${req.path}` } };
  };

  const server = await startJsonServer(route);
  return Object.assign(server, {
    token,
    contacts,
    notes,
    times,
    peakPer10s: () => Math.max(0, ...times.map((t) => times.filter((x) => x > t - 10_000 && x <= t).length)),
  });
}

export { RATE_LIMIT_BODY };
