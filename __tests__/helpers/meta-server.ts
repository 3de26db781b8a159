// A local stand-in for Meta's Graph API sends: POST /v23.0/<node>/messages for Instagram's Send API and
// WhatsApp's Cloud API, with bearer auth per node, Instagram's messaging_type/tag rules (a tag only with
// MESSAGE_TAG, and on Instagram only HUMAN_AGENT), Meta's error envelope ({ error: { message, type,
// code, fbtrace_id } }) and the replies Meta documents ({ recipient_id, message_id } for Instagram;
// { messaging_product, contacts, messages: [{ id }] } for WhatsApp).
import crypto from "node:crypto";
import { startJsonServer, type JsonStandIn } from "./json-server";

export type MetaStandIn = JsonStandIn & {
  /** token accepted per node (an Instagram account id or a WhatsApp phone number id) */
  tokens: Map<string, { token: string; product: "instagram" | "whatsapp" }>;
};

export function metaError(status: number, code: number, message: string, type = "OAuthException") {
  return { status, body: { error: { message, type, code, fbtrace_id: crypto.randomBytes(8).toString("base64url") } } };
}

export async function startMetaServer(): Promise<MetaStandIn> {
  const tokens = new Map<string, { token: string; product: "instagram" | "whatsapp" }>();
  const server = await startJsonServer((req) => {
    const m = /^\/v\d+\.\d+\/(\d+)\/messages$/.exec(req.path);
    if (!m || req.method !== "POST") return metaError(400, 100, "Unsupported post request.", "GraphMethodException");
    const node = tokens.get(m[1]!);
    if (!node || req.headers.authorization !== `Bearer ${node.token}`) return metaError(401, 190, "Invalid OAuth access token - Cannot parse access token");
    if (req.headers["content-type"] !== "application/json") return metaError(400, 100, "(#100) Expected a JSON body");
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (node.product === "instagram") {
      const recipient = (body.recipient as { id?: string } | undefined)?.id;
      const text = (body.message as { text?: string } | undefined)?.text;
      if (!recipient) return metaError(400, 100, "(#100) The parameter recipient is required");
      if (!text || text.length > 1000) return metaError(400, 100, "(#100) Message text must be 1 to 1000 characters");
      // messaging_type RESPONSE (within 24 hours) or MESSAGE_TAG with tag HUMAN_AGENT (a person, within 7 days).
      const type = body.messaging_type;
      if (type !== undefined && type !== "RESPONSE" && type !== "UPDATE" && type !== "MESSAGE_TAG")
        return metaError(400, 100, "(#100) Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}");
      if (type === "MESSAGE_TAG" && body.tag !== "HUMAN_AGENT") return metaError(400, 100, "(#100) Param tag must be HUMAN_AGENT for Instagram messages");
      if (type !== "MESSAGE_TAG" && body.tag !== undefined) return metaError(400, 100, "(#100) Param tag is only allowed with messaging_type MESSAGE_TAG");
      return { status: 200, body: { recipient_id: recipient, message_id: `aWdfZAG1faXRlbTpJR01lc3NhZA${crypto.randomBytes(10).toString("hex")}` } };
    }
    if (body.messaging_product !== "whatsapp") return metaError(400, 100, "(#100) The parameter messaging_product is required.");
    const to = String(body.to ?? "");
    const text = (body.text as { body?: string } | undefined)?.body;
    if (!/^\d{6,20}$/.test(to)) return metaError(400, 131009, "(#131009) Parameter value is not valid");
    if (body.type !== "text" || !text) return metaError(400, 100, "(#100) Param text['body'] is required.");
    return {
      status: 200,
      body: { messaging_product: "whatsapp", contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.${crypto.randomBytes(24).toString("base64url")}` }] },
    };
  });
  return Object.assign(server, { tokens });
}
