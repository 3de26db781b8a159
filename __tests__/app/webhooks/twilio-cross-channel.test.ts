// One phone number on SMS, then WhatsApp, then a call: one customer, one timeline, and the call's
// model context carries what they wrote by SMS. Real routes, signed Twilio payloads, and the Gemini
// stand-in recording exactly what the model was sent.
import { sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { readMessages, readVoice } from "@/lib/channels/twilio/twiml";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { POST as callPost } from "@/app/api/webhooks/twilio/voice/route";
import { POST as gatherPost } from "@/app/api/webhooks/twilio/voice/gather/route";
import { closeDb, useDemoBusiness, useGemini } from "../../helpers/demo";
import { ORIGIN, OUR_NUMBER, OUR_WHATSAPP, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../../fixtures/twilio";

const PHONE = "+447700900777";
const SMS_TEXT = "Hi, this is Jordan. I chipped my front tooth on a fork last night.";
let gemini: Awaited<ReturnType<typeof useGemini>>;

beforeAll(async () => {
  gemini = await useGemini();
  const ctx = await useDemoBusiness();
  for (const [kind, address] of [["sms", OUR_NUMBER], ["whatsapp", OUR_WHATSAPP], ["voice", OUR_NUMBER]] as const) {
    await connectTwilioChannel({ ctx, input: { kind, address, ...TEST_ACCOUNT } });
  }
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  await gemini.stop();
});

it("SMS, then WhatsApp, then a call from one number: one customer, and the call's context has the SMS", async () => {
  gemini.script("*", { kind: "json", value: { reply: "Sorry to hear that, Jordan. Keep the piece if you have it.", handoff: false } });
  const sms = await smsPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/sms`, fixture("sms-inbound", { MessageSid: sid("SM", 7001), From: PHONE, Body: SMS_TEXT })));
  expect(readMessages(await sms.text())[0]!.body).toMatch(/Jordan/);
  await backgroundIdle();

  gemini.script("*", { kind: "json", value: { reply: "Yes, please send a photo of the tooth here.", handoff: false } });
  const wa = await whatsappPost(
    twilioRequest(
      `${ORIGIN}/api/webhooks/twilio/whatsapp`,
      fixture("whatsapp-inbound-text", { MessageSid: sid("SM", 7002), From: `whatsapp:${PHONE}`, WaId: PHONE.slice(1), Body: "Can I send you a photo of it on here?" }),
    ),
  );
  expect(readMessages(await wa.text())[0]!.body).toBe("Yes, please send a photo of the tooth here.");
  await backgroundIdle();

  const callSid = sid("CA", 7003);
  const call = { CallSid: callSid, From: PHONE, Caller: PHONE };
  const greeting = readVoice(await (await callPost(twilioRequest(`${ORIGIN}/api/webhooks/twilio/voice`, fixture("voice-incoming", call)))).text());
  const action = (greeting[0] as { action: string }).action;
  gemini.reset();
  gemini.script("*", { kind: "json", value: { reply: "We can see you at four today for the chipped tooth.", handoff: false } });
  const turn = readVoice(await (await gatherPost(twilioRequest(action, fixture("voice-gather", { ...call, SpeechResult: "I'm calling about the tooth I told you about, can you fit me in today?" })))).text());
  expect((turn[0] as { prompts: { text: string }[] }).prompts[0]!.text).toBe("We can see you at four today for the chipped tooth.");

  // One customer behind three channels, one conversation per channel.
  const timeline = await withService((tx) =>
    rows<{ customer_id: string; kind: string; role: string; content: string }>(
      tx,
      sql`select m.customer_id, c.kind, m.role, m.content from messages m join channels c on c.id = m.channel_id
          where m.customer_id = (select customer_id from messages where provider_message_id = ${sid("SM", 7001)}) order by m.created_at, m.role desc`,
    ),
  );
  expect(new Set(timeline.map((m) => m.customer_id)).size).toBe(1);
  expect(timeline.filter((m) => m.role === "customer").map((m) => m.kind)).toEqual(["sms", "whatsapp", "voice"]);
  const identities = await withService((tx) => rows<{ kind: string }>(tx, sql`select kind from customer_identities where customer_id = ${timeline[0]!.customer_id}`));
  expect(identities).toEqual([{ kind: "phone" }]);

  // What the model was sent for the call: the SMS is in it, and the call is styled for speech.
  const request = gemini.calls("generateContent").at(-1)!;
  const sent = JSON.stringify(request.body.contents) + JSON.stringify(request.body.systemInstruction);
  expect(sent).toContain("chipped my front tooth on a fork");
  expect(sent).toContain("Can I send you a photo of it on here?");
  expect(sent).toMatch(/spoken aloud on a phone call/);
  const [reply] = await withService((tx) =>
    rows<{ history: number }>(tx, sql`select (metadata->'trace'->'context'->>'history')::int as history from messages where role = 'assistant' and content like 'We can see you at four%'`),
  );
  expect(reply!.history).toBeGreaterThanOrEqual(4);
});
