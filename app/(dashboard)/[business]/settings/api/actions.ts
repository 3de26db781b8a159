"use server";
// Settings → API: create and revoke the business's API keys. Each resolves the member context again,
// so the role is checked on every call (lib/services/api-keys.ts: owners and admins).
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type ActionError } from "@/lib/action";
import { createApiKey, revokeApiKey, type ApiKeyView } from "@/lib/services/api-keys";

export async function createApiKeyAction(
  slug: string,
  input: { name?: unknown; scopes?: unknown; expiresAt?: unknown },
): Promise<{ key: ApiKeyView; secret: string } | ActionError> {
  try {
    const { ctx } = await memberContext(slug);
    const created = await createApiKey({ ctx, input: { name: input?.name, scopes: input?.scopes, expiresAt: input?.expiresAt } });
    revalidatePath(`/${slug}/settings/api`);
    return created;
  } catch (err) {
    return actionError(err, ["name", "scopes", "expiresAt"]);
  }
}

export async function revokeApiKeyAction(slug: string, id: string): Promise<{ ok: string } | ActionError> {
  try {
    const { ctx } = await memberContext(slug);
    const key = await revokeApiKey({ ctx, input: { id } });
    revalidatePath(`/${slug}/settings/api`);
    return { ok: `${key.name} is revoked: requests with it are refused from now on.` };
  } catch (err) {
    return actionError(err);
  }
}
