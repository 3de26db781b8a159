import { MessagingChannelPage } from "@/components/channels/messaging-channel-page";

export const metadata = { title: "Instagram · Channels" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  return <MessagingChannelPage slug={(await params).business} type="instagram" />;
}
