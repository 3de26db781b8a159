// Telling staff a conversation waits for a person: an email to owners, admins and the assignee
// through the outbox (the dashboard shows a browser notification while it is open).
import { and, eq, inArray, or } from "drizzle-orm";
import type { Executor } from "@/lib/db/client";
import { businesses, conversations, members, users } from "@/lib/db/schema";
import { enqueueEmail } from "@/lib/channels/outbox";
import { env } from "@/lib/env";
import { openHandoff } from "@/lib/relay/handoffs";

export async function notifyHandoff(ex: Executor, input: { businessId: string; conversationId: string; reason?: string | null }) {
  const [business] = await ex.select().from(businesses).where(eq(businesses.id, input.businessId));
  const [conversation] = await ex
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, input.conversationId), eq(conversations.businessId, input.businessId)));
  if (!business || !conversation) return 0;
  // relay hook (lib/relay): the hand-off's short code for members' phones; the ladder job texts and calls them
  await openHandoff(ex, input);
  const staff = await ex
    .select({ email: users.email })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(
      and(
        eq(members.businessId, input.businessId),
        conversation.assigneeId ? or(inArray(members.role, ["owner", "admin"]), eq(members.userId, conversation.assigneeId)) : inArray(members.role, ["owner", "admin"]),
      ),
    );
  const link = `${env().appUrl}/${business.slug}/inbox?c=${conversation.id}`;
  for (const s of staff) {
    await enqueueEmail(ex, {
      businessId: input.businessId,
      to: s.email,
      subject: `${business.name}: a customer is waiting for a person`,
      body: `A conversation needs a person${input.reason ? ` (${input.reason})` : ""}. The AI has stopped answering it.\n\nOpen it: ${link}`,
      payload: { kind: "handoff", conversationId: conversation.id },
    });
  }
  return staff.length;
}
