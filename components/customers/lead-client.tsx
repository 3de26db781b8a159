"use client";
// The lead card's stage menu: staff mark a lead won ("customer") or "lost", or hand it back to the score.
import { useState, useTransition } from "react";
import { NativeSelect } from "@/components/ui/field";
import { setLeadStageAction, type FormState } from "@/app/(dashboard)/[business]/customers/actions";

export function LeadStageMenu({ slug, id, staffStage }: { slug: string; id: string; staffStage: string | null }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<FormState>(null);
  return (
    <div className="flex items-center gap-2 text-sm">
      <label htmlFor="lead-stage" className="text-slate-600">
        Stage set by staff
      </label>
      <NativeSelect
        id="lead-stage"
        className="w-44"
        defaultValue={staffStage ?? ""}
        disabled={pending}
        onChange={(e) => start(async () => setResult(await setLeadStageAction(slug, id, e.target.value)))}
      >
        <option value="">None (follow the score)</option>
        <option value="customer">Customer</option>
        <option value="lost">Lost</option>
      </NativeSelect>
      {result?.error && (
        <span role="alert" className="text-xs text-red-600">
          {result.error}
        </span>
      )}
    </div>
  );
}
