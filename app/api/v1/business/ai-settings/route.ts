// GET /api/v1/business/ai-settings — The AI settings
// PATCH /api/v1/business/ai-settings — Update the AI settings
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/business/ai-settings"));
export const PATCH = apiRoute(endpointFor("PATCH", "/business/ai-settings"));
