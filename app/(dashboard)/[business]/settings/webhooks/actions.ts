"use server";
// Settings → Webhooks actions: each resolves the member context again, and the services check the role
// (owners and admins) and the business of every id.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import {
  ENDPOINT_FIELDS,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  replayWebhookDelivery,
  revealWebhookSecret,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from "@/lib/services/webhooks";

export type WebhookState = (NonNullable<FormState> & { secret?: string }) | null;

type EndpointForm = { url?: unknown; description?: unknown; events?: unknown };

export async function createWebhookEndpointAction(slug: string, input: EndpointForm): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    const { secret } = await createWebhookEndpoint({ ctx, input });
    revalidatePath(`/${slug}/settings/webhooks`);
    return { ok: "Endpoint added. Copy its signing secret now to verify our signatures (you can show it again later).", secret };
  } catch (err) {
    return actionError(err, ENDPOINT_FIELDS);
  }
}

export async function updateWebhookEndpointAction(slug: string, endpointId: string, changes: EndpointForm & { enabled?: unknown }): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    await updateWebhookEndpoint({ ctx, input: { id: endpointId, changes } });
  } catch (err) {
    return actionError(err, ENDPOINT_FIELDS);
  }
  revalidatePath(`/${slug}/settings/webhooks`);
  return { ok: "Saved." };
}

export async function deleteWebhookEndpointAction(slug: string, endpointId: string): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteWebhookEndpoint({ ctx, input: { id: endpointId } });
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(`/${slug}/settings/webhooks`);
  return { ok: "Endpoint deleted." };
}

export async function revealWebhookSecretAction(slug: string, endpointId: string): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    return { secret: (await revealWebhookSecret({ ctx, input: { id: endpointId } })).secret };
  } catch (err) {
    return actionError(err);
  }
}

export async function rotateWebhookSecretAction(slug: string, endpointId: string): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    const { secret } = await rotateWebhookSecret({ ctx, input: { id: endpointId } });
    revalidatePath(`/${slug}/settings/webhooks`);
    return { ok: "New secret made. For the next 24 hours every event is signed with both the new and the old secret.", secret };
  } catch (err) {
    return actionError(err);
  }
}

export async function replayWebhookDeliveryAction(slug: string, deliveryId: string): Promise<WebhookState> {
  try {
    const { ctx } = await memberContext(slug);
    const r = await replayWebhookDelivery({ ctx, input: { id: deliveryId } });
    revalidatePath(`/${slug}/settings/webhooks/log`);
    if (r.ok) return { ok: `Delivered: the endpoint answered ${r.status} in ${r.durationMs} ms.` };
    return { error: r.status !== null ? `The endpoint answered ${r.status}; the attempt is in the log.` : `No answer: ${r.error ?? "the request failed"}.` };
  } catch (err) {
    return actionError(err);
  }
}
