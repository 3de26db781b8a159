// Channels → Web chat: the chat page, the one-line embed snippet, who may embed it, a live preview.
import Link from "next/link";
import { ExternalLink } from "lucide-react";
import { memberContext } from "@/lib/auth/member";
import { withService } from "@/lib/db/client";
import { env } from "@/lib/env";
import { findWebChat } from "@/lib/chat/web-channel";
import { MANAGERS } from "@/lib/services/context";
import { Card, PageHeader } from "@/components/ui/card";
import { WebChatSettingsForm, CopySnippet } from "./web-chat-client";

export const metadata = { title: "Web chat" };
export const dynamic = "force-dynamic";

export default async function WebChatPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { business, ctx } = await memberContext(slug);
  const chat = await withService((tx) => findWebChat(tx, business.slug));
  const app = env().appUrl;
  const pageUrl = `${app}/chat/${business.slug}`;
  const snippet = `<script src="${app}/embed.js" data-business="${business.slug}" async></script>`;
  const canEdit = MANAGERS.includes(ctx.actor.role);

  return (
    <div className="max-w-5xl">
      <p className="mb-2 text-sm">
        <Link href={`/${business.slug}/channels`} className="text-teal-700 hover:underline">
          ← Channels
        </Link>
      </p>
      <PageHeader title="Web chat" description="Your customers chat with the assistant on your own chat page or in a bubble on your website. Your team sees every conversation in the inbox." />
      {!chat ? (
        <Card>
          <p className="text-sm text-slate-700">Web chat is turned off for this business.</p>
        </Card>
      ) : (
        // minmax(0, …): a grid track's minimum is otherwise its content's, and the one-line snippet
        // would stretch the page sideways instead of scrolling inside its box.
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_380px]">
          <div className="min-w-0 space-y-6">
            <Card className="space-y-3">
              <h2 className="font-medium text-slate-900">Your chat page</h2>
              <p className="text-sm text-slate-600">Link to it from anywhere: emails, social profiles, a QR code at reception.</p>
              <a href={pageUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 break-all font-mono text-sm text-teal-700 hover:underline">
                {pageUrl} <ExternalLink className="h-3.5 w-3.5 shrink-0" aria-hidden />
              </a>
            </Card>
            <Card className="space-y-3">
              <h2 className="font-medium text-slate-900">Add the chat to your website</h2>
              <p className="text-sm text-slate-600">
                Paste this line before <code className="rounded bg-slate-100 px-1">&lt;/body&gt;</code> on every page that should show the chat bubble.
              </p>
              <CopySnippet slug={business.slug} value={snippet} />
            </Card>
            <Card className="space-y-4">
              <h2 className="font-medium text-slate-900">Greeting and allowed websites</h2>
              <WebChatSettingsForm
                slug={business.slug}
                canEdit={canEdit}
                appOrigin={new URL(app).origin}
                initial={{ greeting: business.greeting, showPrismBranding: business.showPrismBranding, allowedOrigins: chat.settings.allowedOrigins.join("\n") }}
              />
            </Card>
          </div>
          <div className="min-w-0 space-y-2">
            <h2 className="font-medium text-slate-900">Live preview</h2>
            <p className="text-xs text-slate-500">This is the real chat: messages you send here arrive in your inbox like a customer&apos;s.</p>
            <iframe
              title="Chat preview"
              src={`/chat/${business.slug}?embed=1`}
              className="h-[600px] w-full max-w-[380px] rounded-2xl border border-slate-200 bg-white shadow-lg"
            />
          </div>
        </div>
      )}
    </div>
  );
}
