import { env } from "@/lib/env";
import { ForgotPasswordForm } from "../auth-forms-client";

export const metadata = { title: "Reset password" };
export const dynamic = "force-dynamic";

export default function ForgotPasswordPage() {
  return <ForgotPasswordForm devOutbox={env().adapters.email === "outbox"} />;
}
