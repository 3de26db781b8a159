// GET /api/v1/knowledge/articles/{article} — Get an article
// PATCH /api/v1/knowledge/articles/{article} — Edit an article
// DELETE /api/v1/knowledge/articles/{article} — Delete an article
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/knowledge/articles/{article}"));
export const PATCH = apiRoute(endpointFor("PATCH", "/knowledge/articles/{article}"));
export const DELETE = apiRoute(endpointFor("DELETE", "/knowledge/articles/{article}"));
