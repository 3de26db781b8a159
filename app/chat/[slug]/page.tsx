// /chat/[slug] — the business's public chat page, in its name, logo, colours and greeting; also the
// widget's frame (?embed=1). No PrismAI mark unless the business keeps it.
import { cache } from "react";
import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { env } from "@/lib/env";
import { openState, readAiSettings } from "@/lib/ai/prompts";
import { originAllowed } from "@/lib/chat/origins";
import { findWebChat } from "@/lib/chat/web-channel";
import { ChatClient } from "@/components/chat/chat-client";

export const dynamic = "force-dynamic";

const load = cache(async (slug: string) => findWebChat(await getDb(), slug));

const colour = (c: string) => (/^#[0-9a-fA-F]{6}$/.test(c) ? c : "#0f766e");
const safeUrl = (u: string | null) => (u && /^https?:\/\/\S+$/.test(u) ? u : null);

/** A round favicon in the brand colour, so the tab carries the business's mark and not ours. */
function dotIcon(hex: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="${hex}"/></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

type Props = { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const chat = await load((await params).slug);
  if (!chat) return { title: { absolute: "Chat not found" }, robots: { index: false } };
  const { business } = chat;
  return {
    title: { absolute: `Chat with ${business.name}` },
    description: business.greeting,
    icons: { icon: safeUrl(business.logoUrl) ?? dotIcon(colour(business.brandColor)) },
    robots: { index: false },
  };
}

export async function generateViewport({ params }: Props): Promise<Viewport> {
  const chat = await load((await params).slug);
  return { width: "device-width", initialScale: 1, themeColor: chat ? colour(chat.business.brandColor) : undefined };
}

export default async function ChatPage({ params, searchParams }: Props) {
  const { slug } = await params;
  const chat = await load(slug);
  if (!chat) notFound();
  const embed = (await searchParams).embed === "1";
  const { business, settings } = chat;
  const appOrigin = new URL(env().appUrl).origin;

  // A first refusal from the Referer the browser sent with the frame request; the page checks again
  // in the browser (location.ancestorOrigins), which the embedding site cannot suppress.
  const h = await headers();
  const host = h.get("host");
  const own = [appOrigin, ...(host ? [`${h.get("x-forwarded-proto") ?? "http"}://${host}`] : [])];
  let referrer: string | null = null;
  try {
    referrer = h.get("referer") ? new URL(h.get("referer")!).origin : null;
  } catch {
    referrer = null;
  }
  if (embed && referrer && !originAllowed(referrer, settings.allowedOrigins, own)) {
    return <main className="flex h-[100dvh] items-center justify-center bg-white p-6 text-center text-sm text-slate-600">This chat isn&apos;t available on this website.</main>;
  }

  const hours = openState(readAiSettings(business.aiSettings).hours, business.timeZone);
  return (
    <ChatClient
      slug={slug}
      embed={embed}
      appOrigin={appOrigin}
      allowedOrigins={settings.allowedOrigins}
      branding={{
        name: business.name,
        logoUrl: safeUrl(business.logoUrl),
        brandColor: colour(business.brandColor),
        greeting: business.greeting,
        showPrismBranding: business.showPrismBranding,
      }}
      initialState={{ status: "new", hours: { open: hours.open, next: hours.next ?? null } }}
    />
  );
}
