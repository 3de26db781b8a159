import Link from "next/link";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth";
import { env } from "@/lib/env";
import { DEMO_OWNER } from "@/lib/db/seed-data";

export default async function Home() {
  if (await currentUser()) redirect("/businesses");
  const embedded = env().adapters.auth === "local";
  return (
    <main className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center px-6 py-16">
      <h1 className="text-4xl font-bold tracking-tight text-teal-800">PrismAI</h1>
      <p className="mt-4 text-lg text-slate-700">
        One AI agent answers your customers on web chat, phone, SMS, email, WhatsApp, Telegram and Instagram — with one memory
        of every conversation, inside the budget you set, and hands over to a person when it should.
      </p>
      <div className="mt-8 flex gap-3">
        <Link href="/sign-in" className="rounded-md bg-teal-700 px-4 py-2 text-sm font-medium text-white hover:bg-teal-800">
          Sign in
        </Link>
        <Link href="/sign-up" className="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-50">
          Create an account
        </Link>
      </div>
      {embedded && (
        <p className="mt-6 text-sm text-slate-600">
          Demo: sign in as <code className="rounded bg-slate-100 px-1">{DEMO_OWNER.email}</code> with password{" "}
          <code className="rounded bg-slate-100 px-1">{DEMO_OWNER.password}</code>.
        </p>
      )}
    </main>
  );
}
