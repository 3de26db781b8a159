// Staff taking a conversation over while the AI is still answering it. The language model here is a
// stand-in that blocks until the test releases it, so the take-over (the inbox's real verb) happens
// while the model is mid-answer; once a person has taken over, no AI reply may appear, and the
// customer's message says why. The model call was made, so its cost stays on the budget.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import type { LanguageModel, ModelResult } from "@/lib/ai/model";
import { handleInbound } from "@/lib/pipeline/inbound";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { closeDb, useDemoBusiness } from "../helpers/demo";

let ctx: MemberCtx;
let webChannelId: string;
let n = 0;

/** A model that answers only when released; `started` resolves once it has been called. */
function heldModel() {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const called = new Promise<void>((r) => (started = r));
  const model: LanguageModel = {
    provider: "gemini",
    async generate(req): Promise<ModelResult> {
      started();
      await gate;
      return { text: "You should avoid alcohol for at least 24 hours after an extraction.", handoff: { needed: false }, tokensIn: 1200, tokensOut: 60, model: req.model, provider: "gemini" };
    },
    async *stream(req) {
      const result = await this.generate(req);
      yield { type: "delta", text: result.text };
      yield { type: "result", result };
    },
  };
  return { model, started: called, release };
}

/** A web visitor's question, answered with `model` (nothing deferred: no cache or memories to race with). */
function ask(model: LanguageModel) {
  const id = ++n;
  return handleInbound(
    {
      businessId: DEMO_BUSINESS_ID,
      channelId: webChannelId,
      channelKind: "web",
      from: { kind: "web", value: `takeover-visitor-${id}` },
      text: `Can I drink alcohol after a tooth extraction? (visit ${id})`,
      providerMessageId: `takeover-${id}`,
    },
    { model, defer: () => undefined },
  );
}

const conversationOf = async (providerMessageId: string) =>
  (await withService((tx) => tx.select().from(s.messages).where(and(eq(s.messages.channelId, webChannelId), eq(s.messages.providerMessageId, providerMessageId)))))[0]!;

const assistantMessages = (conversationId: string) =>
  withService((tx) => tx.select({ id: s.messages.id }).from(s.messages).where(and(eq(s.messages.conversationId, conversationId), eq(s.messages.role, "assistant"))));

const takeOver = (conversationId: string) => actOnConversation({ ctx, input: { id: conversationId, action: { action: "take_over" } } }, { defer: () => undefined });

beforeAll(async () => {
  ctx = await useDemoBusiness();
  const [web] = await withService((tx) => tx.select({ id: s.channels.id }).from(s.channels).where(and(eq(s.channels.businessId, DEMO_BUSINESS_ID), eq(s.channels.kind, "web"))));
  webChannelId = web!.id;
});
afterAll(() => closeDb());

it("a take-over while the model is answering: the AI reply is not stored, the message says why, and the call stays paid", async () => {
  const held = heldModel();
  const pending = ask(held.model);
  await held.started;
  const message = await conversationOf(`takeover-${n}`);
  const taken = await takeOver(message.conversationId);
  expect(taken.conversation).toMatchObject({ status: "waiting_human", assigneeId: ctx.actor.userId });

  held.release();
  const result = await pending;
  expect(result.reply).toBeNull();
  expect(result.noReply).toEqual({ reason: "waiting_human" });
  expect(await assistantMessages(message.conversationId)).toEqual([]);
  const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, message.id)));
  expect(after!.metadata).toMatchObject({ outcome: "no_reply:taken_over" });
  expect(after!.metadata).not.toHaveProperty("answering");

  // The call happened: its cost is recorded against the message, and the budget holds nothing back.
  const [cost] = await withService((tx) =>
    rows<{ kind: string; cost_usd: number }>(tx, sql`select kind, cost_usd::float8 as cost_usd from cost_events where message_id = ${message.id}`),
  );
  expect(cost).toMatchObject({ kind: "model", cost_usd: expect.any(Number) });
  expect(cost!.cost_usd).toBeGreaterThan(0);
  const [budget] = await withService((tx) =>
    rows<{ spent: string; reserved: string; recorded: string }>(
      tx,
      sql`select spent_usd::text as spent, reserved_usd::text as reserved,
                 (select coalesce(sum(cost_usd), 0)::numeric(12,6)::text from cost_events where business_id = ${DEMO_BUSINESS_ID} and kind in ('model', 'embedding')) as recorded
          from budgets where business_id = ${DEMO_BUSINESS_ID}`,
    ),
  );
  expect(budget).toEqual({ spent: budget!.recorded, reserved: "0.000000", recorded: expect.any(String) });
  expect(Number(budget!.spent)).toBeGreaterThan(0);
});

it("a take-over and the AI's answer at the same instant: once the take-over has returned, no AI reply appears", async () => {
  for (let round = 0; round < 12; round++) {
    const held = heldModel();
    const pending = ask(held.model);
    await held.started;
    const message = await conversationOf(`takeover-${n}`);
    // Release the model and take over at once; what staff see when the take-over returns is final.
    const [seen] = await Promise.all([takeOver(message.conversationId).then(() => assistantMessages(message.conversationId)), Promise.resolve().then(held.release)]);
    const result = await pending;
    expect(await assistantMessages(message.conversationId)).toEqual(seen);
    const [after] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.id, message.id)));
    // Whichever came first, the message's outcome tells the truth about it.
    if (result.reply) expect(after!.metadata).toMatchObject({ outcome: "replied", replyId: result.reply.id });
    else expect(after!.metadata).toMatchObject({ outcome: "no_reply:taken_over" });
  }
});
