// Connecting Twilio channels from the dashboard (roles, encryption at rest, one number one business,
// the URLs to paste) and the Channel simulator, which plays a customer by posting correctly signed
// Twilio payloads to the real webhook routes. Embedded mode: no Twilio environment.
import { eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { connectTwilioChannel, webhookUrls } from "@/lib/channels/twilio/channels";
import { findBusinessChannel } from "@/lib/channels/common/channels";
import { channelCredentials, signingCredentials, simulatorCredentials } from "@/lib/channels/twilio/credentials";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { simulate, type Post } from "@/lib/channels/simulator";
import type { MemberCtx } from "@/lib/services/context";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { POST as whatsappPost } from "@/app/api/webhooks/twilio/whatsapp/route";
import { POST as voicePost } from "@/app/api/webhooks/twilio/voice/route";
import { POST as gatherPost } from "@/app/api/webhooks/twilio/voice/gather/route";
import { POST as messagePost } from "@/app/api/webhooks/twilio/voice/message/route";
import { POST as dialPost } from "@/app/api/webhooks/twilio/voice/dial/route";
import { POST as voiceStatusPost } from "@/app/api/webhooks/twilio/voice/status/route";
import { useTestDb } from "../../helpers/db";
import { makeTenant, makeUser } from "../../helpers/fixtures";
import { ORIGIN, TEST_ACCOUNT, fixture, twilioRequest } from "../../fixtures/twilio";

const ROUTES: Record<string, (req: Request) => Promise<Response>> = {
  "/api/webhooks/twilio/sms": smsPost,
  "/api/webhooks/twilio/whatsapp": whatsappPost,
  "/api/webhooks/twilio/voice": voicePost,
  "/api/webhooks/twilio/voice/gather": gatherPost,
  "/api/webhooks/twilio/voice/message": messagePost,
  "/api/webhooks/twilio/voice/dial": dialPost,
  "/api/webhooks/twilio/voice/status": voiceStatusPost,
};
const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
/** What the dashboard's fetch does, minus the network: the request reaches the real route handler. */
const post: Post = async (url, init) => {
  sent.push({ url, headers: init.headers, body: init.body });
  return ROUTES[new URL(url).pathname]!(new Request(url, init));
};

let owner: MemberCtx;
let agent: MemberCtx;
let other: MemberCtx;

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const o = await makeUser(tx, "owner@chan.test");
    const a = await makeUser(tx, "agent@chan.test");
    const x = await makeUser(tx, "other@chan.test");
    const t = await makeTenant(tx, "chan-co", o.id);
    await tx.insert(s.members).values({ businessId: t.businessId, userId: a.id, role: "agent" });
    const u = await makeTenant(tx, "other-co", x.id);
    owner = { businessId: t.businessId, actor: { type: "member", userId: o.id, role: "owner" } };
    agent = { businessId: t.businessId, actor: { type: "member", userId: a.id, role: "agent" } };
    other = { businessId: u.businessId, actor: { type: "member", userId: x.id, role: "owner" } };
    await tx.insert(s.faqs).values({ businessId: t.businessId, question: "Do you deliver?", answer: "Yes, within 5 miles, every day." });
  });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("connecting", () => {
  it("owners connect a number; the auth token is encrypted at rest and audited without secrets", async () => {
    const c = await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+1 (501) 712-2661", ...TEST_ACCOUNT } });
    expect(c).toMatchObject({ kind: "sms", address: "+15017122661", enabled: true, name: "SMS +15017122661" });
    const [raw] = await withService((tx) => rows<{ credentials_encrypted: string }>(tx, sql`select credentials_encrypted from channels where id = ${c.id}`));
    expect(raw!.credentials_encrypted).toMatch(/^v1\./);
    expect(raw!.credentials_encrypted).not.toContain(TEST_ACCOUNT.authToken);
    expect(channelCredentials(c)).toEqual(TEST_ACCOUNT);
    const [audit] = await withService((tx) => rows<{ action: string; details: unknown }>(tx, sql`select action, details from audit_log where target_id = ${c.id}`));
    expect(audit).toMatchObject({ action: "channel.connected", details: { kind: "sms", account: "AC…c9ab", credentialsChanged: true } });
    expect(JSON.stringify(audit)).not.toContain(TEST_ACCOUNT.authToken);
  });

  it("keeps the stored account when the form leaves it blank, and forgets it on request", async () => {
    const kept = await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+15017122661", name: "Front desk" } });
    expect(kept.name).toBe("Front desk");
    expect(channelCredentials(kept)).toEqual(TEST_ACCOUNT);
    const cleared = await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+15017122661", clearCredentials: true } });
    expect(channelCredentials(cleared)).toBeNull();
    // With no account anywhere, webhooks are verified with the simulator's derived token.
    expect(signingCredentials(cleared)).toEqual({ ...simulatorCredentials(cleared), simulated: true });
  });

  it("validates with messages a person can act on", async () => {
    await expect(connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "12", ...TEST_ACCOUNT } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ message: "Enter the number in international format, e.g. +14155550100" })],
    });
    await expect(connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+15017122661", accountSid: "SK123", authToken: TEST_ACCOUNT.authToken } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ message: expect.stringMatching(/^The account SID starts with AC/) })],
    });
    await expect(connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+15017122661", accountSid: TEST_ACCOUNT.accountSid } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ message: "Enter both the account SID and the auth token, or neither" })],
    });
    await expect(connectTwilioChannel({ ctx: owner, input: { kind: "voice", address: "+15017122661", settings: { voice: "Robot" } } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ message: "Choose one of the listed voices" })],
    });
  });

  it("agents cannot connect, and a number belongs to one business", async () => {
    await expect(connectTwilioChannel({ ctx: agent, input: { kind: "sms", address: "+15017122661" } })).rejects.toMatchObject({ code: "forbidden" });
    await expect(connectTwilioChannel({ ctx: other, input: { kind: "sms", address: "+15017122661" } })).rejects.toMatchObject({
      code: "conflict",
      message: "+15017122661 is already connected to SMS for another business.",
    });
    // The same number may carry another kind (voice on the SMS number) for the business that owns it.
    await expect(connectTwilioChannel({ ctx: owner, input: { kind: "voice", address: "+15017122661", settings: { forwardingNumber: "+44 20 7123 4567" } } })).resolves.toMatchObject({
      kind: "voice",
      settings: { forwardingNumber: "+442071234567", voice: "Polly.Joanna-Neural", silenceTimeout: 5, greeting: "" },
    });
  });

  it("shows the exact URLs to paste into Twilio", () => {
    expect(webhookUrls("sms")).toEqual({ incoming: "http://localhost:3000/api/webhooks/twilio/sms", status: "http://localhost:3000/api/webhooks/twilio/status" });
    expect(webhookUrls("whatsapp").incoming).toBe("http://localhost:3000/api/webhooks/twilio/whatsapp");
    expect(webhookUrls("voice")).toEqual({ incoming: "http://localhost:3000/api/webhooks/twilio/voice", status: "http://localhost:3000/api/webhooks/twilio/voice/status" });
  });
});

describe("the Channel simulator", () => {
  it("plays an SMS customer through the real route, correctly signed, and shows the reply", async () => {
    sent.length = 0;
    const r = await simulate({ ctx: owner, input: { kind: "sms", from: "+447700900123", text: "Do you deliver?" }, origin: ORIGIN, post });
    expect(r).toMatchObject({ status: 200, replies: [{ body: "Yes, within 5 miles, every day.", media: [] }] });
    const [request] = sent;
    expect(request!.url).toBe(`${ORIGIN}/api/webhooks/twilio/sms`);
    const fields = Object.fromEntries(new URLSearchParams(request!.body));
    expect(Object.keys(fields).sort()).toEqual(Object.keys(fixture("sms-inbound", { MessagingServiceSid: undefined })).sort());
    // The same bytes with a forged signature are refused by the route.
    const forged = await smsPost(twilioRequest(request!.url, { ...fields, MessageSid: `SM${"9".repeat(32)}` }, { signature: request!.headers["x-twilio-signature"] }));
    expect(forged.status).toBe(403);
  });

  it("plays a call: greeting, a question, a hand-off with no one free, a message, hanging up", async () => {
    await withService((tx) => tx.update(s.businesses).set({ limits: { customerMinIntervalSeconds: 0 } }).where(eq(s.businesses.id, owner.businessId)));
    const start = await simulate({ ctx: owner, input: { kind: "voice", step: "start" }, origin: ORIGIN, post });
    expect(start.steps[0]).toMatchObject({ verb: "Gather", prompts: [{ text: "Hi! How can we help you today?", voice: "Polly.Joanna-Neural", language: "en-US" }] });
    expect(start.next).toBe(`${ORIGIN}/api/webhooks/twilio/voice/gather?turn=1&silence=0`);
    const callSid = start.callSid!;
    const ask = await simulate({ ctx: owner, input: { kind: "voice", step: "say", callSid, action: start.next!, speech: "Do you deliver?" }, origin: ORIGIN, post });
    expect(ask.steps[0]).toMatchObject({ verb: "Gather", prompts: [{ text: "Yes, within 5 miles, every day." }] });
    const person = await simulate({ ctx: owner, input: { kind: "voice", step: "say", callSid, action: ask.next!, speech: "Can I talk to a real person?" }, origin: ORIGIN, post });
    expect(person.steps.map((x) => x.verb)).toEqual(["Say", "Dial"]);
    const noAnswer = await simulate({ ctx: owner, input: { kind: "voice", step: "say", callSid, action: person.next!, speech: "" }, origin: ORIGIN, post });
    expect(noAnswer.next).toMatch(/\/voice\/message\?turn=\d+$/);
    const left = await simulate({ ctx: owner, input: { kind: "voice", step: "say", callSid, action: noAnswer.next!, speech: "Please call me back." }, origin: ORIGIN, post });
    expect(left.ended).toBe(true);
    const hangup = await simulate({ ctx: owner, input: { kind: "voice", step: "hangup", callSid, durationSeconds: 61 }, origin: ORIGIN, post });
    expect(hangup.status).toBe(200);
    const [ended] = await withService((tx) => rows<{ content: string }>(tx, sql`select content from messages where provider_message_id = ${`${callSid}:ended`}`));
    expect(ended!.content).toBe("Call ended after 1 min 1 s.");
  });

  it("refuses to post anywhere but this app's own voice routes", async () => {
    await expect(
      simulate({ ctx: owner, input: { kind: "voice", step: "say", callSid: `CA${"1".repeat(32)}`, action: "http://169.254.169.254/latest", speech: "x" }, origin: ORIGIN, post }),
    ).rejects.toMatchObject({ code: "bad_request" });
  });

  it("needs the channel connected first", async () => {
    await expect(simulate({ ctx: owner, input: { kind: "whatsapp", text: "hi" }, origin: ORIGIN, post })).rejects.toMatchObject({ code: "not_found" });
    expect(await withService((tx) => findBusinessChannel(tx, owner.businessId, "whatsapp"))).toBeUndefined();
  });
});
