import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { NoAccess } from "@/components/dashboard/no-access";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Costs" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  // Spending is owners' and admins' business; the dashboard, once built, loads it only after this.
  if (!isManager(ctx)) return <NoAccess slug={slug} section="Costs" reason="Only owners and admins can see what this business spends." />;
  return <NotBuiltYet title="Costs" what="The spending dashboard" />;
}
