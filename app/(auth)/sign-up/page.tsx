import { safeRedirectPath } from "@/lib/security/redirect";
import { SignUpForm } from "../auth-forms-client";

export const metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <SignUpForm next={next === undefined ? undefined : safeRedirectPath(next)} />;
}
