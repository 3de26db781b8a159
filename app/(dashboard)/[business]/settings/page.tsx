import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { getBusinessProfile } from "@/lib/services/businesses";
import { Card } from "@/components/ui/card";
import { ProfileForm } from "./profile-form-client";
import { SettingsNoAccess } from "./no-access";

export const metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const profile = await getBusinessProfile({ ctx });
  return (
    <Card>
      <h2 className="mb-4 font-medium">Business profile</h2>
      <ProfileForm slug={slug} initial={profile} timeZones={Intl.supportedValuesOf("timeZone")} />
    </Card>
  );
}
