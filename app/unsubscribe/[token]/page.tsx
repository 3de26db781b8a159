// /unsubscribe/[token] — a campaign email's unsubscribe link: one button (a link scanner's GET changes
// nothing). A link we did not sign is not found.
import { notFound } from "next/navigation";
import { withService } from "@/lib/db/client";
import { findUnsubscribeLink } from "@/lib/campaigns/consent";
import { UnsubscribeButton } from "./unsubscribe-client";

export const metadata = { title: "Unsubscribe", robots: { index: false } };
export const dynamic = "force-dynamic";

export default async function UnsubscribePage({ params }: { params: Promise<{ token: string }> }) {
  // the token is base64url and hex: nothing in it is percent-encoded, and a malformed escape must
  // read as an unknown link (404), not throw
  const { token } = await params;
  const link = await withService((tx) => findUnsubscribeLink(tx, token));
  if (!link) notFound();
  return (
    <main className="mx-auto max-w-md px-4 py-16">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Unsubscribe from {link.businessName}</h1>
        {link.unsubscribed ? (
          <p className="mt-4 text-sm" data-testid="unsubscribed">
            You&apos;re unsubscribed: {link.businessName} will not email you offers again.
          </p>
        ) : (
          <UnsubscribeButton token={token} businessName={link.businessName} />
        )}
      </div>
    </main>
  );
}
