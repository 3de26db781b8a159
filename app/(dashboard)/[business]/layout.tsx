import { memberContext } from "@/lib/auth/member";
import { withTenant } from "@/lib/db/client";
import { listUserBusinesses } from "@/lib/db/businesses";
import { isManager } from "@/lib/services/context";
import { BusinessSwitcher, DashboardNav } from "@/components/dashboard/nav-client";
import { SignOutButton } from "@/components/dashboard/sign-out-button";
import { HandoffNotifier } from "@/components/inbox/handoff-notifier-client";

export default async function DashboardLayout({ children, params }: { children: React.ReactNode; params: Promise<{ business: string }> }) {
  const { business: slug } = await params;
  const { user, business, ctx } = await memberContext(slug);
  const businesses = await withTenant(user.id, (tx) => listUserBusinesses(tx, user.id));
  return (
    <div className="min-h-screen md:flex">
      <aside className="border-b border-slate-200 bg-white p-3 md:sticky md:top-0 md:h-screen md:w-60 md:shrink-0 md:border-b-0 md:border-r">
        <div className="mb-3 flex items-center gap-2 md:block">
          <div className="flex-1">
            <BusinessSwitcher current={business.slug} businesses={businesses} />
          </div>
        </div>
        <DashboardNav slug={business.slug} manager={isManager(ctx)} />
        <div className="mt-4 hidden border-t border-slate-200 pt-3 md:block">
          <p className="truncate px-3 text-xs text-slate-500" title={user.email}>
            {user.email}
          </p>
          <SignOutButton />
        </div>
      </aside>
      <main className="min-w-0 flex-1 p-4 md:p-8">{children}</main>
      <HandoffNotifier slug={business.slug} />
    </div>
  );
}
