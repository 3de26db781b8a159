import * as Label from "@radix-ui/react-label";
import { Children, cloneElement, isValidElement, type InputHTMLAttributes, type ReactElement, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { Button } from "./button";
import { cn } from "./cn";

const control =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-teal-600 focus:outline-none focus:ring-1 focus:ring-teal-600 aria-[invalid=true]:border-red-500 aria-[invalid=true]:ring-red-500";

type ControlProps = { id?: string; children?: ReactNode; "aria-describedby"?: string; "aria-invalid"?: boolean };

/** Finds the control whose id is `id` among `children` (however nested in plain elements) and gives it `extra`. */
function wire(children: ReactNode, id: string, extra: ControlProps): ReactNode {
  return Children.map(children, (child) => {
    if (!isValidElement<ControlProps>(child)) return child;
    if (child.props.id === id) {
      const describedBy = [child.props["aria-describedby"], extra["aria-describedby"]].filter(Boolean).join(" ") || undefined;
      return cloneElement(child as ReactElement<ControlProps>, { ...extra, "aria-describedby": describedBy });
    }
    if (child.props.children === undefined || typeof child.props.children === "function") return child;
    return cloneElement(child as ReactElement<ControlProps>, undefined, wire(child.props.children, id, extra));
  });
}

/**
 * A labelled control with its hint or its error beneath. The control (the child whose id is `htmlFor`)
 * is described by the hint or the error, and marked invalid while there is an error.
 */
export function Field({ label, htmlFor, hint, error, children }: { label: string; htmlFor: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  const hintId = `${htmlFor}-hint`;
  const errorId = `${htmlFor}-error`;
  const described = error ? errorId : hint ? hintId : undefined;
  return (
    <div className="space-y-1">
      <Label.Root htmlFor={htmlFor} className="block text-sm font-medium text-slate-700">
        {label}
      </Label.Root>
      {wire(children, htmlFor, { "aria-describedby": described, "aria-invalid": error ? true : undefined })}
      {hint && !error && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

/** For a control outside a Field: marks it invalid and described by its error line (<FieldError id=…>). */
export const invalidIf = (error: string | undefined, errorId: string) => (error ? { "aria-invalid": true as const, "aria-describedby": errorId } : {});

/** The error line of a control outside a Field. */
export function FieldError({ id, error, className }: { id: string; error?: string; className?: string }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className={cn("text-xs text-red-600", className)}>
      {error}
    </p>
  );
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cn(control, className)} {...props} />;
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cn(control, className)} {...props} />;
}

export function NativeSelect({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cn(control, className)} {...props} />;
}

export function FormMessage({ state }: { state?: { error?: string; ok?: string } | null }) {
  if (!state) return null;
  if (state.error)
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
        {state.error}
      </p>
    );
  if (state.ok)
    return (
      <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {state.ok}
      </p>
    );
  return null;
}

/** The end of a settings form: what the last save said, then Save. */
export function SaveFooter({ state, pending }: { state?: { error?: string; ok?: string } | null; pending: boolean }) {
  return (
    <>
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </>
  );
}
