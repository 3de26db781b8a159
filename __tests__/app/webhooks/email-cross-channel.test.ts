// One person, two channels: a customer known by email (Resend's signed event, content from Resend's
// stand-in) later opens the web chat and gives that email address. They are one customer, and the
// model's context for their chat message — what the Gemini stand-in was sent — holds the email thread.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_SLUG } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { ChatEventParser } from "@/lib/chat/protocol";
import { SOCKET_ADDRESS_HEADER } from "@/lib/security/client-ip";
import { POST as resendPost } from "@/app/api/webhooks/resend/route";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { POST as sendRoute } from "@/app/api/chat/[slug]/messages/route";
import { POST as contactRoute } from "@/app/api/chat/[slug]/contact/route";
import { closeDb, useDemoBusiness, useGemini } from "../../helpers/demo";
import type { GeminiStandIn } from "../../helpers/gemini-server";
import { useResend } from "../../helpers/providers";
import { resendFixture, resendRequest } from "../../fixtures/resend";

const SUPPORT = "support@riverside-dental.test";
const EMAIL_TEXT = "Hi, this is Robin. I lost a filling on my lower left molar yesterday and it is sensitive to cold.";
let api: Awaited<ReturnType<typeof useResend>>;
let gemini: GeminiStandIn & { stop(): Promise<void> };

const chat = (path: string, body: unknown, token?: string) =>
  new Request(`http://localhost:3000/api/chat/${DEMO_SLUG}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", [SOCKET_ADDRESS_HEADER]: "203.0.113.77", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const params = { params: Promise.resolve({ slug: DEMO_SLUG }) };

beforeAll(async () => {
  gemini = await useGemini();
  api = await useResend();
  const ctx = await useDemoBusiness();
  await connectEmailChannel({ ctx, input: { address: SUPPORT } });
});
afterAll(async () => {
  await api.stop();
  await closeDb();
  await gemini.stop();
});

it("a customer known by email who gives that email in web chat is one customer, and the chat's context holds the email thread", async () => {
  // ---- by email
  gemini.script("*", { kind: "json", value: { reply: "Sorry to hear that, Robin. Avoid chewing on that side; we can see you this week.", handoff: false } });
  const emailId = "0c1f7a52-3d2e-4b7a-9d36-5d1c2b3a4e5f";
  api.received.set(
    emailId,
    resendFixture("received-email", { id: emailId, from: "Robin Hart <robin.hart@example.com>", to: [SUPPORT], subject: "Lost filling", text: EMAIL_TEXT, html: null, message_id: "<robin-1@example.com>", headers: { "message-id": "<robin-1@example.com>" } }),
  );
  const event = resendFixture("email-received", { data: { email_id: emailId, from: "Robin Hart <robin.hart@example.com>", to: [SUPPORT], received_for: [SUPPORT], message_id: "<robin-1@example.com>", subject: "Lost filling" } });
  expect((await resendPost(await resendRequest("http://localhost:3000/api/webhooks/resend", event))).status).toBe(200);
  await backgroundIdle();
  expect(api.sent).toHaveLength(1);
  const [emailed] = await withService((tx) => tx.select().from(s.messages).where(eq(s.messages.providerMessageId, "<robin-1@example.com>")));

  // ---- then on the web chat, where Robin leaves the same address (in another case)
  const session = await sessionRoute(chat("/session", {}), params);
  const { token } = (await session.json()) as { token: string };
  const contact = await contactRoute(chat("/contact", { value: "Robin.Hart@Example.com" }, token), params);
  expect(contact.status).toBe(200);

  gemini.reset();
  gemini.script("*", { kind: "json", value: { reply: "Yes, Robin: we can fit you in at 4pm today for the lost filling.", handoff: false } });
  const res = await sendRoute(chat("/messages", { text: "Can you see me today about the tooth I emailed you about?", clientId: "robin-web-1" }, token), params);
  const events = new ChatEventParser().push(await res.text());
  expect(JSON.stringify(events)).toContain("we can fit you in at 4pm today");
  await backgroundIdle();

  // One customer behind both channels, one conversation on each.
  const timeline = await withService((tx) =>
    rows<{ customer_id: string; kind: string; role: string }>(
      tx,
      sql`select m.customer_id, ch.kind, m.role from messages m join channels ch on ch.id = m.channel_id where m.customer_id = ${emailed!.customerId} order by m.created_at`,
    ),
  );
  expect(timeline.filter((m) => m.role === "customer").map((m) => m.kind)).toEqual(["email", "web"]);
  const identities = await withService((tx) => rows<{ kind: string }>(tx, sql`select kind::text from customer_identities where customer_id = ${emailed!.customerId} order by kind`));
  expect(identities.map((i) => i.kind)).toEqual(["email", "web"]);

  // What the model was sent for the chat message: the email thread is in it.
  const request = gemini.calls("streamGenerateContent").at(-1) ?? gemini.calls("generateContent").at(-1)!;
  const sent = JSON.stringify(request.body.contents) + JSON.stringify(request.body.systemInstruction);
  expect(sent).toContain("lost a filling on my lower left molar");
  expect(sent).toContain("Avoid chewing on that side");
  expect(sent).toContain("Can you see me today about the tooth I emailed you about?");
});
