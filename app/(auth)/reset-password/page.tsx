import Link from "next/link";
import { ResetPasswordForm } from "../auth-forms-client";

export const metadata = { title: "Choose a new password" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token } = await searchParams;
  if (!token) {
    return (
      <p className="text-sm">
        This page needs the link from your reset email.{" "}
        <Link href="/forgot-password" className="text-teal-700 hover:underline">
          Ask for a new one
        </Link>
        .
      </p>
    );
  }
  return <ResetPasswordForm token={token} />;
}
