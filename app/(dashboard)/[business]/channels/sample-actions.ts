"use server";
// "Try it with a sample number": each resolves the member context again, so roles are enforced on every call.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { connectAllSamples, connectSampleChannel } from "@/lib/channels/common/samples";

export async function connectSampleAction(slug: string, page: string): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    await connectSampleChannel({ ctx, input: { page } });
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(`/${slug}/channels`, "layout");
  return { ok: "Connected with sample values: the Channel simulator is ready." };
}

export async function connectAllSamplesAction(slug: string): Promise<FormState> {
  let count = 0;
  try {
    const { ctx } = await memberContext(slug);
    count = (await connectAllSamples({ ctx })).connected.length;
  } catch (err) {
    return actionError(err);
  }
  revalidatePath(`/${slug}/channels`, "layout");
  return { ok: count ? `Connected ${count} channel${count === 1 ? "" : "s"} with sample values: open one to play a customer.` : "Every channel is already connected." };
}
