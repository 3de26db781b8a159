"use client";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/field";
import { replayWebhookDeliveryAction, type WebhookState } from "../actions";

export function ReplayButton({ slug, deliveryId }: { slug: string; deliveryId: string }) {
  const [state, setState] = useState<WebhookState>(null);
  const [pending, start] = useTransition();
  return (
    <div className="flex flex-col items-end gap-1">
      <Button type="button" variant="secondary" disabled={pending} onClick={() => start(async () => setState(await replayWebhookDeliveryAction(slug, deliveryId)))}>
        {pending ? "Sending…" : "Replay"}
      </Button>
      <FormMessage state={state} />
    </div>
  );
}
