// A customer's memories are found by their own index and ranked exactly (there is no vector index on
// memories: recall never searches across customers). Whatever else the business has stored, the three
// memories recalled are this customer's three closest to the question, never another customer's.
import { sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { toVectorLiteral } from "@/lib/ai/embeddings";
import { recallMemories } from "@/lib/pipeline/memories";
import { closeDb, useDemoBusiness } from "../../helpers/demo";

// a seeded generator: the same vectors on every run and both engines
function generator(seed: number) {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
}
const random = generator(7);
const unit = () => {
  const v = Array.from({ length: s.EMBEDDING_DIMENSIONS }, random);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

const CUSTOMERS = 30;
const EACH = 12;
let customerIds: string[] = [];
const stored = new Map<string, { customerId: string; vector: number[] }>();

beforeAll(async () => {
  await useDemoBusiness();
  customerIds = (
    await withService((tx) =>
      tx
        .insert(s.customers)
        .values(Array.from({ length: CUSTOMERS }, (_, i) => ({ businessId: DEMO_BUSINESS_ID, name: `Memory ${i}` })))
        .returning({ id: s.customers.id }),
    )
  ).map((c) => c.id);
  const values = customerIds.flatMap((customerId) => Array.from({ length: EACH }, () => ({ customerId, vector: unit() })));
  const inserted = await withService((tx) =>
    rows<{ id: string; customer_id: string }>(
      tx,
      sql`insert into memories (business_id, customer_id, kind, content, embedding)
          select ${DEMO_BUSINESS_ID}, v.customer_id, 'fact', 'a fact', v.embedding
          from (values ${sql.join(
            values.map((m) => sql`(${m.customerId}::uuid, ${toVectorLiteral(m.vector)}::vector)`),
            sql`, `,
          )}) as v(customer_id, embedding)
          returning id, customer_id`,
    ),
  );
  // rows come back in insert order
  inserted.forEach((r, i) => stored.set(r.id, { customerId: r.customer_id, vector: values[i]!.vector }));
});
afterAll(closeDb);

describe("recalling a customer's memories", () => {
  it("returns exactly this customer's three closest memories, among 360 of 30 customers", async () => {
    for (const customerId of customerIds.slice(0, 5)) {
      const question = unit();
      const found = await withService((tx) => recallMemories(tx, { businessId: DEMO_BUSINESS_ID, customerId, embedding: question, limit: 3, minSimilarity: -1 }));
      const expected = [...stored.entries()]
        .filter(([, m]) => m.customerId === customerId)
        .map(([id, m]) => ({ id, similarity: cosine(question, m.vector) }))
        .sort((a, b) => b.similarity - a.similarity)
        .slice(0, 3);
      expect(found.map((m) => m.id)).toEqual(expected.map((m) => m.id));
      found.forEach((m, i) => expect(m.similarity).toBeCloseTo(expected[i]!.similarity, 4));
    }
  });

  it("finds a memory that matches the question closely, and none of another customer's", async () => {
    const [mine, other] = customerIds as [string, string];
    const target = [...stored.entries()].find(([, m]) => m.customerId === other)!;
    // the question is another customer's memory itself: it must not come back for this customer
    const notMine = await withService((tx) => recallMemories(tx, { businessId: DEMO_BUSINESS_ID, customerId: mine, embedding: target[1].vector, limit: 3, minSimilarity: -1 }));
    expect(notMine.map((m) => m.id)).not.toContain(target[0]);
    expect(notMine.every((m) => stored.get(m.id)?.customerId === mine)).toBe(true);
    const theirs = await withService((tx) => recallMemories(tx, { businessId: DEMO_BUSINESS_ID, customerId: other, embedding: target[1].vector, limit: 3 }));
    expect(theirs[0]).toMatchObject({ id: target[0] });
    expect(theirs[0]!.similarity).toBeCloseTo(1, 4);
  });
});
