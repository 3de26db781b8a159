"use client";
import { useActionState } from "react";
import { rateSurveyAction, type CsatFormState } from "./actions";

export function CsatButtons({ token }: { token: string }) {
  const [state, action, pending] = useActionState<CsatFormState, FormData>(rateSurveyAction, null);
  if (state?.rating) return <p className="mt-4 text-sm" data-testid="csat-thanks">Thank you for your rating ({state.rating} of 5).</p>;
  return (
    <form action={action} className="mt-4">
      <input type="hidden" name="token" value={token} />
      <div className="flex gap-2">
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="submit"
            name="rating"
            value={n}
            disabled={pending}
            aria-label={`Rate ${n} of 5`}
            className="h-10 w-10 rounded-full border border-slate-300 font-medium hover:bg-slate-100 disabled:opacity-50"
          >
            {n}
          </button>
        ))}
      </div>
      <p className="mt-2 text-xs text-slate-500">1 is poor, 5 is excellent.</p>
      {state?.error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
