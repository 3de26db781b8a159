import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { PageHeader } from "@/components/ui/card";
import { SettingsTabs } from "./settings-tabs-client";

// Access is decided by each page and by every loader it calls, never here: Next renders a layout and
// its page side by side, so a page's data would reach the browser whatever the layout returned.
// Agents see only the tabs they can open (their own notifications).
export default async function SettingsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  return (
    <div>
      <PageHeader title="Settings" />
      <SettingsTabs slug={slug} manager={isManager(ctx)} />
      <div className="mt-6 max-w-2xl">{children}</div>
    </div>
  );
}
