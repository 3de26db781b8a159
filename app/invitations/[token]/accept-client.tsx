"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { acceptInvitationAction } from "./actions";

export function AcceptInvitation({ token }: { token: string }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <div className="mt-4 space-y-3">
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <Button disabled={pending} onClick={() => start(async () => setError((await acceptInvitationAction(token)).error))}>
        {pending ? "Joining…" : "Accept invitation"}
      </Button>
    </div>
  );
}
