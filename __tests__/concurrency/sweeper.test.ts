// Two sweepers running at the same time (two scheduler ticks, two instances) over the same stranded
// messages: each message is answered exactly once, and the customer gets that answer exactly once.
// Production mode against the local Twilio REST stand-in, so every text that goes out is counted.
import { and, eq, inArray } from "drizzle-orm";
import { withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { storeInbound } from "@/lib/pipeline/inbound";
import { sweep } from "@/lib/jobs/sweeper";
import { closeDb, useDemoBusiness, useTwilio } from "../helpers/demo";
import { OUR_NUMBER, TEST_ACCOUNT } from "../fixtures/twilio";

const QUESTIONS = ["What are your opening hours?", "Do you treat children?", "How much is a scale and polish?", "Is parking free?", "Where is the clinic?", "Do you take new patients?"];
let twilio: Awaited<ReturnType<typeof useTwilio>>;
let smsChannelId: string;
let webChannelId: string;

beforeAll(async () => {
  twilio = await useTwilio();
  const ctx = await useDemoBusiness();
  smsChannelId = (await connectTwilioChannel({ ctx, input: { kind: "sms", address: OUR_NUMBER, ...TEST_ACCOUNT } })).id;
  const [web] = await withService((tx) => tx.select({ id: s.channels.id }).from(s.channels).where(and(eq(s.channels.businessId, DEMO_BUSINESS_ID), eq(s.channels.kind, "web"))));
  webChannelId = web!.id;
});
afterAll(async () => {
  await closeDb();
  await twilio.stop();
});

it("two sweepers at once answer each stranded message exactly once, and text each answer once", async () => {
  // Messages stored a minute ago and never answered (the instance crashed after storing them).
  const receivedAt = new Date(Date.now() - 60_000);
  const phones = QUESTIONS.map((_, i) => `+4477009095${String(i).padStart(2, "0")}`);
  const stranded = [
    ...(await Promise.all(
      QUESTIONS.map((text, i) =>
        storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: smsChannelId, channelKind: "sms", from: { kind: "phone", value: phones[i]! }, text, receivedAt }),
      ),
    )),
    ...(await Promise.all(
      QUESTIONS.map((text, i) =>
        storeInbound({ businessId: DEMO_BUSINESS_ID, channelId: webChannelId, channelKind: "web", from: { kind: "web", value: `stranded-visitor-${i}` }, text, receivedAt }),
      ),
    )),
  ].map((r) => r.message);

  const [a, b] = await Promise.all([sweep(), sweep()]);
  expect(a.failed + b.failed).toBe(0);
  expect(a.answered + b.answered).toBe(stranded.length);

  const answers = await withService((tx) =>
    tx
      .select({ replyToId: s.messages.replyToId, content: s.messages.content })
      .from(s.messages)
      .where(and(eq(s.messages.role, "assistant"), inArray(s.messages.replyToId, stranded.map((m) => m.id)))),
  );
  expect(answers.map((r) => r.replyToId).sort()).toEqual(stranded.map((m) => m.id).sort());
  const outcomes = await withService((tx) => tx.select({ metadata: s.messages.metadata }).from(s.messages).where(inArray(s.messages.id, stranded.map((m) => m.id))));
  for (const { metadata } of outcomes) expect(metadata).toMatchObject({ outcome: "replied" });

  // Each SMS customer got one text, not one per sweeper.
  const texts = twilio.requests.filter((r) => r.method === "POST" && r.path.endsWith("/Messages.json"));
  expect(texts.map((r) => r.form.To).sort()).toEqual([...phones].sort());

  // and a sweep afterwards finds nothing left to do
  expect(await sweep()).toMatchObject({ answered: 0, failed: 0 });
});
