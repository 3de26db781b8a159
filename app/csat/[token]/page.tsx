// /csat/[token] — the email survey's link: one question, five buttons. An unknown link is not found.
import { notFound } from "next/navigation";
import { findSurveyLink } from "@/lib/services/csat";
import { CsatButtons } from "./csat-client";

export const metadata = { title: "How did we do?", robots: { index: false } };
export const dynamic = "force-dynamic";

export default async function CsatPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const survey = await findSurveyLink(token);
  if (!survey) notFound();
  return (
    <main className="mx-auto max-w-md px-4 py-16">
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">How did {survey.businessName} do?</h1>
        {survey.rating !== null ? (
          <p className="mt-4 text-sm" data-testid="csat-thanks">
            Thank you for your rating ({survey.rating} of 5).
          </p>
        ) : (
          <CsatButtons token={token} />
        )}
      </div>
    </main>
  );
}
