// GET /api/v1/customers/{customer} — Get a customer
// PATCH /api/v1/customers/{customer} — Update a customer
// DELETE /api/v1/customers/{customer} — Delete a customer (GDPR erasure)
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/customers/{customer}"));
export const PATCH = apiRoute(endpointFor("PATCH", "/customers/{customer}"));
export const DELETE = apiRoute(endpointFor("DELETE", "/customers/{customer}"));
