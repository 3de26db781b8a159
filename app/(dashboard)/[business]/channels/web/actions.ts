"use server";
// Channels → Web chat: the greeting, the PrismAI mark and the websites allowed to embed the chat.
import { revalidatePath } from "next/cache";
import { memberContext } from "@/lib/auth/member";
import { actionError, type FormState } from "@/lib/action";
import { updateWebChat } from "@/lib/chat/web-channel";
import { recordSnippetCopied } from "@/lib/services/setup";

export async function updateWebChatAction(slug: string, input: { greeting: string; showPrismBranding: boolean; allowedOrigins: string }): Promise<FormState> {
  try {
    const { ctx } = await memberContext(slug);
    const { allowedOrigins } = await updateWebChat({ ctx, input });
    revalidatePath(`/${slug}/channels/web`);
    return { ok: allowedOrigins.length ? `Saved. The chat works on ${allowedOrigins.length} website${allowedOrigins.length === 1 ? "" : "s"} and on its own page.` : "Saved. Any website may embed the chat." };
  } catch (err) {
    return actionError(err, ["greeting", "allowedOrigins"]);
  }
}

/** The embed snippet was copied: the set-up checklist's "put the chat on your website" step. */
export async function snippetCopiedAction(slug: string): Promise<void> {
  const { ctx } = await memberContext(slug);
  await recordSnippetCopied({ ctx });
  revalidatePath(`/${slug}/inbox`);
}
