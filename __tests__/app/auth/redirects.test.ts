// Open redirects: every place that follows a `next` parameter (sign-in, sign-up, the auth callback,
// the auth pages' hidden field) goes only to a path on this app, however the value is spelled.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("@/lib/auth/supabase", () => ({ ...jest.requireActual("@/lib/auth/supabase"), supabaseExchangeCode: jest.fn(async () => undefined) }));

import { closeDb, withService } from "@/lib/db/client";
import { resetEnvForTests } from "@/lib/env";
import { safeRedirectPath } from "@/lib/security/redirect";
import { signInAction, signUpAction } from "@/app/(auth)/actions";
import { GET as callback } from "@/app/(auth)/auth/callback/route";
import SignInPage from "@/app/(auth)/sign-in/page";
import { useTestDb } from "../../helpers/db";
import { PASSWORD, makeUser } from "../../helpers/fixtures";
import { form, navigationOutcome, request } from "../../helpers/next-request";

/** What a browser would make of each: another site. */
const FOREIGN = [
  "//evil.example/",
  "/\\evil.example/",
  "/\\\\evil.example",
  "/\t/evil.example/",
  "/\n/evil.example/",
  "/.//evil.example/",
  "/a/..//evil.example/",
  "https://evil.example/",
  "http:evil.example",
  "javascript:alert(1)",
  "evil.example",
  "",
];

beforeAll(async () => {
  await useTestDb();
  await withService((tx) => makeUser(tx, "ann@a.test"));
});
afterAll(() => closeDb());
beforeEach(() => request.reset());

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    const r = await p;
    return `returned:${JSON.stringify(r)}`;
  } catch (err) {
    return navigationOutcome(err);
  }
}

describe("safeRedirectPath", () => {
  it.each(FOREIGN)("refuses %j", (value) => {
    expect(safeRedirectPath(value)).toBe("/businesses");
  });

  it("keeps a path on this app with its query and hash", () => {
    expect(safeRedirectPath("/tenant-a/inbox?c=1#m")).toBe("/tenant-a/inbox?c=1#m");
    expect(safeRedirectPath("/invitations/abc")).toBe("/invitations/abc");
    expect(safeRedirectPath("/%5Cevil.example")).toBe("/%5Cevil.example");
  });

  it("refuses what is not a string", () => {
    expect(safeRedirectPath(null)).toBe("/businesses");
    expect(safeRedirectPath(["/a", "/b"])).toBe("/businesses");
  });
});

describe("sign-in and sign-up", () => {
  it.each(FOREIGN)("sign-in with next=%j lands on /businesses", async (next) => {
    request.reset();
    expect(await outcome(signInAction(null, form({ email: "ann@a.test", password: PASSWORD, next })))).toBe("redirect:/businesses");
  });

  it("sign-in follows a path on this app", async () => {
    expect(await outcome(signInAction(null, form({ email: "ann@a.test", password: PASSWORD, next: "/invitations/xyz" })))).toBe("redirect:/invitations/xyz");
  });

  it.each(["/\\evil.example/", "/\t/evil.example/"])("sign-up with next=%j lands on /businesses", async (next) => {
    const email = `new-${Math.random().toString(36).slice(2)}@a.test`;
    expect(await outcome(signUpAction(null, form({ name: "New", email, password: PASSWORD, next })))).toBe("redirect:/businesses");
  });

  it("the sign-in page never puts a foreign next into its form", async () => {
    const el = (await SignInPage({ searchParams: Promise.resolve({ next: "/\\evil.example/" }) })) as { props: { next?: string } };
    expect(el.props.next).toBe("/businesses");
  });
});

describe("the Supabase auth callback", () => {
  beforeAll(() => {
    process.env.NEXT_PUBLIC_SUPABASE_URL = "http://127.0.0.1:54321";
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY = "anon-key";
    resetEnvForTests();
  });
  afterAll(() => {
    delete process.env.NEXT_PUBLIC_SUPABASE_URL;
    delete process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
    resetEnvForTests();
  });

  const go = async (next: string) => {
    const res = await callback(new Request(`http://localhost:3000/auth/callback?code=abc&next=${encodeURIComponent(next)}`));
    return res.headers.get("location");
  };

  it.each(FOREIGN.filter(Boolean))("next=%j lands on /businesses", async (next) => {
    expect(await go(next)).toBe("http://localhost:3000/businesses");
  });

  it("follows a path on this app", async () => {
    expect(await go("/reset-password")).toBe("http://localhost:3000/reset-password");
  });
});
