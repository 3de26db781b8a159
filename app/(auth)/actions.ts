"use server";
// Sign-in, sign-up, sign-out and password reset, for both auth adapters.
import { redirect } from "next/navigation";
import { z } from "zod";
import { requestPasswordReset, resetPassword, sendMagicLink, signIn, signOut, signUp } from "@/lib/auth";
import { actionError, type FormState } from "@/lib/action";
import { DEFAULT_AFTER_SIGN_IN, safeRedirectPath } from "@/lib/security/redirect";

export async function signInAction(_: FormState, form: FormData): Promise<FormState> {
  try {
    if (form.get("mode") === "magic") {
      await sendMagicLink(z.email("Enter a valid email address").parse(form.get("email")));
      return { ok: "Check your inbox for a sign-in link." };
    }
    await signIn({ email: form.get("email"), password: form.get("password") });
  } catch (err) {
    return actionError(err);
  }
  redirect(safeRedirectPath(form.get("next")));
}

export async function signUpAction(_: FormState, form: FormData): Promise<FormState> {
  let result;
  try {
    result = await signUp({ name: form.get("name"), email: form.get("email"), password: form.get("password") });
  } catch (err) {
    return actionError(err);
  }
  if ("confirmEmail" in result) return { ok: "Check your inbox to confirm your email, then sign in." };
  redirect(safeRedirectPath(form.get("next")));
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect("/sign-in");
}

export async function forgotPasswordAction(_: FormState, form: FormData): Promise<FormState> {
  try {
    const email = z.email("Enter a valid email address").parse(form.get("email"));
    await requestPasswordReset(email);
  } catch (err) {
    return actionError(err);
  }
  return { ok: "If that email has an account, a reset link is on its way." };
}

export async function resetPasswordAction(_: FormState, form: FormData): Promise<FormState> {
  try {
    await resetPassword({ token: form.get("token"), password: form.get("password") });
  } catch (err) {
    return actionError(err);
  }
  redirect(DEFAULT_AFTER_SIGN_IN);
}
