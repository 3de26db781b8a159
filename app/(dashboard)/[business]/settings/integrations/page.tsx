import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { getHubspotSettings } from "@/lib/services/hubspot";
import { Card } from "@/components/ui/card";
import { SettingsNoAccess } from "../no-access";
import { HubspotForm } from "./integrations-client";

export const metadata = { title: "Integrations" };

export default async function IntegrationsPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const hubspot = await getHubspotSettings({ ctx });
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="font-medium">HubSpot</h2>
        <p className="mt-1 text-sm text-slate-600">
          Customers with an email address or phone number are added to HubSpot as contacts (matched by email or phone, updated when they change), and every closed
          conversation adds a note with its summary to the customer&apos;s contact. Use a private app&apos;s access token with the contacts read and write scopes.
        </p>
        {hubspot.connected && (
          <ul className="mt-3 space-y-0.5 text-sm text-slate-600">
            <li>Connected with the token ending in {hubspot.tokenEnd}.</li>
            <li>Last sync: {hubspot.lastSyncedAt ? hubspot.lastSyncedAt.replace("T", " ").slice(0, 16) + " UTC" : "not yet"}.</li>
            <li>
              {hubspot.counts.done} sent, {hubspot.counts.pending} waiting, {hubspot.counts.skipped} skipped (no email or phone), {hubspot.counts.failed} failed.
            </li>
            {hubspot.lastError && <li className="text-red-700">{hubspot.lastError}</li>}
          </ul>
        )}
        <div className="mt-4">
          <HubspotForm slug={slug} connected={hubspot.connected} />
        </div>
      </Card>
    </div>
  );
}
