import { memberContext } from "@/lib/auth/member";
import { readAiSettings } from "@/lib/ai/prompts";
import { Card } from "@/components/ui/card";
import { AiSettingsForm } from "./ai-settings-client";

export const metadata = { title: "AI settings" };

export default async function AiSettingsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { business } = await memberContext(slug);
  return (
    <Card>
      <h2 className="mb-1 font-medium">AI</h2>
      <p className="mb-4 text-sm text-slate-600">How the agent speaks, what it may talk about, when it hands over, and which model it uses.</p>
      <AiSettingsForm slug={slug} initial={readAiSettings(business.aiSettings)} businessTimeZone={business.timeZone} />
    </Card>
  );
}
