import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { getAiSettings } from "@/lib/services/ai-settings";
import { Card } from "@/components/ui/card";
import { AiSettingsForm } from "./ai-settings-client";
import { SettingsNoAccess } from "../no-access";

export const metadata = { title: "AI settings" };

export default async function AiSettingsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const { settings, timeZone } = await getAiSettings({ ctx });
  return (
    <Card>
      <h2 className="mb-1 font-medium">AI</h2>
      <p className="mb-4 text-sm text-slate-600">How the agent speaks, what it may talk about, when it hands over, and which model it uses.</p>
      <AiSettingsForm slug={slug} initial={settings} businessTimeZone={timeZone} />
    </Card>
  );
}
