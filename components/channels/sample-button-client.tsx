"use client";
// One click to a channel the simulator can play: connects it (or every channel) with sample values.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { FlaskConical } from "lucide-react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/field";
import type { FormState } from "@/lib/action";
import { connectAllSamplesAction, connectSampleAction } from "@/app/(dashboard)/[business]/channels/sample-actions";

export function SampleButton({ slug, page, label }: { slug: string; page: string | "all"; label: string }) {
  const [state, setState] = useState<FormState>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  return (
    <div className="space-y-2">
      <Button
        type="button"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = page === "all" ? await connectAllSamplesAction(slug) : await connectSampleAction(slug, page);
            setState(r);
            if (r?.ok) router.refresh();
          })
        }
      >
        <FlaskConical className="h-4 w-4" aria-hidden /> {pending ? "Connecting…" : label}
      </Button>
      <FormMessage state={state} />
    </div>
  );
}
