import { NoAccess } from "@/components/dashboard/no-access";

/** Every settings page's answer to an agent (the layout above already shows the "Settings" title). */
export function SettingsNoAccess({ slug }: { slug: string }) {
  return <NoAccess slug={slug} section="Settings" header={false} reason="Only owners and admins can see or change this business's settings." />;
}
