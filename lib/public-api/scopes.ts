// What an API key may do: read or write, per resource. Shared by Settings → API (client) and the API.
export const API_RESOURCES = {
  business: "The business profile and its AI settings",
  customers: "Customers: list, profile, create and update, tags, block, merge, GDPR export and delete",
  conversations: "Conversations and messages: list, read, staff replies, hand-off, close",
  knowledge: "Knowledge articles and FAQs",
  analytics: "Costs and analytics figures",
} as const;
export type ApiResource = keyof typeof API_RESOURCES;

/** analytics is read-only: its figures come from what happens, not from the API. */
export const API_SCOPES = [
  "business:read",
  "business:write",
  "customers:read",
  "customers:write",
  "conversations:read",
  "conversations:write",
  "knowledge:read",
  "knowledge:write",
  "analytics:read",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A key with write on a resource may read it too. */
export function grants(scopes: readonly string[], needed: ApiScope): boolean {
  if (scopes.includes(needed)) return true;
  const [resource, access] = needed.split(":");
  return access === "read" && scopes.includes(`${resource}:write`);
}
