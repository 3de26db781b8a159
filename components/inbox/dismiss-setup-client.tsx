"use client";
import { useTransition } from "react";
import { X } from "lucide-react";
import { dismissSetupAction } from "@/app/(dashboard)/[business]/inbox/actions";

export function DismissSetupButton({ slug }: { slug: string }) {
  const [pending, start] = useTransition();
  return (
    <button
      type="button"
      disabled={pending}
      onClick={() => start(() => dismissSetupAction(slug))}
      className="rounded-md p-1 text-slate-500 hover:bg-slate-100 hover:text-slate-700"
      aria-label="Hide the set-up checklist"
      title="Hide the set-up checklist"
    >
      <X className="h-4 w-4" aria-hidden />
    </button>
  );
}
