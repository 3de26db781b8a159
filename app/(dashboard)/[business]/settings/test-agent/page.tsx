import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { Card } from "@/components/ui/card";
import { TestAgent } from "./test-agent-client";
import { SettingsNoAccess } from "../no-access";

export const metadata = { title: "Test your agent" };

export default async function TestAgentPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { business, ctx } = await memberContext(slug);
  // Each test answer is charged to the budget and shows its cost: owners' and admins' business.
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  return (
    <Card>
      <h2 className="mb-1 font-medium">Test your agent</h2>
      <p className="mb-4 text-sm text-slate-600">
        Chat as a customer of {business.name}. Each answer shows where it came from, what the agent looked at, and what it cost.
      </p>
      <TestAgent slug={slug} />
    </Card>
  );
}
