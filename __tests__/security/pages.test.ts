// The security walk over every page the app has (found by inventory.ts, classified in
// expectations.ts): a business's pages send a visitor to sign-in and answer 404 to a member of another
// business before any of its data loads (the layouts and the page, as Next renders them); signed-in
// pages send a visitor to sign-in; public pages take odd values without an error. In front of every
// page, proxy.ts refuses writes from other websites and server-action bodies Next would answer with a
// 500, and its matcher covers every page and no API route.
jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn(), revalidateTag: jest.fn() }));

import { NextRequest } from "next/server";
import { closeDb } from "@/lib/db/client";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { config as proxyConfig, proxy } from "@/proxy";
import { navigationOutcome, request as scope } from "../helpers/next-request";
import { signInAs } from "../helpers/session";
import { testEngine } from "../helpers/db";
import { PAGES, knownFor, type PageClass } from "./expectations";
import { fill, load, pages, routes, segmentsOf, type PageEntry } from "./inventory";
import { BASE, buildWorld, params, type World } from "./world";

const NUL = "\u0000";
const INVENTORY = pages();
const ACTION = { "next-action": "7f3a9c0d1e2b4a5968778695a4b3c2d1e0f9a8b7c6" };

let w: World;
let values: Record<string, string>;

beforeAll(async () => {
  w = await buildWorld();
  values = params(w);
}, 120_000);
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

type Component = (props: Record<string, unknown>) => unknown;

/** Renders a page as Next does, as far as data goes: each layout above it, then the page itself. */
async function open(page: PageEntry, segs: Record<string, string>, searchParams: Record<string, string> = {}): Promise<string> {
  const props = { params: Promise.resolve(segs), searchParams: Promise.resolve(searchParams), children: null };
  try {
    for (const layout of page.layouts) {
      const Layout = load<{ default: Component }>(layout).default;
      await Layout(props);
    }
    const mod = load<{ default: Component; generateMetadata?: Component }>(page.file);
    await mod.generateMetadata?.(props);
    await mod.default(props);
    return "rendered";
  } catch (err) {
    return navigationOutcome(err);
  }
}

const segmentsFor = (page: PageEntry, override: Record<string, string> = {}) => Object.fromEntries(segmentsOf(page.pattern).map((name) => [name, override[name] ?? values[name]!]));
const pathOf = (page: PageEntry) => fill(page.pattern, values);

function post(pathname: string, body: string, headers: Record<string, string>) {
  return new NextRequest(`${BASE}${pathname}`, { method: "POST", headers, body });
}

const refusedStatus = async (res: Response) => (res.headers.get("x-middleware-next") === "1" ? "passed" : res.status);

type Case = { name: string; run: () => Promise<void> };

function casesFor(page: PageEntry, cls: PageClass): Case[] {
  const list: Case[] = [];
  const here = () => pathOf(page);
  if (cls === "member") {
    list.push(
      {
        name: `page ${page.pattern}: a visitor is sent to sign-in, by proxy.ts and by the page`,
        run: async () => {
          scope.reset();
          const res = await proxy(new NextRequest(`${BASE}${here()}`));
          expect(res.status).toBe(307);
          expect(new URL(res.headers.get("location")!).pathname).toBe("/sign-in");
          expect(await open(page, segmentsFor(page))).toBe("redirect:/sign-in?next=%2Ftenant-a");
        },
      },
      {
        name: `page ${page.pattern}: a member of another business gets 404`,
        run: async () => {
          await signInAs("bob@b.test");
          expect(await open(page, segmentsFor(page))).toBe("404");
        },
      },
    );
  } else if (cls === "user" || cls === "embedded-user") {
    list.push({
      name: `page ${page.pattern}: a visitor is sent to sign-in`,
      run: async () => {
        scope.reset();
        const expected = cls === "embedded-user" && testEngine() === "postgres" ? "404" : `redirect:/sign-in?next=${encodeURIComponent(here())}`;
        expect(await open(page, segmentsFor(page))).toBe(expected);
      },
    });
  } else {
    list.push({
      name: `page ${page.pattern}: open to a visitor, odd values included`,
      run: async () => {
        scope.reset();
        const nul = Object.fromEntries(segmentsOf(page.pattern).map((name) => [name, `x${NUL}`]));
        for (const [segs, search] of [
          [segmentsFor(page), {}],
          [segmentsFor(page, nul), { next: `/${NUL}`, token: `${NUL}`.repeat(20), embed: NUL, error: NUL }],
        ] as const) {
          expect(["rendered", "404", "redirect:/businesses"]).toContain(await open(page, segs, search));
        }
      },
    });
  }
  // proxy.ts in front of the page: what would reach Next's server-action decoder.
  list.push({
    name: `page ${page.pattern}: proxy.ts refuses writes from other websites and malformed server actions`,
    run: async () => {
      const path = here();
      const plain = { ...ACTION, "content-type": "text/plain;charset=UTF-8", origin: BASE };
      expect(await refusedStatus(await proxy(post(path, "[]", { ...plain, origin: "https://evil.example" })))).toBe(403);
      expect(await refusedStatus(await proxy(post(path, "[]", { ...plain, origin: "null" })))).toBe(403);
      expect(await refusedStatus(await proxy(post(path, '["$K1",', plain)))).toBe(400);
      expect(await refusedStatus(await proxy(post(path, `${NUL}${NUL}`, plain)))).toBe(400);
      expect(await refusedStatus(await proxy(post(path, "a".repeat(5 * 1024 * 1024), plain)))).toBe(413);
      expect(await refusedStatus(await proxy(post(path, "[]", { ...plain, "content-type": "application/json" })))).toBe(415);
      const boundary = "----walker";
      const cut = `--${boundary}\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--${boundary}\r\nContent-Disp`;
      expect(await refusedStatus(await proxy(post(path, cut, { ...ACTION, "content-type": `multipart/form-data; boundary=${boundary}`, origin: BASE })))).toBe(400);
      expect(await refusedStatus(await proxy(post(path, cut, { "content-type": `multipart/form-data; boundary=${boundary}`, origin: BASE })))).toBe(400);
      // and a well-formed action from the app's own page passes to Next
      expect(await refusedStatus(await proxy(post(path, '["$K1"]', plain)))).not.toBe(400);
    },
  });
  return list;
}

describe("the page inventory", () => {
  it("finds the app's pages", () => {
    expect(INVENTORY.length).toBeGreaterThan(20);
    expect(INVENTORY.map((p) => p.pattern)).toContain("/[business]/inbox");
  });

  it("has an expectation for every page, and none for a page that is gone", () => {
    expect(INVENTORY.map((p) => p.pattern).filter((p) => !PAGES[p])).toEqual([]);
    expect(Object.keys(PAGES).filter((p) => !INVENTORY.some((e) => e.pattern === p))).toEqual([]);
  });

  it("puts every page behind proxy.ts and no API route", () => {
    // Next compiles each matcher source to a regular expression over the whole path.
    const matchers = proxyConfig.matcher.map((m) => new RegExp(`^${m}$`));
    const matched = (p: string) => matchers.some((re) => re.test(p));
    const demo = { business: "tenant-a", customer: "c", id: "d", slug: "tenant-a", token: "t", channel: "ch", job: "sweep", conversation: "c", tag: "vip", article: "a", faq: "f" };
    expect(INVENTORY.map((p) => fill(p.pattern, demo)).filter((p) => !matched(p))).toEqual([]);
    expect(routes().map((r) => fill(r.pattern, demo)).filter((p) => p.startsWith("/api/") && matched(p))).toEqual([]);
  });
});

const CASES = INVENTORY.filter((p) => PAGES[p.pattern]).flatMap((p) => casesFor(p, PAGES[p.pattern]!));

describe("every page", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    await c.run();
  });
});

describe("what still fails", () => {
  it("no page is on KNOWN_500", () => {
    // Pages render through Next; a thrown error fails its case above. Keep page entries out of KNOWN_500.
    expect(knownFor("pages")).toEqual([]);
  });
});
