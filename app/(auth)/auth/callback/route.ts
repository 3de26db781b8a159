// GET /auth/callback — Supabase Auth redirects here with a code (magic link, email confirmation, reset).
import { NextResponse } from "next/server";
import { env } from "@/lib/env";
import { requestCookies } from "@/lib/auth/cookies";
import { supabaseExchangeCode } from "@/lib/auth/supabase";
import { safeRedirectPath } from "@/lib/security/redirect";

export async function GET(req: Request) {
  const url = new URL(req.url);
  const code = url.searchParams.get("code");
  const target = safeRedirectPath(url.searchParams.get("next"));
  if (env().adapters.auth !== "supabase" || !code) {
    return NextResponse.redirect(new URL("/sign-in", env().appUrl));
  }
  try {
    await supabaseExchangeCode(await requestCookies(), code);
  } catch {
    return NextResponse.redirect(new URL("/sign-in?error=link", env().appUrl));
  }
  return NextResponse.redirect(new URL(target, env().appUrl));
}
