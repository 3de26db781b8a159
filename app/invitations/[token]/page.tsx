import Link from "next/link";
import { currentUser } from "@/lib/auth";
import { findInvitation } from "@/lib/services/members";
import { AcceptInvitation } from "./accept-client";

export const metadata = { title: "Invitation" };

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const found = await findInvitation(token);
  const user = await currentUser();
  const here = `/invitations/${token}`;
  return (
    <main className="mx-auto max-w-md px-4 py-16">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        {!found ? (
          <p>This invitation is invalid, already used or expired. Ask the person who invited you for a new one.</p>
        ) : (
          <>
            <h1 className="text-lg font-semibold">Join {found.business.name}</h1>
            <p className="mt-2 text-sm text-slate-600">
              You were invited as <strong>{found.invitation.role}</strong> ({found.invitation.email}).
            </p>
            {user ? (
              <AcceptInvitation token={token} />
            ) : (
              <p className="mt-4 text-sm">
                <Link className="text-teal-700 hover:underline" href={`/sign-up?next=${encodeURIComponent(here)}`}>
                  Create an account
                </Link>{" "}
                or{" "}
                <Link className="text-teal-700 hover:underline" href={`/sign-in?next=${encodeURIComponent(here)}`}>
                  sign in
                </Link>{" "}
                with {found.invitation.email} to accept.
              </p>
            )}
          </>
        )}
      </div>
    </main>
  );
}
