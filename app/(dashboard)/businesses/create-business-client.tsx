"use client";
import { useActionState, useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import { createBusinessAction } from "./actions";

export function CreateBusinessForm() {
  const [state, action, pending] = useActionState(createBusinessAction, null);
  const [tz, setTz] = useState("");
  useEffect(() => setTz(Intl.DateTimeFormat().resolvedOptions().timeZone), []);
  return (
    <form action={action} className="space-y-4">
      <Field label="Business name" htmlFor="name" hint="Customers see this name on your chat page.">
        <Input id="name" name="name" placeholder="e.g. Riverside Dental" required minLength={2} maxLength={80} />
      </Field>
      <input type="hidden" name="timeZone" value={tz} />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create business"}
      </Button>
    </form>
  );
}
