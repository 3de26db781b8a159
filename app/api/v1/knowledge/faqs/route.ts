// GET /api/v1/knowledge/faqs — List FAQs
// POST /api/v1/knowledge/faqs — Add an FAQ
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/knowledge/faqs"));
export const POST = apiRoute(endpointFor("POST", "/knowledge/faqs"));
