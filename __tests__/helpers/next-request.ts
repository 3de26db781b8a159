// Stands in for the request scope of next/headers, so real route handlers, pages' loaders and server
// actions run under jest with a real (signed) session cookie. Use with:
//   jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);
import type { CookieOptions } from "@/lib/auth/cookies";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";

type Cookie = { name: string; value: string; options?: CookieOptions };

export const request = {
  cookies: new Map<string, Cookie>(),
  headers: new Headers({ [SOCKET_ADDRESS_HEADER]: "203.0.113.10" }),
  /** A new request scope from `ip`, as the server's socket sees it (lib/security/client-ip.ts). */
  reset(ip = "203.0.113.10") {
    this.cookies.clear();
    this.headers = new Headers({ [SOCKET_ADDRESS_HEADER]: ip });
  },
};

const store = {
  get: (name: string) => request.cookies.get(name),
  getAll: () => [...request.cookies.values()],
  has: (name: string) => request.cookies.has(name),
  set: (name: string, value: string, options?: CookieOptions) => {
    request.cookies.set(name, { name, value, options });
  },
  delete: (name: string) => {
    request.cookies.delete(name);
  },
};

export const nextHeaders = {
  cookies: async () => store,
  headers: async () => request.headers,
};

/** What next/navigation's notFound() and redirect() throw, as a short description. */
export function navigationOutcome(err: unknown): string {
  const digest = (err as { digest?: string })?.digest ?? "";
  if (digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")) return "404";
  if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2]}`;
  throw err;
}

/** A form as the browser posts it to a server action. */
export function form(values: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(values)) f.set(k, v);
  return f;
}

/** The second argument Next passes to a route handler under /api/businesses/[business]/…. */
export const params = (business: string) => ({ params: Promise.resolve({ business }) });
