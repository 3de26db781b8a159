import { PageHeader } from "@/components/ui/card";

/** An honest placeholder for a dashboard section whose issue is still open. */
export function NotBuiltYet({ title, what }: { title: string; what: string }) {
  return (
    <div>
      <PageHeader title={title} />
      <p className="text-sm text-slate-600">{what} is not built yet.</p>
    </div>
  );
}
