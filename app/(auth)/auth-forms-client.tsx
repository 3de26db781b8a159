"use client";
import Link from "next/link";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field, FormMessage, Input } from "@/components/ui/field";
import { forgotPasswordAction, resetPasswordAction, signInAction, signUpAction } from "./actions";

export function SignInForm({ next, magicLink }: { next?: string; magicLink: boolean }) {
  const [state, action, pending] = useActionState(signInAction, null);
  const [mode, setMode] = useState<"password" | "magic">("password");
  const [email, setEmail] = useState("");
  return (
    <form action={action} className="space-y-4">
      <h1 className="text-lg font-semibold">Sign in</h1>
      <input type="hidden" name="next" value={next ?? ""} />
      <input type="hidden" name="mode" value={mode} />
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      {mode === "password" && (
        <Field label="Password" htmlFor="password">
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </Field>
      )}
      <FormMessage state={state} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : mode === "magic" ? "Email me a link" : "Sign in"}
      </Button>
      {magicLink && (
        <button type="button" className="w-full text-sm text-teal-700 hover:underline" onClick={() => setMode(mode === "magic" ? "password" : "magic")}>
          {mode === "magic" ? "Use a password instead" : "Email me a sign-in link instead"}
        </button>
      )}
      <div className="flex justify-between text-sm">
        <Link href="/forgot-password" className="text-teal-700 hover:underline">
          Forgot password?
        </Link>
        <Link href={next ? `/sign-up?next=${encodeURIComponent(next)}` : "/sign-up"} className="text-teal-700 hover:underline">
          Create an account
        </Link>
      </div>
    </form>
  );
}

export function SignUpForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState(signUpAction, null);
  // Controlled, so a refused submission (React resets uncontrolled fields) keeps what was typed.
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  return (
    <form action={action} className="space-y-4">
      <h1 className="text-lg font-semibold">Create your account</h1>
      <input type="hidden" name="next" value={next ?? ""} />
      <Field label="Your name" htmlFor="name">
        <Input id="name" name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Password" htmlFor="password" hint="At least 8 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required />
      </Field>
      <FormMessage state={state} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating…" : "Create account"}
      </Button>
      <p className="text-center text-sm">
        Already have an account?{" "}
        <Link href={next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in"} className="text-teal-700 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}

export function ForgotPasswordForm({ devOutbox }: { devOutbox: boolean }) {
  const [state, action, pending] = useActionState(forgotPasswordAction, null);
  return (
    <form action={action} className="space-y-4">
      <h1 className="text-lg font-semibold">Reset your password</h1>
      <Field label="Email" htmlFor="email">
        <Input id="email" name="email" type="email" autoComplete="email" required />
      </Field>
      <FormMessage state={state} />
      {state?.ok && devOutbox && (
        <p className="text-sm text-slate-600">
          No email leaves this machine in embedded mode: the link waits in this server&apos;s outbox for whoever runs it. The{" "}
          <Link href="/dev/outbox" className="text-teal-700 hover:underline">
            dev outbox
          </Link>{" "}
          shows each account only its own mail, once signed in.
        </p>
      )}
      <Button type="submit" className="w-full" disabled={pending}>
        Send reset link
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, null);
  return (
    <form action={action} className="space-y-4">
      <h1 className="text-lg font-semibold">Choose a new password</h1>
      <input type="hidden" name="token" value={token} />
      <Field label="New password" htmlFor="password" hint="At least 8 characters.">
        <Input id="password" name="password" type="password" autoComplete="new-password" minLength={8} required />
      </Field>
      <FormMessage state={state} />
      <Button type="submit" className="w-full" disabled={pending}>
        Save password
      </Button>
    </form>
  );
}
