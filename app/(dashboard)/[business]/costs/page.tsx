import { memberContext } from "@/lib/auth/member";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Costs" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  await memberContext((await params).business);
  return <NotBuiltYet title="Costs" what="The spending dashboard" />;
}
