import Link from "next/link";
import { requireUser } from "@/lib/auth";
import { withTenant } from "@/lib/db/client";
import { listUserBusinesses } from "@/lib/db/businesses";
import { Card } from "@/components/ui/card";
import { SignOutButton } from "@/components/dashboard/sign-out-button";
import { CreateBusinessForm } from "./create-business-client";

export const metadata = { title: "Your businesses" };

export default async function BusinessesPage() {
  const user = await requireUser({ next: "/businesses" });
  const list = await withTenant(user.id, (tx) => listUserBusinesses(tx, user.id));
  return (
    <main className="mx-auto max-w-xl px-4 py-10">
      <div className="mb-6 flex items-center justify-between">
        <h1 className="text-xl font-semibold">Your businesses</h1>
        <SignOutButton />
      </div>
      {list.length > 0 ? (
        <ul className="mb-8 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {list.map((b) => (
            <li key={b.id}>
              <Link href={`/${b.slug}/inbox`} className="flex items-center justify-between px-4 py-3 hover:bg-slate-50">
                <span className="font-medium">{b.name}</span>
                <span className="text-xs uppercase tracking-wide text-slate-500">{b.role}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : (
        <p className="mb-6 text-sm text-slate-600">You are not in any business yet. Create one, or open an invitation link you were sent.</p>
      )}
      <Card>
        <h2 className="mb-4 font-medium">Create a business</h2>
        <CreateBusinessForm />
      </Card>
    </main>
  );
}
