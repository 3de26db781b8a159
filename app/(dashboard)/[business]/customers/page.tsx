import { memberContext } from "@/lib/auth/member";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Customers" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  await memberContext((await params).business);
  return <NotBuiltYet title="Customers" what="The customer list and profiles" />;
}
