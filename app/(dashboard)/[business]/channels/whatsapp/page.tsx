import { TwilioChannelPage } from "@/components/channels/twilio-channel-page";

export const metadata = { title: "WhatsApp · Channels" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  return <TwilioChannelPage slug={(await params).business} kind="whatsapp" />;
}
