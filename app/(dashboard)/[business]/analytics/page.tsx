import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { NoAccess } from "@/components/dashboard/no-access";
import { NotBuiltYet } from "@/components/dashboard/not-built";

export const metadata = { title: "Analytics" };

export default async function Page({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  // Analytics include costs per answer and per channel: owners and admins only.
  if (!isManager(ctx)) return <NoAccess slug={slug} section="Analytics" reason="Only owners and admins can see this business's analytics." />;
  return <NotBuiltYet title="Analytics" what="Conversation analytics" />;
}
