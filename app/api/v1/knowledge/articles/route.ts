// GET /api/v1/knowledge/articles — List knowledge articles
// POST /api/v1/knowledge/articles — Write an article
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/knowledge/articles"));
export const POST = apiRoute(endpointFor("POST", "/knowledge/articles"));
