// The security walk over every server action the app has (every exported function of every
// "use server" module, found by inventory.ts and classified in expectations.ts), called as Next calls
// them: a business's actions send a visitor to sign-in and answer 404 to a member of another business
// (and refuse that member tenant-a's ids on their own business), with nothing changed in the
// database; signed-in actions send a visitor to sign-in; public actions answer odd input with a
// message, never an internal error.
jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn(), revalidateTag: jest.fn() }));

import { closeDb } from "@/lib/db/client";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { navigationOutcome, request as scope } from "../helpers/next-request";
import { signInAs } from "../helpers/session";
import { ACTIONS, KNOWN_500, knownFor, type ActionClass } from "./expectations";
import { actions, load, type ActionEntry } from "./inventory";
import { buildWorld, digest, type World } from "./world";

const INVENTORY = actions();
const INTERNAL = "Something went wrong on our side.";

let w: World;

beforeAll(async () => {
  w = await buildWorld();
}, 120_000);
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

type Fn = (...args: unknown[]) => Promise<unknown>;

/** What the browser would get: a navigation (redirect, 404) or the returned value; any other throw is a 500. */
async function outcome(a: ActionEntry, args: unknown[]): Promise<string> {
  const fn = load<Record<string, Fn>>(a.file)[a.name]!;
  try {
    const value = await fn(...args);
    return `returned:${JSON.stringify(value ?? null)}`;
  } catch (err) {
    return navigationOutcome(err);
  }
}

const refusedAsStranger = (o: string) => o === "404" || /^returned:\{"error":"[^"]*(not found|Not found|isn't|doesn't|no longer|Unknown)/.test(o);

const found500 = new Set<string>();

function expectNotInternal(name: string, o: string) {
  if (o.includes(INTERNAL)) found500.add(name);
  if (KNOWN_500.includes(name)) {
    expect(o).toContain(INTERNAL);
    return;
  }
  expect(o).not.toContain(INTERNAL);
}

type Case = { name: string; run: () => Promise<void> };

function casesFor(a: ActionEntry, cls: ActionClass): Case[] {
  const label = `action ${a.key}`;
  if (cls.kind === "member") {
    const list: Case[] = [
      {
        name: `${label}: a visitor is sent to sign-in, nothing changes`,
        run: async () => {
          scope.reset();
          const before = await digest();
          expect(await outcome(a, cls.args("tenant-a", w))).toBe("redirect:/sign-in?next=%2Ftenant-a");
          expect(await digest()).toBe(before);
        },
      },
      {
        name: `${label}: a member of another business gets 404, nothing changes`,
        run: async () => {
          await signInAs("bob@b.test");
          const before = await digest();
          expect(await outcome(a, cls.args("tenant-a", w))).toBe("404");
          expect(await digest()).toBe(before);
        },
      },
    ];
    if (cls.ids) {
      list.push({
        name: `${label}: tenant-a's ids on another business are refused, nothing changes`,
        run: async () => {
          await signInAs("bob@b.test");
          const before = await digest();
          const o = await outcome(a, cls.args("tenant-b", w));
          expect([o, refusedAsStranger(o)]).toEqual([o, true]);
          expect(await digest()).toBe(before);
        },
      });
    }
    return list;
  }
  if (cls.kind === "user") {
    const list: Case[] = [
      {
        name: `${label}: a visitor is sent to sign-in, nothing changes`,
        run: async () => {
          scope.reset();
          const before = await digest();
          const next = cls.next ? `?next=${encodeURIComponent(cls.next.replace("[token]", w.invitationToken))}` : "";
          expect(await outcome(a, cls.args("tenant-a", w))).toBe(`redirect:/sign-in${next}`);
          expect(await digest()).toBe(before);
        },
      },
    ];
    if (cls.stranger === "refused") {
      list.push({
        name: `${label}: someone it was not meant for is refused, nothing changes`,
        run: async () => {
          await signInAs("bob@b.test");
          const before = await digest();
          expect(await outcome(a, cls.args("tenant-a", w))).toMatch(/^returned:\{"error":/);
          expect(await digest()).toBe(before);
        },
      });
    }
    return list;
  }
  return [
    {
      name: `${label}: open to a visitor`,
      run: async () => {
        scope.reset();
        const o = await outcome(a, cls.args("tenant-a", w));
        expectNotInternal(`${label}: open to a visitor`, o);
      },
    },
    ...cls.fuzz.map((args, i) => ({
      name: `${label}: odd input ${i + 1} gets a message, not an internal error`,
      run: async () => {
        scope.reset();
        expectNotInternal(`${label}: odd input ${i + 1} gets a message, not an internal error`, await outcome(a, args()));
      },
    })),
  ];
}

describe("the server-action inventory", () => {
  it("finds the app's server actions", () => {
    expect(INVENTORY.length).toBeGreaterThan(20);
    expect(INVENTORY.map((a) => a.key)).toContain("app/(auth)/actions.ts#signInAction");
  });

  it("has an expectation for every action, and none for an action that is gone", () => {
    expect(INVENTORY.map((a) => a.key).filter((k) => !ACTIONS[k])).toEqual([]);
    expect(Object.keys(ACTIONS).filter((k) => !INVENTORY.some((a) => a.key === k))).toEqual([]);
  });

  it("matches every function the modules really export", () => {
    for (const file of [...new Set(INVENTORY.map((a) => a.file))]) {
      const exported = Object.entries(load(file))
        .filter(([, v]) => typeof v === "function")
        .map(([k]) => k)
        .sort();
      expect([file, exported]).toEqual([file, INVENTORY.filter((a) => a.file === file).map((a) => a.name).sort()]);
    }
  });
});

const CASES = INVENTORY.filter((a) => ACTIONS[a.key]).flatMap((a) => casesFor(a, ACTIONS[a.key]!));

describe("every server action", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_, c) => {
    await c.run();
  });
});

describe("what still fails", () => {
  it("is exactly KNOWN_500's actions", () => {
    expect([...found500].sort()).toEqual(knownFor("actions").sort());
  });
});
