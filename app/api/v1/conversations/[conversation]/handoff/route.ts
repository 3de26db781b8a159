// POST /api/v1/conversations/{conversation}/handoff — Hand to a person
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const POST = apiRoute(endpointFor("POST", "/conversations/{conversation}/handoff"));
