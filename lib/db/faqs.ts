// FAQs: question → answer pairs served at zero model cost. Every query names the business.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Executor } from "./client";
import { faqs } from "./schema";

export type Faq = typeof faqs.$inferSelect;
export type FaqRow = Omit<Faq, "embedding"> & { embedded: boolean; hits: number };

const columns = {
  id: faqs.id,
  businessId: faqs.businessId,
  question: faqs.question,
  answer: faqs.answer,
  enabled: faqs.enabled,
  // counted in faq_hits (an answer never rewrites the FAQ's vector-indexed row)
  hits: sql<number>`coalesce((select h.hits from faq_hits h where h.faq_id = ${faqs.id} and h.business_id = ${faqs.businessId}), 0)::int`.mapWith(Number),
  createdAt: faqs.createdAt,
  updatedAt: faqs.updatedAt,
  embedded: sql<boolean>`${faqs.embedding} is not null`,
};

/** One more answer given by a FAQ: a row of faq_hits, never an update of the FAQ's vector-indexed row. */
export async function countFaqHit(ex: Executor, businessId: string, faqId: string): Promise<void> {
  await ex.execute(
    // from the FAQ's own row: one deleted meanwhile (or of another business) counts nothing
    sql`insert into faq_hits (faq_id, business_id, hits, last_hit_at)
        select id, business_id, 1, now() from faqs where id = ${faqId} and business_id = ${businessId}
        on conflict (faq_id) do update set hits = faq_hits.hits + 1, last_hit_at = now()`,
  );
}

export async function listFaqs(ex: Executor, businessId: string): Promise<FaqRow[]> {
  return ex.select(columns).from(faqs).where(eq(faqs.businessId, businessId)).orderBy(asc(faqs.createdAt), asc(faqs.id));
}

export async function findFaq(ex: Executor, businessId: string, id: string): Promise<FaqRow | undefined> {
  const [row] = await ex.select(columns).from(faqs).where(and(eq(faqs.businessId, businessId), eq(faqs.id, id))).limit(1);
  return row;
}

export async function insertFaqs(
  ex: Executor,
  businessId: string,
  values: { question: string; answer: string; enabled?: boolean; embedding: number[] | null }[],
) {
  if (!values.length) return [];
  const out: { id: string }[] = [];
  for (let i = 0; i < values.length; i += 200) {
    out.push(
      ...(await ex
        .insert(faqs)
        .values(values.slice(i, i + 200).map((v) => ({ ...v, businessId })))
        .returning({ id: faqs.id })),
    );
  }
  return out;
}

export async function updateFaq(
  ex: Executor,
  businessId: string,
  id: string,
  values: Partial<{ question: string; answer: string; enabled: boolean; embedding: number[] | null }>,
) {
  const [row] = await ex
    .update(faqs)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(faqs.businessId, businessId), eq(faqs.id, id)))
    .returning({ id: faqs.id });
  return row;
}

export async function deleteFaqs(ex: Executor, businessId: string, ids: string[]) {
  if (!ids.length) return [];
  return ex
    .delete(faqs)
    .where(and(eq(faqs.businessId, businessId), inArray(faqs.id, ids)))
    .returning({ id: faqs.id });
}
