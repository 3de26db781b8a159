import { memberContext } from "@/lib/auth/member";
import { Card } from "@/components/ui/card";
import { ProfileForm } from "./profile-form-client";

export const metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { business } = await memberContext(slug);
  return (
    <Card>
      <h2 className="mb-4 font-medium">Business profile</h2>
      <ProfileForm
        slug={slug}
        initial={{ name: business.name, timeZone: business.timeZone, brandColor: business.brandColor, logoUrl: business.logoUrl ?? "" }}
        timeZones={Intl.supportedValuesOf("timeZone")}
      />
    </Card>
  );
}
