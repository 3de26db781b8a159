import { notFound } from "next/navigation";
import { env } from "@/lib/env";
import { requireUser } from "@/lib/auth";
import { withService } from "@/lib/db/client";
import { listChannelOutbox, listSystemMail } from "@/lib/channels/outbox";

export const metadata = { title: "Dev outbox" };
export const dynamic = "force-dynamic";

/**
 * Embedded mode only: system mail (password resets, invitations) that would have been emailed, to
 * the signed-in person only (mail to their own address and their businesses' invitations), and what
 * their businesses' simulated channels sent.
 */
export default async function DevOutboxPage() {
  if (env().adapters.email !== "outbox" || env().adapters.database !== "pglite") notFound();
  const user = await requireUser({ next: "/dev/outbox" });
  const [mail, sent] = await withService(async (tx) => [await listSystemMail(tx, user), await listChannelOutbox(tx, user)] as const);
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <h1 className="text-xl font-semibold">Dev outbox</h1>
      <p className="mt-1 text-sm text-slate-600">
        No email leaves this machine in embedded mode. Password resets and invitations land here instead: mail to {user.email} and invitations of your
        businesses.
      </p>
      {mail.length === 0 ? (
        <p className="mt-6 text-sm text-slate-600">Nothing has been sent yet.</p>
      ) : (
        <ul className="mt-6 space-y-4">
          {mail.map((m) => (
            <li key={m.id} className="rounded-lg border border-slate-200 bg-white p-4">
              <p className="text-xs text-slate-500">
                {m.createdAt.toISOString()} · to {m.recipient}
              </p>
              <p className="mt-1 font-medium">{m.subject}</p>
              <pre className="mt-2 whitespace-pre-wrap break-all text-sm text-slate-700">{m.body}</pre>
            </li>
          ))}
        </ul>
      )}
      <h2 className="mt-10 text-lg font-semibold">Channel messages</h2>
      <p className="mt-1 text-sm text-slate-600">What simulated channels sent: answers, staff replies from the inbox and tests, as the customer would receive them.</p>
      {sent.length === 0 ? (
        <p className="mt-4 text-sm text-slate-600">Nothing has been sent on a channel yet.</p>
      ) : (
        <ul className="mt-4 space-y-3" aria-label="Channel messages">
          {sent.map((m) => (
            <li key={m.id} className="rounded-lg border border-slate-200 bg-white p-4">
              <p className="text-xs text-slate-500">
                {m.createdAt.toISOString()} · {m.business} · {m.channelKind}
                {m.kind === "staff_reply" ? " · staff reply" : ""} · to {m.recipient} · {m.status}
              </p>
              {m.subject && <p className="mt-1 font-medium">{m.subject}</p>}
              <pre className="mt-2 whitespace-pre-wrap break-all text-sm text-slate-700">{m.body}</pre>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
