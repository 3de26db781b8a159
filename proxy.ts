// Runs before every page: refreshes Supabase sessions and sends signed-out visitors of the
// dashboard to sign-in. An optimistic check only; pages and routes verify the session themselves.
import { NextResponse, type NextRequest } from "next/server";
import { createServerClient } from "@supabase/ssr";
import { env } from "@/lib/env";
import { SESSION_COOKIE, verifySessionToken } from "@/lib/auth/session-token";

const PUBLIC = [/^\/$/, /^\/(sign-in|sign-up|forgot-password|reset-password|auth|invitations|chat|dev|embed)(\/|$)/];

export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const response = NextResponse.next({ request });
  const e = env();
  let signedIn = false;

  if (e.adapters.auth === "supabase") {
    const supabase = createServerClient(e.NEXT_PUBLIC_SUPABASE_URL!, e.NEXT_PUBLIC_SUPABASE_ANON_KEY!, {
      cookies: {
        getAll: () => request.cookies.getAll(),
        setAll: (list) => {
          list.forEach(({ name, value }) => request.cookies.set(name, value));
          list.forEach(({ name, value, options }) => response.cookies.set(name, value, options));
        },
      },
    });
    // getClaims refreshes an expired session and writes the new cookies through setAll.
    const { data } = await supabase.auth.getClaims();
    signedIn = Boolean(data?.claims?.sub);
  } else {
    const token = request.cookies.get(SESSION_COOKIE)?.value;
    signedIn = Boolean(token && (await verifySessionToken(token)));
  }

  if (!signedIn && !PUBLIC.some((re) => re.test(pathname))) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = `?next=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  return response;
}

export const config = {
  // Pages only: API routes, static files and images answer for themselves.
  matcher: ["/((?!api|_next/static|_next/image|favicon.ico|embed.js|.*\\.(?:png|jpg|svg|ico|css|js)$).*)"],
};
