"use client";
// The interactive parts of a customer profile: verify, block, export, delete, details and merge.
import { useActionState, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input, Textarea, SaveFooter } from "@/components/ui/field";
import {
  deleteCustomerAction,
  mergeCustomerAction,
  setBlockedAction,
  setVerifiedAction,
  updateCustomerAction,
  type FormState,
} from "@/app/(dashboard)/[business]/customers/actions";

export function ProfileActions({ slug, id, verified, blocked, canManage, name }: { slug: string; id: string; verified: boolean; blocked: boolean; canManage: boolean; name: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<FormState>(null);
  const act = (fn: () => Promise<FormState>) =>
    start(async () => {
      const r = await fn();
      setResult(r);
      if (r?.ok) router.refresh();
    });
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" disabled={pending} onClick={() => act(() => setVerifiedAction(slug, id, !verified))}>
          {verified ? "Remove verification" : "Mark verified"}
        </Button>
        <Button variant={blocked ? "secondary" : "danger"} disabled={pending} onClick={() => act(() => setBlockedAction(slug, id, !blocked))}>
          {blocked ? "Unblock" : "Block"}
        </Button>
        {canManage && (
          <>
            <Button asChild variant="secondary">
              <a href={`/api/businesses/${slug}/customers/${id}/export`} download>
                Export data (JSON)
              </a>
            </Button>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() => {
                if (!confirm(`Delete ${name} and everything about them — identities, conversations, messages, memories and cached answers? This cannot be undone.`)) return;
                start(async () => {
                  const r = await deleteCustomerAction(slug, id);
                  if (r?.error) setResult(r);
                  else router.push(`/${slug}/customers?deleted=1`);
                });
              }}
            >
              Delete customer
            </Button>
          </>
        )}
      </div>
      <FormMessage state={result} />
    </div>
  );
}

export function DetailsForm({ slug, id, initial }: { slug: string; id: string; initial: { name: string; tags: string; notes: string } }) {
  const [state, action, pending] = useActionState(updateCustomerAction.bind(null, slug, id), null);
  const [values, setValues] = useState(initial);
  const set = (k: keyof typeof initial) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));
  return (
    <form action={action} className="space-y-3">
      <Field label="Name" htmlFor="customer-name" error={state?.fieldErrors?.name}>
        <Input id="customer-name" name="name" value={values.name} onChange={set("name")} maxLength={120} />
      </Field>
      <Field label="Tags" htmlFor="customer-tags" error={state?.fieldErrors?.tags} hint="Separate tags with commas, e.g. vip, nervous patient">
        <Input id="customer-tags" name="tags" value={values.tags} onChange={set("tags")} />
      </Field>
      <Field label="Notes" htmlFor="customer-notes" error={state?.fieldErrors?.notes} hint="Only your team sees notes.">
        <Textarea id="customer-notes" name="notes" rows={4} value={values.notes} onChange={set("notes")} maxLength={5000} />
      </Field>
      <SaveFooter state={state} pending={pending} />
    </form>
  );
}

type Candidate = { id: string; displayName: string; identities: { kind: string; value: string }[]; conversations: number };

export function MergePanel({ slug, targetId, targetName }: { slug: string; targetId: string; targetName: string }) {
  const router = useRouter();
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Candidate[] | null>(null);
  const [result, setResult] = useState<FormState>(null);
  const [pending, start] = useTransition();

  async function search(e: React.FormEvent) {
    e.preventDefault();
    setResult(null);
    const res = await fetch(`/api/businesses/${slug}/customers?q=${encodeURIComponent(q)}`, { cache: "no-store" });
    const body = await res.json();
    if (!res.ok) return setResult({ error: body?.error?.message ?? "The search failed." });
    setFound((body.rows as Candidate[]).filter((c) => c.id !== targetId));
  }

  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">Two records for one person? Find the other one and merge it into {targetName}: its identities, conversations, messages and memories move here, and it is deleted.</p>
      <form onSubmit={search} className="flex gap-2">
        <Input aria-label="Find the customer to merge" placeholder="Name, email or phone" value={q} onChange={(e) => setQ(e.target.value)} required maxLength={200} />
        <Button type="submit" variant="secondary">
          Find
        </Button>
      </form>
      {found && found.length === 0 && <p className="text-sm text-slate-600">No other customer matches. Emails and phone numbers must be typed in full.</p>}
      {found && found.length > 0 && (
        <ul className="divide-y divide-slate-200 rounded-md border border-slate-200">
          {found.slice(0, 10).map((c) => (
            <li key={c.id} className="flex items-center justify-between gap-2 px-3 py-2 text-sm">
              <span className="min-w-0">
                <span className="block truncate font-medium">{c.displayName}</span>
                <span className="block truncate text-xs text-slate-500">
                  {c.identities.map((i) => i.value).join(" · ") || "no contact details"} · {c.conversations} conversations
                </span>
              </span>
              <Button
                variant="secondary"
                disabled={pending}
                onClick={() => {
                  if (!confirm(`Merge ${c.displayName} into ${targetName}? This cannot be undone.`)) return;
                  start(async () => {
                    const r = await mergeCustomerAction(slug, targetId, c.id);
                    setResult(r);
                    if (r?.ok) {
                      setFound(null);
                      router.refresh();
                    }
                  });
                }}
              >
                Merge into this one
              </Button>
            </li>
          ))}
        </ul>
      )}
      <FormMessage state={result} />
    </div>
  );
}
