import Link from "next/link";
import { PageHeader } from "@/components/ui/card";

/**
 * What an agent sees on an owners-and-admins page. The page renders it itself, before loading anything,
 * so none of the page's data is in the response (a layout's check would not keep it out).
 */
export function NoAccess({ slug, section, reason, header = true }: { slug: string; section: string; reason: string; header?: boolean }) {
  return (
    <div role="alert">
      {header && <PageHeader title={section} />}
      <h2 className="text-lg font-medium">You don&apos;t have access to {section}</h2>
      <p className="mt-1 text-sm text-slate-600">
        {reason} You are signed in as an agent.{" "}
        <Link href={`/${slug}/inbox`} className="text-teal-700 hover:underline">
          Back to the inbox
        </Link>
      </p>
    </div>
  );
}
