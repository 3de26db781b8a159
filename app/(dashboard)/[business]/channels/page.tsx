import { memberContext } from "@/lib/auth/member";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Channels" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  await memberContext((await params).business);
  return <NotBuiltYet title="Channels" what="Connecting web chat, SMS, WhatsApp, voice, email, Telegram and Instagram" />;
}
