// GET /api/v1/business — The business profile
// PATCH /api/v1/business — Update the business profile
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/business"));
export const PATCH = apiRoute(endpointFor("PATCH", "/business"));
