"use client";
import { useActionState } from "react";
import { unsubscribeAction, type UnsubscribeState } from "./actions";

export function UnsubscribeButton({ token, businessName }: { token: string; businessName: string }) {
  const [state, action, pending] = useActionState<UnsubscribeState, FormData>(unsubscribeAction, null);
  if (state?.done) return <p className="mt-4 text-sm" data-testid="unsubscribed">You&apos;re unsubscribed: {state.done} will not email you offers again.</p>;
  return (
    <form action={action} className="mt-4">
      <input type="hidden" name="token" value={token} />
      <p className="text-sm text-slate-600">Stop campaign emails from {businessName}. Replies to your own questions still reach you.</p>
      <button type="submit" disabled={pending} className="mt-4 rounded-md bg-teal-700 px-3.5 py-2 text-sm font-medium text-white hover:bg-teal-800 disabled:opacity-60">
        Unsubscribe
      </button>
      {state?.error && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
