import Link from "next/link";
import { memberContext } from "@/lib/auth/member";
import { ZodError } from "zod";
import { AppError, zodMessage } from "@/lib/errors";
import { MANAGERS } from "@/lib/services/context";
import { CHANNEL_KINDS, listCustomerPage } from "@/lib/services/customers";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { Input, NativeSelect } from "@/components/ui/field";
import { CustomerTable } from "@/components/customers/customer-table-client";

export const metadata = { title: "Customers" };

type SearchParams = Record<string, string | string[] | undefined>;
const FILTER_KEYS = ["q", "tag", "channel", "trustMin", "trustMax", "blocked", "verified", "lastSeen", "stage", "sort"] as const;

function first(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? "";
}

function query(sp: SearchParams, page = 1): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (first(sp[k])) p.set(k, first(sp[k]));
  if (page > 1) p.set("page", String(page));
  const s = p.toString();
  return s ? `?${s}` : "";
}
const hrefWith = (slug: string, sp: SearchParams, page: number) => `/${slug}/customers${query(sp, page)}`;

export default async function CustomersPage({ params, searchParams }: { params: Promise<{ business: string }>; searchParams: Promise<SearchParams> }) {
  const { business: slug } = await params;
  const sp = await searchParams;
  const { ctx } = await memberContext(slug);
  const canExport = MANAGERS.includes(ctx.actor.role);

  let error: string | null = null;
  let data: Awaited<ReturnType<typeof listCustomerPage>> | null = null;
  try {
    data = await listCustomerPage({ ctx, input: sp });
  } catch (err) {
    if (!(err instanceof AppError) && !(err instanceof ZodError)) throw err;
    error = err instanceof AppError ? err.message : `Some filters are not valid: ${zodMessage(err)}`;
    data = await listCustomerPage({ ctx, input: {} });
  }
  const filtered = FILTER_KEYS.some((k) => first(sp[k]));
  const exportHref = `/api/businesses/${slug}/customers/export${query(sp)}`;

  return (
    <div className="max-w-6xl">
      <PageHeader title="Customers" description="Everyone who has contacted you, on every channel.">
        {canExport && data.total > 0 && (
          <Button asChild variant="secondary">
            <a href={exportHref} download>
              Export {filtered ? "matching" : "all"} as CSV
            </a>
          </Button>
        )}
      </PageHeader>
      {first(sp.deleted) && (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          The customer and everything about them were deleted.
        </p>
      )}

      <form method="get" className="mb-4 grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Search and filter customers">
        <Input name="q" aria-label="Search customers" placeholder="Name, full email or phone" defaultValue={first(sp.q)} className="sm:col-span-2" maxLength={200} />
        <NativeSelect name="tag" aria-label="Tag" defaultValue={first(sp.tag)}>
          <option value="">Any tag</option>
          {data.tags.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect name="channel" aria-label="Channel" defaultValue={first(sp.channel)}>
          <option value="">Any channel</option>
          {CHANNEL_KINDS.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </NativeSelect>
        <div className="flex items-center gap-2">
          <Input name="trustMin" type="number" min={0} max={100} aria-label="Lowest trust" placeholder="Trust from" defaultValue={first(sp.trustMin)} />
          <span className="text-slate-400">–</span>
          <Input name="trustMax" type="number" min={0} max={100} aria-label="Highest trust" placeholder="to" defaultValue={first(sp.trustMax)} />
        </div>
        <NativeSelect name="blocked" aria-label="Blocked" defaultValue={first(sp.blocked)}>
          <option value="">Blocked or not</option>
          <option value="yes">Blocked</option>
          <option value="no">Not blocked</option>
        </NativeSelect>
        <NativeSelect name="verified" aria-label="Verified" defaultValue={first(sp.verified)}>
          <option value="">Verified or not</option>
          <option value="yes">Verified</option>
          <option value="no">Not verified</option>
        </NativeSelect>
        <NativeSelect name="lastSeen" aria-label="Last seen" defaultValue={first(sp.lastSeen)}>
          <option value="">Seen any time</option>
          <option value="24h">Seen in the last 24 hours</option>
          <option value="7d">Seen in the last 7 days</option>
          <option value="30d">Seen in the last 30 days</option>
          <option value="90d">Seen in the last 90 days</option>
          <option value="older">Not seen for 90 days</option>
          <option value="never">Never seen</option>
        </NativeSelect>
        <NativeSelect name="stage" aria-label="Lead stage" defaultValue={first(sp.stage)}>
          <option value="">Any lead stage</option>
          <option value="new">New</option>
          <option value="qualified">Qualified</option>
          <option value="hot">Hot</option>
          <option value="customer">Customer</option>
          <option value="lost">Lost</option>
        </NativeSelect>
        <NativeSelect name="sort" aria-label="Sort" defaultValue={first(sp.sort)}>
          <option value="">Most recently seen first</option>
          <option value="lead">Highest lead score first</option>
        </NativeSelect>
        <div className="flex gap-2 sm:col-span-2 lg:col-span-4">
          <Button type="submit">Apply</Button>
          {filtered && (
            <Button asChild variant="ghost">
              <Link href={`/${slug}/customers`}>Clear filters</Link>
            </Button>
          )}
        </div>
      </form>

      {error && (
        <p role="alert" className="mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}

      {data.rows.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-8 text-center text-sm text-slate-600">
          {filtered && !error
            ? "No customer matches. Emails and phone numbers are stored encrypted, so type them in full."
            : "No customers yet. They appear here as soon as someone writes to you on any channel."}
        </p>
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600">
            {data.total} {data.total === 1 ? "customer" : "customers"}
            {filtered ? " match" : ""}
            {data.pages > 1 ? ` · page ${data.page} of ${data.pages}` : ""}
          </p>
          <CustomerTable slug={slug} rows={data.rows} canExport={canExport} />
          {data.pages > 1 && (
            <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
              {data.page > 1 ? (
                <Link className="text-teal-700 hover:underline" href={hrefWith(slug, sp, data.page - 1)}>
                  ← Previous
                </Link>
              ) : (
                <span />
              )}
              {data.page < data.pages && (
                <Link className="text-teal-700 hover:underline" href={hrefWith(slug, sp, data.page + 1)}>
                  Next →
                </Link>
              )}
            </nav>
          )}
        </>
      )}
    </div>
  );
}
