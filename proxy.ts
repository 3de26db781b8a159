// Runs before every page: refuses writes from other websites and server-action bodies Next's decoder
// would answer with a 500 (lib/security/actions.ts), refreshes Supabase sessions, sends signed-out
// visitors of the dashboard to sign-in (an optimistic check only; pages and routes verify the session
// themselves), and says who may frame the page: the chat page only the business's allowed websites,
// everything else only the app itself.
import { NextResponse, type NextRequest } from "next/server";
import { createServerClient } from "@supabase/ssr";
import { env } from "@/lib/env";
import { SESSION_COOKIE, verifySessionToken } from "@/lib/auth/session-token";
import { refuseUnsafePageWrite } from "@/lib/security/actions";

const PUBLIC = [/^\/$/, /^\/(sign-in|sign-up|forgot-password|reset-password|auth|invitations|csat|unsubscribe|chat|dev|embed)(\/|$)/];

const CHAT_PAGE = /^\/chat\/([a-z0-9-]{1,64})\/?$/;

/**
 * The chat page's frame-ancestors: the app and the business's allowed websites, or any site when
 * the list is empty. Read from the public widget route on every load (so this works wherever the
 * proxy runs, and a saved list applies at once); when it cannot be read the page's own origin
 * checks still apply.
 */
async function chatFrameAncestors(request: NextRequest, slug: string): Promise<string | null> {
  try {
    const res = await fetch(new URL(`/api/chat/${slug}/widget`, request.nextUrl.origin), { cache: "no-store", signal: AbortSignal.timeout(2000) });
    if (!res.ok) return null;
    const { embedOrigins } = (await res.json()) as { embedOrigins?: string[] };
    if (!Array.isArray(embedOrigins)) return null;
    return embedOrigins.length ? ["'self'", ...embedOrigins.filter((o) => /^https?:\/\/[^\s;,']+$/.test(o))].join(" ") : "*";
  } catch {
    return null;
  }
}

export async function proxy(request: NextRequest) {
  const refused = await refuseUnsafePageWrite(request);
  if (refused) return refused;
  const { pathname, search } = request.nextUrl;
  const response = NextResponse.next({ request });
  const chat = CHAT_PAGE.exec(pathname);
  if (chat) {
    const ancestors = await chatFrameAncestors(request, chat[1]!);
    if (ancestors) response.headers.set("content-security-policy", `frame-ancestors ${ancestors}`);
  } else {
    response.headers.set("content-security-policy", "frame-ancestors 'self'");
    response.headers.set("x-frame-options", "SAMEORIGIN");
  }
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
