// The setup checklist in a new business's inbox: five steps that tick themselves from real data
// (lib/services/setup), each a link to where it is done, until all are done or it is dismissed.
import Link from "next/link";
import { CheckCircle2, Circle } from "lucide-react";
import type { SetupChecklist as Checklist } from "@/lib/services/setup";
import { cn } from "@/components/ui/cn";
import { DismissSetupButton } from "./dismiss-setup-client";

export function SetupChecklist({ slug, checklist }: { slug: string; checklist: Checklist }) {
  const { steps, done } = checklist;
  return (
    <section aria-labelledby="setup-title" className="w-full max-w-lg rounded-lg border border-slate-200 bg-white p-5 text-left shadow-sm" data-testid="setup-checklist">
      <div className="flex items-start justify-between gap-3">
        <div>
          <h2 id="setup-title" className="font-semibold text-slate-900">
            Get ready for your first customers
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">
            {done} of {steps.length} done. Conversations from every channel will arrive here.
          </p>
        </div>
        <DismissSetupButton slug={slug} />
      </div>
      <div className="mt-3 h-1.5 rounded-full bg-slate-100" role="progressbar" aria-label="Set-up progress" aria-valuemin={0} aria-valuemax={steps.length} aria-valuenow={done}>
        <div className="h-1.5 rounded-full bg-teal-600" style={{ width: `${(done / steps.length) * 100}%` }} />
      </div>
      <ol className="mt-4 space-y-1">
        {steps.map((step) => (
          <li key={step.id}>
            <Link href={step.href} className="flex gap-3 rounded-md p-2 hover:bg-slate-50" data-testid={`setup-step-${step.id}`} data-done={step.done ? "true" : "false"}>
              {step.done ? (
                <CheckCircle2 className="mt-0.5 h-5 w-5 shrink-0 text-teal-600" aria-label="Done" />
              ) : (
                <Circle className="mt-0.5 h-5 w-5 shrink-0 text-slate-300" aria-label="To do" />
              )}
              <span className="min-w-0">
                <span className={cn("block text-sm font-medium", step.done ? "text-slate-500 line-through" : "text-slate-900")}>{step.label}</span>
                {!step.done && <span className="block text-xs text-slate-600">{step.hint}</span>}
              </span>
            </Link>
          </li>
        ))}
      </ol>
    </section>
  );
}
