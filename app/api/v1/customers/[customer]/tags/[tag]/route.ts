// DELETE /api/v1/customers/{customer}/tags/{tag} — Remove a tag
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute(endpointFor("DELETE", "/customers/{customer}/tags/{tag}"));
