// Seeds the embedded database with the demo clinic (supabase/seed.sql) and its owner.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import { chunkDocument } from "@/lib/knowledge/chunk";
import type { DbHandle } from "./client";
import { businesses, knowledgeChunks, knowledgeDocuments, members } from "./schema";
import { contentHash } from "./knowledge";
import { findUserByEmail, insertUser } from "./users";
import { DEMO_BUSINESS_ID, DEMO_OWNER } from "./seed-data";

export const SEED_FILE = path.resolve(process.cwd(), "supabase/seed.sql");

/** Returns true when it seeded, false when the demo business was already there. */
export async function seedDemo(handle: DbHandle): Promise<boolean> {
  const { db } = handle;
  const [existing] = await db.select({ id: businesses.id }).from(businesses).where(eq(businesses.id, DEMO_BUSINESS_ID));
  if (existing) return false;
  const script = fs.readFileSync(SEED_FILE, "utf8");
  const passwordHash = await hashPassword(DEMO_OWNER.password);
  await handle.exec(script);
  await db.transaction(async (tx) => {
    const owner = (await findUserByEmail(tx, DEMO_OWNER.email)) ?? (await insertUser(tx, { ...DEMO_OWNER, passwordHash }));
    await tx.insert(members).values({ businessId: DEMO_BUSINESS_ID, userId: owner.id, role: "owner" }).onConflictDoNothing();
    const docs = await tx.select().from(knowledgeDocuments).where(eq(knowledgeDocuments.businessId, DEMO_BUSINESS_ID));
    for (const doc of docs) {
      // seed.sql writes the rows; their text's hash keeps an upload of the same text from doubling them
      await tx.update(knowledgeDocuments).set({ contentHash: contentHash(doc.content) }).where(eq(knowledgeDocuments.id, doc.id));
      const chunks = chunkDocument(doc.content);
      if (chunks.length) {
        await tx.insert(knowledgeChunks).values(chunks.map((c) => ({ ...c, businessId: DEMO_BUSINESS_ID, documentId: doc.id })));
      }
    }
  });
  return true;
}
