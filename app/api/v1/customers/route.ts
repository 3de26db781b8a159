// GET /api/v1/customers — List customers
// POST /api/v1/customers — Create a customer
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/customers"));
export const POST = apiRoute(endpointFor("POST", "/customers"));
