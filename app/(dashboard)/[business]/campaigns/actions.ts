"use server";
// Campaigns page actions: each resolves the member context again; the verbs in lib/campaigns/service
// check the role (owners and admins) and the business of every id.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FieldErrors } from "@/lib/action";
import { CAMPAIGN_FIELDS, controlCampaign, countAudience, deleteSegment, previewCampaign, saveCampaign, saveSegment, startCampaign, type Preview } from "@/lib/campaigns/service";
import type { Estimate } from "@/lib/campaigns/send";

export type CampaignActionState = { error?: string; ok?: string; id?: string; fieldErrors?: FieldErrors } | null;

export async function countAudienceAction(slug: string, filter: unknown): Promise<{ count: number; sample: string[] } | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    return await countAudience({ ctx, input: filter });
  } catch (err) {
    return actionError(err);
  }
}

export async function saveSegmentAction(slug: string, input: { name?: unknown; filter?: unknown }): Promise<CampaignActionState> {
  try {
    const { ctx } = await memberContext(slug);
    const { id } = await saveSegment({ ctx, input });
    revalidatePath(`/${slug}/campaigns`);
    return { ok: "Segment saved.", id };
  } catch (err) {
    return actionError(err, ["name", "filter"]);
  }
}

export async function deleteSegmentAction(slug: string, segmentId: string): Promise<CampaignActionState> {
  try {
    const { ctx } = await memberContext(slug);
    await deleteSegment({ ctx, input: { id: segmentId } });
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(`/${slug}/campaigns`);
  return { ok: "Segment deleted." };
}

export async function saveCampaignAction(slug: string, campaignId: string | null, campaign: unknown): Promise<CampaignActionState> {
  try {
    const { ctx } = await memberContext(slug);
    const { id } = await saveCampaign({ ctx, input: { id: campaignId, campaign } });
    revalidatePath(`/${slug}/campaigns`);
    return { ok: "Draft saved. Preview it to see the messages and the cost before it starts.", id };
  } catch (err) {
    return actionError(err, CAMPAIGN_FIELDS);
  }
}

export async function previewCampaignAction(slug: string, campaignId: string): Promise<{ previews: Preview[]; estimate: Estimate; unknownVariables: string[] } | { error: string }> {
  try {
    const { ctx } = await memberContext(slug);
    return await previewCampaign({ ctx, input: { id: campaignId } });
  } catch (err) {
    return actionError(err);
  }
}

export async function startCampaignAction(slug: string, campaignId: string): Promise<CampaignActionState> {
  try {
    const { ctx } = await memberContext(slug);
    const { recipients, estimate } = await startCampaign({ ctx, input: { id: campaignId } });
    revalidatePath(`/${slug}/campaigns`);
    return { ok: `Started: ${recipients} recipients, about $${estimate.totalUsd.toFixed(2)}. Messages go out in batches at each recipient's allowed hours.` };
  } catch (err) {
    return actionError(err);
  }
}

export async function controlCampaignAction(slug: string, campaignId: string, action: string): Promise<CampaignActionState> {
  try {
    const { ctx } = await memberContext(slug);
    const { status } = await controlCampaign({ ctx, input: { id: campaignId, action } });
    revalidatePath(`/${slug}/campaigns`);
    return { ok: `The campaign is ${status}.` };
  } catch (err) {
    return actionError(err);
  }
}
