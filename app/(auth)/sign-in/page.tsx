import { safeRedirectPath } from "@/lib/security/redirect";
import { env } from "@/lib/env";
import { SignInForm } from "../auth-forms-client";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <SignInForm next={next === undefined ? undefined : safeRedirectPath(next)} magicLink={env().adapters.auth === "supabase"} />;
}
