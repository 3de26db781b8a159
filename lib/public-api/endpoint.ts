// One endpoint of the public API: what the route runs and what the OpenAPI document says about it,
// from the same zod schemas.
import type { z } from "zod";
import type { ApiKeyCtx } from "@/lib/services/api-keys";
import type { ApiResource, ApiScope } from "./scopes";

export type Endpoint = {
  operationId: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI style, under /api/v1: "/customers/{customer}" (names match the route's [segments]) */
  path: string;
  resource: ApiResource;
  scope: ApiScope;
  summary: string;
  description?: string;
  /** each path parameter: a row id ("id": anything else is a 404) or free text */
  pathParams?: Record<string, { kind: "id" | "text"; description: string }>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** shown in the reference as the request example */
  example?: unknown;
  response: z.ZodType;
  /** the success status (200 unless said) */
  status?: number;
  maxBodyBytes?: number;
  /** `raw`: the JSON as sent, for a PATCH to tell the fields sent from those a schema filled with defaults */
  handler: (args: { ctx: ApiKeyCtx; params: Record<string, string>; query: Record<string, unknown>; body: unknown; raw: unknown }) => Promise<unknown>;
};

export const endpoint = (e: Endpoint) => e;
