// POST /api/businesses/[business]/test-agent — an owner or admin chats as a customer through the real
// pipeline and sees how each answer was made (and what it cost, charged to the budget).
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { readJson, withMember } from "@/lib/api";
import { withService } from "@/lib/db/client";
import { channels } from "@/lib/db/schema";
import { AppError } from "@/lib/errors";
import { handleInbound } from "@/lib/pipeline/inbound";
import { MANAGERS, requireRole } from "@/lib/services/context";
import { text } from "@/lib/validation/text";

const TestAgentInput = z.object({
  text: text().trim().min(1, "Type a message").max(4000, "Keep test messages under 4,000 characters"),
  session: z.string().regex(/^[a-zA-Z0-9-]{8,64}$/, "Invalid session id"),
});

export const POST = withMember(async (req, { ctx, business }) => {
  requireRole(ctx, MANAGERS);
  const { text, session } = TestAgentInput.parse(await readJson(req));
  const [web] = await withService((tx) =>
    tx.select().from(channels).where(and(eq(channels.businessId, business.id), eq(channels.kind, "web"))).limit(1),
  );
  if (!web) throw new AppError("conflict", "This business has no web chat channel to test with.");
  const result = await handleInbound({
    businessId: business.id,
    channelId: web.id,
    channelKind: "web",
    from: { kind: "web", value: `test-agent:${ctx.actor.userId}:${session}` },
    name: "Test customer",
    text,
    metadata: { test: true },
  });
  const r = result.reply;
  return Response.json({
    conversationId: result.conversationId,
    handedOff: result.handedOff,
    noReply: result.noReply ?? null,
    reply: r
      ? {
          content: r.content,
          source: r.source,
          model: r.model,
          tokensIn: r.tokensIn,
          tokensOut: r.tokensOut,
          costUsd: r.costUsd,
          latencyMs: r.latencyMs,
          trace: (r.metadata as { trace?: unknown }).trace ?? null,
        }
      : null,
  });
});
