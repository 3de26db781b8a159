// GET /api/v1/conversations/{conversation}/messages — A conversation's messages
// POST /api/v1/conversations/{conversation}/messages — Send a staff reply or a note
// (lib/public-api/endpoints.ts: the verb it calls, its scope, schemas and OpenAPI entry)
import { apiRoute } from "@/lib/public-api/handler";
import { endpointFor } from "@/lib/public-api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpointFor("GET", "/conversations/{conversation}/messages"));
export const POST = apiRoute(endpointFor("POST", "/conversations/{conversation}/messages"));
