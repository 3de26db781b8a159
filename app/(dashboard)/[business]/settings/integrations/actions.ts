"use server";
// Settings → Integrations actions: the member context again on every call; the services check the role.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { connectHubspot, disconnectHubspot, HUBSPOT_FIELDS } from "@/lib/services/hubspot";

export async function connectHubspotAction(slug: string, input: { token?: unknown }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { queued } = await connectHubspot({ ctx, input });
    revalidatePath(`/${slug}/settings/integrations`);
    return { ok: `Connected. ${queued === 0 ? "New customers" : `${queued} customer${queued === 1 ? "" : "s"} with an email or phone, and new ones,`} will be added to HubSpot as contacts.` };
  } catch (err) {
    return actionError(err, HUBSPOT_FIELDS);
  }
}

export async function disconnectHubspotAction(slug: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await disconnectHubspot({ ctx });
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(`/${slug}/settings/integrations`);
  return { ok: "Disconnected. Nothing more is sent to HubSpot." };
}
