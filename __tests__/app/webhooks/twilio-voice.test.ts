// A phone call through /api/webhooks/twilio/voice/*, as Twilio drives it: greeting, the
// <Gather input="speech"> loop through the pipeline, silence, goodbye, hand-off to the forwarding
// number or a message after hours, and the status callback's duration and cost. Twilio's documented
// voice payloads, signed; the Gemini stand-in answers what the FAQ does not.
import { and, eq, sql } from "drizzle-orm";
import { rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID } from "@/lib/db/seed-data";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { backgroundIdle, setReplyDeadlineForTests } from "@/lib/channels/twilio/background";
import { readVoice, type VoiceStep } from "@/lib/channels/twilio/twiml";
import type { MemberCtx } from "@/lib/services/context";
import { POST as incoming } from "@/app/api/webhooks/twilio/voice/route";
import { POST as gather } from "@/app/api/webhooks/twilio/voice/gather/route";
import { POST as voicemail } from "@/app/api/webhooks/twilio/voice/message/route";
import { POST as dial } from "@/app/api/webhooks/twilio/voice/dial/route";
import { POST as callStatus } from "@/app/api/webhooks/twilio/voice/status/route";
import { closeDb, useDemoBusiness, useGemini } from "../../helpers/demo";
import { ORIGIN, OUR_NUMBER, TEST_ACCOUNT, fixture, sid, twilioRequest } from "../../fixtures/twilio";

const VOICE = `${ORIGIN}/api/webhooks/twilio/voice`;
const FORWARD = "+442071234567";
const AMY = { voice: "Polly.Amy-Neural", language: "en-GB" };
let gemini: Awaited<ReturnType<typeof useGemini>>;
let ctx: MemberCtx;
let channelId: string;
let n = 500;

/** A new call from a new caller. */
function newCall() {
  const callSid = sid("CA", ++n);
  const from = `+1415555${String(n).padStart(4, "0")}`;
  const base = { CallSid: callSid, From: from, Caller: from };
  return {
    callSid,
    from,
    start: async () => readTwiml(await incoming(twilioRequest(VOICE, fixture("voice-incoming", base)))),
    say: async (url: string, speech: string | null) =>
      readTwiml(await gather(twilioRequest(url, fixture("voice-gather", { ...base, SpeechResult: speech ?? undefined, Confidence: speech ? "0.91" : undefined })))),
  };
}

async function readTwiml(res: Response): Promise<{ status: number; xml: string; steps: VoiceStep[] }> {
  const xml = await res.text();
  return { status: res.status, xml, steps: res.ok ? readVoice(xml) : [] };
}

const gatherOf = (steps: VoiceStep[]) => steps.find((x): x is Extract<VoiceStep, { verb: "Gather" }> => x.verb === "Gather");

async function setHours(open: boolean) {
  const hours = open ? { enabled: false } : { enabled: true, weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
  await withService((tx) =>
    tx
      .update(s.businesses)
      .set({ aiSettings: sql`${s.businesses.aiSettings} || ${JSON.stringify({ hours })}::jsonb` })
      .where(eq(s.businesses.id, DEMO_BUSINESS_ID)),
  );
}

async function connectVoice(settings: Record<string, unknown>, enabled = true) {
  const c = await connectTwilioChannel({ ctx, input: { kind: "voice", address: OUR_NUMBER, ...TEST_ACCOUNT, enabled, settings } });
  channelId = c.id;
}

const messagesOf = (callSid: string) =>
  withService((tx) =>
    rows<{ role: string; content: string; conversation_id: string; customer_id: string; metadata: Record<string, unknown> }>(
      tx,
      sql`select role, content, conversation_id, customer_id, metadata from messages
          where conversation_id in (select conversation_id from messages where metadata->>'callSid' = ${callSid})
          order by created_at, role desc`,
    ),
  );

beforeAll(async () => {
  gemini = await useGemini();
  ctx = await useDemoBusiness();
  await connectVoice({ voice: "Polly.Amy-Neural", forwardingNumber: FORWARD, greeting: "Thanks for calling Riverside Dental. How can I help?" });
  await setHours(true);
});
beforeEach(() => gemini.reset());
afterEach(() => setReplyDeadlineForTests(undefined));
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
  await gemini.stop();
});

describe("the call loop", () => {
  it("greets in the business's voice and listens for speech", async () => {
    const call = newCall();
    const { status, xml, steps } = await call.start();
    expect(status).toBe(200);
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response>' +
        `<Gather input="speech" action="${VOICE}/gather?turn=1&amp;silence=0" method="POST" language="en-GB" speechTimeout="auto" timeout="5" actionOnEmptyResult="true">` +
        '<Say voice="Polly.Amy-Neural" language="en-GB">Thanks for calling Riverside Dental. How can I help?</Say>' +
        "</Gather></Response>",
    );
    expect(steps).toHaveLength(1);
  });

  it("answers each utterance through the pipeline, spoken inside the next Gather", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const turn = await call.say(first.action, "What are your opening hours?");
    expect(turn.status).toBe(200);
    const next = gatherOf(turn.steps)!;
    expect(next.action).toBe(`${VOICE}/gather?turn=2&silence=0`);
    expect(next.prompts).toEqual([{ text: expect.stringMatching(/^We are open Monday to Wednesday/), ...AMY }]);
    const stored = await messagesOf(call.callSid);
    expect(stored.map((m) => [m.role, m.content.slice(0, 20)])).toEqual([
      ["customer", "What are your openin"],
      ["assistant", "We are open Monday t"],
    ]);
    expect(stored[0]!.metadata).toMatchObject({ callSid: call.callSid, turn: 1, confidence: 0.91 });

    // The model hears it was a call: the voice style.
    const other = await call.say(next.action, "Can you explain what a root canal involves?");
    expect(gatherOf(other.steps)!.prompts[0]!.text).toBe("Default reply from gemini-2.5-flash-lite.");
    const system = JSON.stringify(gemini.calls("generateContent").at(-1)?.body.systemInstruction);
    expect(system).toMatch(/spoken aloud on a phone call/);
  });

  it("a NUL character in what the caller said is dropped and the call goes on", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const turn = await call.say(first.action, "What are your\u0000 opening hours?");
    expect(turn.status).toBe(200);
    expect(gatherOf(turn.steps)!.prompts[0]!.text).toMatch(/^We are open Monday to Wednesday/);
    expect((await messagesOf(call.callSid))[0]!.content).toBe("What are your opening hours?");
  });

  it("a retried turn replays its answer and never answers twice", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const a = await call.say(first.action, "Where is the clinic?");
    const b = await call.say(first.action, "Where is the clinic?");
    expect(b.xml).toBe(a.xml);
    expect((await messagesOf(call.callSid)).filter((m) => m.role === "customer")).toHaveLength(1);
  });

  it("asks again after silence, then ends politely after a second one", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const once = await call.say(first.action, null);
    const again = gatherOf(once.steps)!;
    expect(again.action).toBe(`${VOICE}/gather?turn=2&silence=1`);
    expect(again.prompts[0]!.text).toBe("Sorry, I didn't catch that. How can I help?");
    const twice = await call.say(again.action, null);
    expect(twice.steps).toEqual([
      { verb: "Say", text: "I haven't heard anything, so I'll end the call here. Thanks for calling, goodbye.", ...AMY },
      { verb: "Hangup" },
    ]);
    // Speaking again resets the count.
    const call2 = newCall();
    const g1 = gatherOf((await call2.start()).steps)!;
    const s1 = gatherOf((await call2.say(g1.action, null)).steps)!;
    const spoke = gatherOf((await call2.say(s1.action, "Where is the clinic?")).steps)!;
    expect(spoke.action).toBe(`${VOICE}/gather?turn=3&silence=0`);
  });

  it("a caller is not held to the per-message interval: the call paces itself", async () => {
    await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 60 } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    try {
      const call = newCall();
      const first = gatherOf((await call.start()).steps)!;
      const answered = gatherOf((await call.say(first.action, "Where is the clinic?")).steps)!;
      const next = gatherOf((await call.say(answered.action, "And do you have parking?")).steps)!;
      expect(next.prompts[0]!.text).not.toBe("Sorry, I missed that. Could you say it again?");
      expect(next.action).toBe(`${VOICE}/gather?turn=3&silence=0`);
    } finally {
      await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 0 } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    }
  });

  it("a turn the rate limit holds back is asked again, not hung up on, but not forever", async () => {
    // One message a day per customer: the first utterance is answered, the rest are held back.
    await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 0, customerPerDay: 1 } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    try {
      const call = newCall();
      const first = gatherOf((await call.start()).steps)!;
      const answered = gatherOf((await call.say(first.action, "Where is the clinic?")).steps)!;
      const held = await call.say(answered.action, "And do you have parking?");
      const again = gatherOf(held.steps)!;
      expect(again.prompts[0]!.text).toBe("Sorry, I missed that. Could you say it again?");
      expect(again.action).toBe(`${VOICE}/gather?turn=3&silence=1`);
      const stillHeld = await call.say(again.action, "Parking?");
      expect(stillHeld.steps.map((x) => x.verb)).toEqual(["Say", "Hangup"]);
      // Every utterance is in the transcript, answered or not.
      expect((await messagesOf(call.callSid)).filter((m) => m.role === "customer").map((m) => m.content)).toEqual(["Where is the clinic?", "And do you have parking?", "Parking?"]);
    } finally {
      await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 0 } }).where(eq(s.businesses.id, DEMO_BUSINESS_ID)));
    }
  });

  it("ends on goodbye, keeping it in the transcript", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const bye = await call.say(first.action, "Okay, that's all, thank you. Bye!");
    expect(bye.steps).toEqual([{ verb: "Say", text: "Thanks for calling. Goodbye!", ...AMY }, { verb: "Hangup" }]);
    const stored = await messagesOf(call.callSid);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ["customer", "Okay, that's all, thank you. Bye!"],
      ["assistant", "Thanks for calling. Goodbye!"],
    ]);
    expect(gemini.calls("generateContent")).toHaveLength(0);
  });
});

describe("a person, please", () => {
  it("dials the forwarding number while open; no answer there means a message for the team", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const transfer = await call.say(first.action, "Can I speak to a person, please?");
    expect(transfer.steps).toEqual([
      { verb: "Say", text: "Of course. Connecting you to a member of our team now.", ...AMY },
      { verb: "Dial", number: FORWARD, action: `${VOICE}/dial?turn=2`, attrs: expect.objectContaining({ callerId: OUR_NUMBER, timeout: "20", answerOnBridge: "true" }) },
    ]);
    const [conversation] = await withService((tx) =>
      rows<{ status: string }>(tx, sql`select c.status from conversations c join messages m on m.conversation_id = c.id where m.metadata->>'callSid' = ${call.callSid} limit 1`),
    );
    expect(conversation!.status).toBe("waiting_human");

    const noAnswer = await readTwiml(await dial(twilioRequest(`${VOICE}/dial?turn=2`, fixture("voice-dial-no-answer", { CallSid: call.callSid, From: call.from, Caller: call.from }))));
    const leave = gatherOf(noAnswer.steps)!;
    expect(leave.action).toBe(`${VOICE}/message?turn=2`);
    expect(leave.prompts[0]!.text).toMatch(/^Sorry, nobody from the team can take your call right now/);

    const left = await readTwiml(
      await voicemail(
        twilioRequest(leave.action, fixture("voice-gather", { CallSid: call.callSid, From: call.from, Caller: call.from, SpeechResult: "Hi, it's Sam, please call me back about my crown." })),
      ),
    );
    expect(left.steps).toEqual([
      { verb: "Say", text: "Thank you, we've got your message and will get back to you as soon as we can. Goodbye.", ...AMY },
      { verb: "Hangup" },
    ]);
    const stored = await messagesOf(call.callSid);
    expect(stored.at(-1)).toMatchObject({ role: "customer", content: "Hi, it's Sam, please call me back about my crown.", metadata: expect.objectContaining({ voicemail: true }) });
    // The team was told by email (the outbox) that a customer waits.
    const mail = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from outbox where payload->>'kind' = 'handoff' and payload->>'conversationId' = ${stored[0]!.conversation_id}`));
    expect(mail[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it("outside opening hours takes a message instead of dialling", async () => {
    await setHours(false);
    try {
      const call = newCall();
      const first = gatherOf((await call.start()).steps)!;
      const r = await call.say(first.action, "I'd like to talk to someone");
      const leave = gatherOf(r.steps)!;
      expect(r.steps.some((x) => x.verb === "Dial")).toBe(false);
      expect(leave.action).toBe(`${VOICE}/message?turn=2`);
      expect(leave.prompts[0]!.text).toMatch(/^We're closed right now/);
    } finally {
      await setHours(true);
    }
  });

  it("without a forwarding number takes a message", async () => {
    await connectVoice({ voice: "Polly.Amy-Neural", forwardingNumber: "" });
    try {
      const call = newCall();
      const first = gatherOf((await call.start()).steps)!;
      const r = await call.say(first.action, "Agent please");
      expect(r.steps.some((x) => x.verb === "Dial")).toBe(false);
      expect(gatherOf(r.steps)!.action).toMatch(/\/voice\/message\?turn=2$/);
    } finally {
      await connectVoice({ voice: "Polly.Amy-Neural", forwardingNumber: FORWARD, greeting: "Thanks for calling Riverside Dental. How can I help?" });
    }
  });
});

describe("the end of the call", () => {
  it("records the duration and its cost in the caller's timeline, once", async () => {
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    await call.say(first.action, "Where is the clinic?");
    const statusUrl = `${VOICE}/status`;
    const payload = fixture("voice-status-completed", { CallSid: call.callSid, From: call.from, Caller: call.from });
    expect((await callStatus(twilioRequest(statusUrl, payload))).status).toBe(200);
    expect((await callStatus(twilioRequest(statusUrl, payload))).status).toBe(200); // a retry
    const stored = await messagesOf(call.callSid);
    expect(stored.at(-1)).toMatchObject({ role: "system", content: "Call ended after 2 min 5 s.", metadata: expect.objectContaining({ durationSeconds: 125, minutes: 3 }) });
    const costs = await withService((tx) =>
      rows<{ kind: string; units: number; cost: number }>(tx, sql`select kind, units, cost_usd::float8 as cost from cost_events where conversation_id = ${stored[0]!.conversation_id} and kind like 'voice%'`),
    );
    expect(costs).toEqual([{ kind: "voice", units: 3, cost: 0.0255 }]);
  });

  it("a silent call still appears in the caller's timeline", async () => {
    const call = newCall();
    await call.start();
    await callStatus(twilioRequest(`${VOICE}/status`, fixture("voice-status-completed", { CallSid: call.callSid, From: call.from, Caller: call.from, CallDuration: "9" })));
    const stored = await messagesOf(call.callSid);
    expect(stored.map((m) => [m.role, m.content])).toEqual([["system", "Call ended after 9 s."]]);
  });

  it("ignores progress callbacks that are not the end", async () => {
    const call = newCall();
    const res = await callStatus(twilioRequest(`${VOICE}/status`, fixture("voice-status-completed", { CallSid: call.callSid, CallStatus: "in-progress" })));
    expect(res.status).toBe(200);
    expect(await messagesOf(call.callSid)).toEqual([]);
  });
});

describe("slower than Twilio waits", () => {
  it("keeps the caller company, then the redirect speaks the answer", async () => {
    setReplyDeadlineForTests(150);
    gemini.script("*", { kind: "json", value: { reply: "Whitening takes about an hour.", handoff: false }, delayMs: 500 });
    const call = newCall();
    const first = gatherOf((await call.start()).steps)!;
    const wait = await call.say(first.action, "How long does teeth whitening take?");
    expect(wait.steps).toEqual([
      { verb: "Say", text: "One moment, please.", ...AMY },
      { verb: "Pause", length: 1 },
      { verb: "Redirect", url: `${VOICE}/gather?turn=1&silence=0&wait=1` },
    ]);
    const redirect = wait.steps[2] as Extract<VoiceStep, { verb: "Redirect" }>;
    const answer = await call.say(redirect.url, null); // Twilio follows the redirect with the call's fields
    expect(gatherOf(answer.steps)!.prompts[0]!.text).toBe("Whitening takes about an hour.");
    expect(gatherOf(answer.steps)!.action).toBe(`${VOICE}/gather?turn=2&silence=0`);
    await backgroundIdle();
  });
});

describe("refused requests", () => {
  it("403 on a bad signature and 400 on a malformed body, storing nothing", async () => {
    const before = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from webhook_events`));
    const bad = await incoming(twilioRequest(VOICE, fixture("voice-incoming", { CallSid: sid("CA", ++n) }), { authToken: "2".repeat(32) }));
    expect(bad.status).toBe(403);
    const malformed = await incoming(twilioRequest(VOICE, fixture("voice-incoming", { CallSid: "not-a-call" })));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: { code: "bad_request", message: "CallSid: CallSid is not a Twilio call SID" } });
    const after = await withService((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from webhook_events`));
    expect(after).toEqual(before);
  });

  it("a disabled channel says so and hangs up", async () => {
    await connectVoice({ voice: "Polly.Amy-Neural" }, false);
    try {
      const r = await newCall().start();
      expect(r.steps).toEqual([{ verb: "Say", text: "Sorry, this number isn't taking calls right now. Goodbye.", ...AMY }, { verb: "Hangup" }]);
    } finally {
      await connectVoice({ voice: "Polly.Amy-Neural", forwardingNumber: FORWARD, greeting: "Thanks for calling Riverside Dental. How can I help?" });
    }
  });

  it("a withheld number is still answered, as a one-off caller", async () => {
    const call = newCall();
    const fields = fixture("voice-gather", { CallSid: call.callSid, From: "+266696687", Caller: "+266696687", SpeechResult: "Where is the clinic?" });
    const r = await readTwiml(await gather(twilioRequest(`${VOICE}/gather?turn=1&silence=0`, fields)));
    expect(gatherOf(r.steps)!.prompts[0]!.text).toMatch(/Riverside Walk/);
    const [identity] = await withService((tx) =>
      rows<{ kind: string }>(
        tx,
        sql`select i.kind from customer_identities i join messages m on m.customer_id = i.customer_id where m.metadata->>'callSid' = ${call.callSid} limit 1`,
      ),
    );
    expect(identity!.kind).toBe("web");
    expect(channelId).toBeTruthy();
  });
});

it("all turns of a call are one conversation on the voice channel", async () => {
  const call = newCall();
  const g = gatherOf((await call.start()).steps)!;
  const t1 = gatherOf((await call.say(g.action, "What are your opening hours?")).steps)!;
  await call.say(t1.action, "Where is the clinic?");
  const stored = await messagesOf(call.callSid);
  expect(new Set(stored.map((m) => m.conversation_id)).size).toBe(1);
  const [conv] = await withService((tx) => tx.select().from(s.conversations).where(and(eq(s.conversations.id, stored[0]!.conversation_id))));
  expect(conv!.channelId).toBe(channelId);
});
