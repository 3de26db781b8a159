"use client";
import { useActionState, useState } from "react";
import { Field, Input, NativeSelect, SaveFooter } from "@/components/ui/field";
import { updateProfileAction } from "./actions";

type Profile = { name: string; timeZone: string; brandColor: string; logoUrl: string };

export function ProfileForm({ slug, initial, timeZones }: { slug: string; initial: Profile; timeZones: string[] }) {
  const [state, action, pending] = useActionState(updateProfileAction.bind(null, slug), null);
  // Controlled, so a refused save keeps what was typed (React resets uncontrolled fields after an action).
  const [values, setValues] = useState(initial);
  const set = (k: keyof Profile) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));
  const color = values.brandColor;
  const setColor = (c: string) => setValues((v) => ({ ...v, brandColor: c }));
  const zones = timeZones.includes(initial.timeZone) ? timeZones : [initial.timeZone, ...timeZones];
  return (
    <form action={action} className="space-y-4">
      <Field label="Name" htmlFor="name" error={state?.fieldErrors?.name}>
        <Input id="name" name="name" value={values.name} onChange={set("name")} required minLength={2} maxLength={80} />
      </Field>
      <Field label="Time zone" htmlFor="timeZone" error={state?.fieldErrors?.timeZone} hint="Business hours and reports use this time zone.">
        <NativeSelect id="timeZone" name="timeZone" value={values.timeZone} onChange={set("timeZone")}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field label="Brand colour" htmlFor="brandColor" error={state?.fieldErrors?.brandColor} hint="Used on your chat page and widget.">
        <div className="flex items-center gap-2">
          <input aria-label="Pick a colour" type="color" value={/^#[0-9a-f]{6}$/i.test(color) ? color : "#000000"} onChange={(e) => setColor(e.target.value)} className="h-9 w-12 rounded border border-slate-300" />
          <Input id="brandColor" name="brandColor" value={color} onChange={(e) => setColor(e.target.value)} pattern="#[0-9a-fA-F]{6}" />
        </div>
      </Field>
      <Field label="Logo URL" htmlFor="logoUrl" error={state?.fieldErrors?.logoUrl} hint="An https:// link to a square image. Leave empty for none.">
        <Input id="logoUrl" name="logoUrl" type="url" value={values.logoUrl} onChange={set("logoUrl")} placeholder="https://…" />
      </Field>
      <SaveFooter state={state} pending={pending} />
    </form>
  );
}
