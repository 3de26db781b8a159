// The web chat's satisfaction survey: once staff close the conversation, the chat's state carries it
// (the page shows five rating buttons) and the visitor rates it once through POST …/csat.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { eq, sql } from "drizzle-orm";
import { closeDb, withService } from "@/lib/db/client";
import { csatSurveys, messages } from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_SLUG } from "@/lib/db/seed-data";
import { ChatEventParser, type ChatEvent, type ChatPoll } from "@/lib/chat/protocol";
import { actOnConversation } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { GET as pollRoute, POST as sendRoute } from "@/app/api/chat/[slug]/messages/route";
import { POST as csatRoute } from "@/app/api/chat/[slug]/csat/route";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import { useDemoBusiness } from "../../helpers/demo";

const BASE = "http://localhost:3000";
const params = () => ({ params: Promise.resolve({ slug: DEMO_SLUG }) });
let seq = 0;

function request(method: string, path: string, body: unknown, token?: string) {
  const headers: Record<string, string> = { [SOCKET_ADDRESS_HEADER]: "203.0.113.77" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return new Request(`${BASE}/api/chat/${DEMO_SLUG}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function newSession() {
  const res = await sessionRoute(request("POST", "/session", {}), params());
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** The visitor writes; returns their conversation. */
async function visitorWrites(token: string, text: string): Promise<string> {
  const res = await sendRoute(request("POST", "/messages", { text, clientId: `csat-client-${Date.now().toString(36)}-${++seq}` }, token), params());
  expect(res.status).toBe(200);
  const list: ChatEvent[] = new ChatEventParser().push(await res.text());
  const accepted = list.find((e): e is Extract<ChatEvent, { type: "accepted" }> => e.type === "accepted")!;
  const [m] = await withService((tx) => tx.select().from(messages).where(eq(messages.id, accepted.message.id)));
  return m!.conversationId;
}

async function poll(token: string): Promise<ChatPoll> {
  const res = await pollRoute(request("GET", "/messages", undefined, token), params());
  expect(res.status).toBe(200);
  return (await res.json()) as ChatPoll;
}

const rate = (token: string | undefined, body: unknown) => csatRoute(request("POST", "/csat", body, token), params());

let ctx: MemberCtx;
beforeAll(async () => {
  ctx = await useDemoBusiness();
  await withService((tx) =>
    tx.execute(sql`update businesses set limits = ${JSON.stringify({ customerMinIntervalSeconds: 0, customerPerDay: 1000, ipPerMinute: 1000 })}::jsonb where id = ${DEMO_BUSINESS_ID}`),
  );
});
afterAll(() => closeDb());

describe("rating a web chat conversation", () => {
  it("is offered once the conversation is closed, and taken once", async () => {
    const token = await newSession();
    const conversationId = await visitorWrites(token, "How much is a scale and polish?");
    expect((await poll(token)).state.csat).toBeUndefined();

    await actOnConversation({ ctx, input: { id: conversationId, action: { action: "close" } } }, { defer: () => undefined });
    const closed = await poll(token);
    expect(closed.state).toMatchObject({ status: "closed", csat: { conversationId, rating: null } });
    // Nothing is sent as a message on web chat: the buttons are the survey.
    expect(closed.messages.map((m) => m.role)).not.toContain("system");

    const res = await rate(token, { conversationId, rating: 5 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ csat: { rating: 5 } });
    expect((await poll(token)).state.csat).toEqual({ conversationId, rating: 5 });
    const [survey] = await withService((tx) => tx.select().from(csatSurveys).where(eq(csatSurveys.conversationId, conversationId)));
    expect(survey).toMatchObject({ channelKind: "web", rating: 5 });
    expect(survey!.answeredAt).toBeInstanceOf(Date);

    const again = await rate(token, { conversationId, rating: 1 });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: "conflict", message: "You already rated this conversation. Thank you!" } });
    expect((await poll(token)).state.csat).toEqual({ conversationId, rating: 5 });
  });

  it("refuses bad input with a message a person can act on", async () => {
    const token = await newSession();
    const conversationId = await visitorWrites(token, "Do you have parking?");
    await actOnConversation({ ctx, input: { id: conversationId, action: { action: "close" } } }, { defer: () => undefined });
    for (const body of [{ conversationId, rating: 6 }, { conversationId, rating: 0 }, { conversationId, rating: 2.5 }, { conversationId, rating: "4" }, { conversationId }]) {
      const res = await rate(token, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/rating must be a whole number from 1 to 5/);
    }
    const bad = await rate(token, { conversationId: "not-an-id", rating: 3 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/not a conversation of this chat/);
    expect((await poll(token)).state.csat).toEqual({ conversationId, rating: null });
  });

  it("is not found for another visitor's conversation, or one still open; a missing session is refused", async () => {
    const owner = await newSession();
    const conversationId = await visitorWrites(owner, "Can I book a check-up?");
    const stranger = await newSession();
    await visitorWrites(stranger, "Hello");

    // still open: no survey yet
    expect((await rate(owner, { conversationId, rating: 4 })).status).toBe(404);

    await actOnConversation({ ctx, input: { id: conversationId, action: { action: "close" } } }, { defer: () => undefined });
    const res = await rate(stranger, { conversationId, rating: 1 });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "There is no survey for that conversation." } });
    expect((await poll(stranger)).state.csat).toBeUndefined();
    expect((await rate(undefined, { conversationId, rating: 1 })).status).toBe(401);

    const [survey] = await withService((tx) => tx.select().from(csatSurveys).where(eq(csatSurveys.conversationId, conversationId)));
    expect(survey).toMatchObject({ rating: null, answeredAt: null });
  });
});
