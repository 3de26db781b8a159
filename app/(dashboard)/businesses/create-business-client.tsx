"use client";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import { createBusinessAction } from "./actions";

export function CreateBusinessForm() {
  const [state, action, pending] = useActionState(createBusinessAction, null);
  // Controlled, so a refused name stays as typed (React resets uncontrolled fields after an action).
  const [name, setName] = useState("");
  // The browser's time zone is the best first guess; it can be changed in Settings.
  const submit = (form: FormData) => {
    form.set("timeZone", Intl.DateTimeFormat().resolvedOptions().timeZone);
    return action(form);
  };
  return (
    <form action={submit} className="space-y-4">
      <Field label="Business name" htmlFor="name" error={state?.fieldErrors?.name} hint="Customers see this name on your chat page.">
        <Input id="name" name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Riverside Dental" required minLength={2} maxLength={80} />
      </Field>
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create business"}
      </Button>
    </form>
  );
}
