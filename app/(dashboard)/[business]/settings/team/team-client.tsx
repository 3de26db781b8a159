"use client";
import { useActionState, useTransition, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, NativeSelect } from "@/components/ui/field";
import { changeRoleAction, inviteMemberAction, removeMemberAction, revokeInvitationAction, type FormState } from "../actions";

export function InviteForm({ slug, canInviteAdmins, showLink }: { slug: string; canInviteAdmins: boolean; showLink: boolean }) {
  // Controlled, so a refused address stays as typed (React resets uncontrolled fields after an action);
  // cleared once the invitation is sent.
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("agent");
  const [state, action, pending] = useActionState(async (prev: FormState, form: FormData) => {
    const result = await inviteMemberAction(slug, prev, form);
    if (result?.ok) setEmail("");
    return result;
  }, null);
  return (
    <form action={action} className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_10rem]">
        <Field label="Email" htmlFor="invite-email" error={state?.fieldErrors?.email}>
          <Input id="invite-email" name="email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </Field>
        <Field label="Role" htmlFor="invite-role" error={state?.fieldErrors?.role}>
          <NativeSelect id="invite-role" name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="agent">Agent</option>
            {canInviteAdmins && <option value="admin">Admin</option>}
          </NativeSelect>
        </Field>
      </div>
      <FormMessage state={state} />
      {state?.link && showLink && (
        <p className="break-all text-xs text-slate-600">
          Embedded mode sends no email; the invitation is in the dev outbox. Link:{" "}
          <a className="text-teal-700 underline" href={state.link} data-testid="invitation-link">
            {state.link}
          </a>
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Sending…" : "Send invitation"}
      </Button>
    </form>
  );
}

export function MemberRow({
  slug,
  member,
  canEdit,
  canRemove,
}: {
  slug: string;
  member: { id: string; email: string; name: string | null; role: string };
  canEdit: boolean;
  canRemove: boolean;
}) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<FormState>(null);
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 py-2">
      <div className="min-w-0">
        <p className="truncate text-sm font-medium">{member.name ?? member.email}</p>
        <p className="truncate text-xs text-slate-500">{member.email}</p>
        {result?.error && <p className="text-xs text-red-600" role="alert">{result.error}</p>}
      </div>
      <div className="flex items-center gap-2">
        {canEdit ? (
          <NativeSelect
            aria-label={`Role of ${member.email}`}
            className="w-28"
            defaultValue={member.role}
            disabled={pending}
            onChange={(e) => start(async () => setResult(await changeRoleAction(slug, member.id, e.target.value)))}
          >
            <option value="owner">Owner</option>
            <option value="admin">Admin</option>
            <option value="agent">Agent</option>
          </NativeSelect>
        ) : (
          <span className="text-xs uppercase tracking-wide text-slate-500">{member.role}</span>
        )}
        {canRemove && (
          <Button
            variant="ghost"
            disabled={pending}
            onClick={() => {
              if (confirm(`Remove ${member.email} from this business?`)) start(async () => setResult(await removeMemberAction(slug, member.id)));
            }}
          >
            Remove
          </Button>
        )}
      </div>
    </li>
  );
}

export function PendingInvitation({ slug, invitation }: { slug: string; invitation: { id: string; email: string; role: string; expiresAt: string } }) {
  const [pending, start] = useTransition();
  return (
    <li className="flex items-center justify-between py-2 text-sm">
      <span>
        {invitation.email} <span className="text-xs text-slate-500">as {invitation.role}</span>
      </span>
      <Button variant="ghost" disabled={pending} onClick={() => start(async () => void (await revokeInvitationAction(slug, invitation.id)))}>
        Revoke
      </Button>
    </li>
  );
}
