// PATCH /api/v1/knowledge/faqs/{faq} — Edit an FAQ
// DELETE /api/v1/knowledge/faqs/{faq} — Delete an FAQ
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const PATCH = apiRoute(endpointFor("PATCH", "/knowledge/faqs/{faq}"));
export const DELETE = apiRoute(endpointFor("DELETE", "/knowledge/faqs/{faq}"));
