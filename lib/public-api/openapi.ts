import "server-only";
// The OpenAPI 3.1 document of /api/v1, generated from the endpoints' zod schemas with zod 4's own
// z.toJSONSchema (JSON Schema 2020-12, which OpenAPI 3.1 uses as is): nothing here is written by hand
// but the words.
import { z } from "zod";
import { ENDPOINTS } from "./endpoints";
import type { Endpoint } from "./endpoint";
import { API_RESOURCES, API_SCOPES } from "./scopes";
import { ApiError } from "./schemas";
import { RATE_WINDOW_SECONDS } from "./handler";

type JsonSchema = Record<string, unknown>;

/** One schema as JSON Schema: what a client sends (input) or what it receives (output). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  void _drop;
  return rest;
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: jsonSchema(ApiError, "output") } } });

const RATE_HEADERS = {
  RateLimit: { description: 'What is left of the key\'s quota: `"per-key";r=<remaining>;t=<seconds until it resets>`', schema: { type: "string" } },
  "RateLimit-Policy": { description: `The key's quota: \`"per-key";q=<requests>;w=${RATE_WINDOW_SECONDS}\``, schema: { type: "string" } },
};

function parameters(e: Endpoint) {
  const out: JsonSchema[] = [];
  for (const [name, p] of Object.entries(e.pathParams ?? {})) {
    out.push({ name, in: "path", required: true, description: p.description, schema: p.kind === "id" ? { type: "string", format: "uuid" } : { type: "string" } });
  }
  if (e.query) {
    // What a parameter becomes once read (a number, an enum); one with a default need not be sent.
    const q = jsonSchema(e.query, "output") as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      out.push({ name, in: "query", required: (q.required ?? []).includes(name) && !("default" in schema), schema });
    }
  }
  if (e.method === "POST") {
    out.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Retry safely: the same key with the same body replays the first response; with another body it is a 422. Kept 24 hours.",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }
  return out;
}

function operation(e: Endpoint) {
  const status = String(e.status ?? 200);
  return {
    operationId: e.operationId,
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    tags: [e.resource],
    security: [{ apiKey: [e.scope] }],
    "x-scope": e.scope,
    parameters: parameters(e),
    ...(e.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(e.body, "input"), ...(e.example !== undefined ? { example: e.example } : {}) } } } }
      : {}),
    responses: {
      [status]: { description: "OK", headers: RATE_HEADERS, content: { "application/json": { schema: jsonSchema(e.response, "output") } } },
      "400": errorResponse("The request cannot be read: the message says what to send"),
      "401": errorResponse("No API key, or one that is unknown, revoked or expired"),
      "403": errorResponse("The key lacks this endpoint's scope"),
      "404": errorResponse("Not found (another business's rows are never found)"),
      ...(e.method === "POST" ? { "409": errorResponse("Conflicts with existing data, or the same Idempotency-Key is still in progress"), "422": errorResponse("Cannot be done as asked (e.g. an Idempotency-Key reused with another body)") } : {}),
      "429": { ...errorResponse("The key's rate limit: wait Retry-After seconds"), headers: { ...RATE_HEADERS, "Retry-After": { schema: { type: "integer" } } } },
    },
  };
}

export function openApiDocument(serverUrl = "/api/v1") {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ENDPOINTS) (paths[e.path] ??= {})[e.method.toLowerCase()] = operation(e);
  return {
    openapi: "3.1.0",
    info: {
      title: "PrismAI API",
      version: "1.0.0",
      description:
        "The business's own data and the dashboard's actions. Authenticate with an API key from Settings → API: `Authorization: Bearer prism_…`. Errors are `{ \"error\": { \"code\", \"message\" } }`. Campaigns and bookings are not in the API yet.",
    },
    servers: [{ url: serverUrl }],
    tags: Object.entries(API_RESOURCES).map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: `An API key. Scopes: ${API_SCOPES.join(", ")}; write includes read.` },
      },
    },
    paths,
  };
}
