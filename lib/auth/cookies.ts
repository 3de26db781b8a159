// A small cookie interface so auth works the same in pages, actions, route handlers and tests.
export type CookieOptions = {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "lax" | "strict" | "none";
  path?: string;
  maxAge?: number;
  expires?: Date;
};

export type CookieJar = {
  get(name: string): { name: string; value: string } | undefined;
  getAll(): { name: string; value: string }[];
  set(name: string, value: string, options?: CookieOptions): void;
  delete(name: string): void;
};

/** The current request's cookies (Server Components may read; actions and route handlers may write). */
export async function requestCookies(): Promise<CookieJar> {
  const { cookies } = await import("next/headers");
  const store = await cookies();
  return {
    get: (name) => store.get(name),
    getAll: () => store.getAll(),
    set: (name, value, options) => {
      try {
        store.set(name, value, options);
      } catch {
        // Server Components cannot set cookies; proxy.ts refreshes sessions instead.
      }
    },
    delete: (name) => {
      try {
        store.delete(name);
      } catch {
        // as above
      }
    },
  };
}
