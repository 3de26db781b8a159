import { memberContext } from "@/lib/auth/member";
import { isManager } from "@/lib/services/context";
import { listTeam } from "@/lib/services/members";
import { env } from "@/lib/env";
import { Card } from "@/components/ui/card";
import { InviteForm, MemberRow, PendingInvitation } from "./team-client";
import { SettingsNoAccess } from "../no-access";

export const metadata = { title: "Team" };

export default async function TeamPage({ params }: { params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { ctx, user } = await memberContext(slug);
  if (!isManager(ctx)) return <SettingsNoAccess slug={slug} />;
  const { members: team, invitations: pending } = await listTeam({ ctx });
  const isOwner = ctx.actor.role === "owner";
  return (
    <div className="space-y-6">
      <Card>
        <h2 className="mb-3 font-medium">Members</h2>
        <ul className="divide-y divide-slate-200">
          {team.map((m) => (
            <MemberRow
              key={m.id}
              slug={slug}
              member={{ id: m.id, email: m.email, name: m.name, role: m.role }}
              canEdit={isOwner && m.userId !== user.id}
              canRemove={m.userId !== user.id && (isOwner || m.role === "agent")}
            />
          ))}
        </ul>
      </Card>
      <Card>
        <h2 className="mb-3 font-medium">Invite a member</h2>
        <InviteForm slug={slug} canInviteAdmins={isOwner} showLink={env().adapters.email === "outbox"} />
        {pending.length > 0 && (
          <>
            <h3 className="mb-2 mt-6 text-sm font-medium text-slate-700">Pending invitations</h3>
            <ul className="divide-y divide-slate-200">
              {pending.map((i) => (
                <PendingInvitation key={i.id} slug={slug} invitation={{ id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt.toISOString() }} />
              ))}
            </ul>
          </>
        )}
      </Card>
    </div>
  );
}
