import { memberContext } from "@/lib/auth/member";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Inbox" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  await memberContext((await params).business);
  return <NotBuiltYet title="Inbox" what="The inbox (conversations from every channel, take-over and replies)" />;
}
