// What crosses into and out of raw SQL must behave the same on both engines: the postgres.js driver
// as production configures it (prepare: false, drizzle's serializers) and PGlite. Each row below is a
// value kind the code passes in a raw `sql` template; each read-back is a kind the code reads from
// `rows()`. This is the class of defect where PGlite accepted a JS Date and postgres.js threw.
import { sql } from "drizzle-orm";
import { getDb, rows } from "@/lib/db/client";
import { useTestDb } from "../../helpers/db";

beforeAll(async () => {
  await useTestDb();
});

async function one<T>(query: ReturnType<typeof sql>): Promise<T> {
  const [row] = await rows<{ v: T }>(await getDb(), query);
  return row!.v;
}

describe("values into raw SQL", () => {
  const at = new Date("2026-03-04T05:06:07.089Z");

  it("takes a JS Date as a timestamp, in a comparison and in arithmetic", async () => {
    expect(await one<boolean>(sql`select ${at}::timestamptz = '2026-03-04T05:06:07.089Z'::timestamptz as v`)).toBe(true);
    expect(await one<boolean>(sql`select now() > ${at} as v`)).toBe(true);
    expect(await one<number>(sql`select extract(epoch from ${at}::timestamptz)::float8 as v`)).toBeCloseTo(at.getTime() / 1000, 3);
    expect(await one<string>(sql`select to_char(${at}::timestamptz at time zone 'UTC', 'YYYY-MM-DD') as v`)).toBe("2026-03-04");
  });

  it("takes a plain object or array as jsonb, not as '[object Object]'", async () => {
    const value = { a: 1, b: ["x", null], c: { d: true } };
    expect(await one<unknown>(sql`select ${JSON.stringify(value)}::jsonb as v`)).toEqual(value);
    expect(await one<unknown>(sql`select ${value}::jsonb as v`)).toEqual(value);
    expect(await one<string>(sql`select (${value}::jsonb)->>'a' as v`)).toBe("1");
  });

  it("takes booleans, numbers, bigints and null", async () => {
    expect(await one<boolean>(sql`select ${true}::boolean and not ${false}::boolean as v`)).toBe(true);
    expect(await one<number>(sql`select (${41}::int + 1) as v`)).toBe(42);
    expect(await one<number>(sql`select (${0.25}::float8 * 4) as v`)).toBe(1);
    expect(await one<string>(sql`select (${9007199254740993n}::bigint)::text as v`)).toBe("9007199254740993");
    expect(await one<boolean>(sql`select ${null}::text is null as v`)).toBe(true);
  });

  it("takes bytes as bytea and a vector literal as a vector", async () => {
    expect(await one<string>(sql`select encode(${Buffer.from([0, 1, 254])}::bytea, 'hex') as v`)).toBe("0001fe");
    expect(await one<number>(sql`select (${"[1,0,0]"}::vector <=> ${"[0,1,0]"}::vector)::float8 as v`)).toBeCloseTo(1, 6);
  });

  it("expands a JS array into a list for in (…)", async () => {
    const ids = ["a", "b", "c"];
    expect(await one<number>(sql`select count(*)::int as v from (values ('a'), ('c'), ('z')) t(x) where x in ${ids}`)).toBe(2);
  });
});

describe("values out of raw SQL", () => {
  it("reads timestamps as ISO-parsable text, the same on both engines", async () => {
    const v = await one<unknown>(sql`select '2026-03-04T05:06:07.089Z'::timestamptz as v`);
    expect(typeof v).toBe("string");
    expect(new Date(v as string).toISOString()).toBe("2026-03-04T05:06:07.089Z");
  });

  it("reads int4 and float8 as numbers, numeric and bigint as text, jsonb as objects", async () => {
    const [r] = await rows<Record<string, unknown>>(
      await getDb(),
      sql`select 7::int as i, 1.5::float8 as f, 12.34::numeric as n, count(*) as c, '{"k":[1]}'::jsonb as j, array['x','y'] as a from (values (1), (2)) t(x)`,
    );
    expect(r).toEqual({ i: 7, f: 1.5, n: "12.34", c: expect.anything(), j: { k: [1] }, a: ["x", "y"] });
    // count(*) is int8: callers read it through Number() or cast it to ::int in SQL.
    expect(Number(r!.c)).toBe(2);
  });
});
