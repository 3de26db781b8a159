import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { MANAGERS } from "@/lib/services/context";
import { PageHeader } from "@/components/ui/card";
import { SettingsTabs } from "./settings-tabs-client";

export default async function SettingsLayout({ children, params }: { children: React.ReactNode; params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!MANAGERS.includes(ctx.actor.role)) {
    return (
      <div role="alert">
        <PageHeader title="Settings" />
        <h2 className="text-lg font-medium">You don&apos;t have access to Settings</h2>
        <p className="mt-1 text-sm text-slate-600">
          Only owners and admins can change this business&apos;s settings. You are signed in as an agent.{" "}
          <Link href={`/${slug}/inbox`} className="text-teal-700 hover:underline">
            Back to the inbox
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div>
      <PageHeader title="Settings" />
      <SettingsTabs slug={slug} />
      <div className="mt-6 max-w-2xl">{children}</div>
    </div>
  );
}
