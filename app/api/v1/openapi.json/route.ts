// GET /api/v1/openapi.json — the API's OpenAPI 3.1 document, generated from its zod schemas. Public:
// it describes the API, never a business's data.
import { openApiDocument } from "@/lib/public-api/openapi";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } });
}
