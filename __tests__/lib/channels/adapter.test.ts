// The one registry of channel adapters: every channel kind has one, WhatsApp picks its transport by
// the channel's provider, each verifies its provider's signature on the exact bytes (and refuses a
// changed body or another channel's signature), maps delivery statuses onto the one scale, and
// builds the payload the Channel simulator posts.
import twilio from "twilio";
import { ADAPTERS, adapterFor, PUSHED_KINDS } from "@/lib/channels/adapter";
import { sealCredentials } from "@/lib/channels/common/channels";
import { metaSignature } from "@/lib/channels/meta/app";
import { signingSecret, svixHeaders } from "@/lib/channels/email/svix";
import { signingCredentials } from "@/lib/channels/twilio/credentials";
import { encodeForm } from "@/lib/channels/twilio/request";
import { TelegramUpdate } from "@/lib/channels/telegram/parse";
import { InstagramWebhook } from "@/lib/channels/instagram/parse";
import { CloudValue, CloudWebhook } from "@/lib/channels/whatsapp/cloud-parse";
import { GatherResult } from "@/lib/channels/voice/parse";
import { resetEnvForTests } from "@/lib/env";
import type { Channel } from "@/lib/channels/twilio/channels";

const channel = (kind: string, extra: Partial<Channel> = {}): Channel =>
  ({
    id: `00000000-0000-4000-8000-${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`,
    businessId: "00000000-0000-4000-8000-000000000001",
    kind,
    name: kind,
    address: "+14155550100",
    enabled: true,
    settings: {},
    credentialsEncrypted: null,
    createdAt: new Date(),
    ...extra,
  }) as Channel;

const post = (url: string, body: string, headers: Record<string, string>) => new Request(url, { method: "POST", headers, body });

describe("the registry", () => {
  it("has an adapter for every channel kind, and WhatsApp's transport follows the channel's provider", () => {
    for (const kind of ["web", "sms", "whatsapp", "voice", "email", "telegram", "instagram"]) expect(adapterFor(channel(kind)).kind).toBe(kind);
    expect(adapterFor(channel("whatsapp")).key).toBe("whatsapp");
    expect(adapterFor(channel("whatsapp", { settings: { provider: "meta" } })).key).toBe("whatsapp-cloud");
    expect(() => adapterFor(channel("pigeon"))).toThrow(/No channel adapter/);
  });

  it("pushes on the channels that have a send, and on no others", () => {
    expect([...PUSHED_KINDS].sort()).toEqual(["email", "instagram", "sms", "telegram", "whatsapp"]);
    expect(ADAPTERS.web.deliver).toBeUndefined();
    expect(ADAPTERS.voice.deliver).toBeUndefined();
  });

  it("keeps the public webhook paths providers are configured with", () => {
    expect(ADAPTERS.sms.webhooks).toEqual(["/api/webhooks/twilio/sms", "/api/webhooks/twilio/status"]);
    expect(ADAPTERS.whatsapp.webhooks).toEqual(["/api/webhooks/twilio/whatsapp", "/api/webhooks/twilio/status"]);
    expect(ADAPTERS.voice.webhooks).toEqual(["/api/webhooks/twilio/voice", "/api/webhooks/twilio/voice/status"]);
    expect(ADAPTERS.email.webhooks).toEqual(["/api/webhooks/resend"]);
    expect(ADAPTERS.instagram.webhooks).toEqual(["/api/webhooks/meta/instagram"]);
    expect(ADAPTERS["whatsapp-cloud"].webhooks).toEqual(["/api/webhooks/meta/whatsapp"]);
  });
});

describe("verifying a webhook", () => {
  it("Twilio: X-Twilio-Signature over the URL and the form, with the channel's token", async () => {
    const sms = channel("sms");
    const url = "http://localhost:3000/api/webhooks/twilio/sms";
    const fields = { From: "+447700900123", To: sms.address, Body: "Hello" };
    const sig = twilio.getExpectedTwilioSignature(signingCredentials(sms).authToken, url, fields);
    const raw = encodeForm(fields);
    const headers = { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": sig };
    expect(await ADAPTERS.sms.verify!(post(url, raw, headers), raw, sms)).toBe(true);
    const changed = encodeForm({ ...fields, Body: "Hello!" });
    expect(await ADAPTERS.sms.verify!(post(url, changed, headers), changed, sms)).toBe(false);
    // another channel's token does not sign for this one
    expect(await ADAPTERS.sms.verify!(post(url, raw, headers), raw, channel("sms"))).toBe(false);
  });

  it("Meta: X-Hub-Signature-256 with the channel's app secret", async () => {
    const ig = channel("instagram", { address: "17841400000000000" });
    const raw = JSON.stringify({ object: "instagram", entry: [] });
    const url = "http://localhost:3000/api/webhooks/meta/instagram";
    const { appSecretFor } = await import("@/lib/channels/meta/app");
    const headers = { "x-hub-signature-256": metaSignature(appSecretFor(ig).secret, raw) };
    expect(await ADAPTERS.instagram.verify!(post(url, raw, headers), raw, ig)).toBe(true);
    expect(await ADAPTERS.instagram.verify!(post(url, raw + " ", headers), raw + " ", ig)).toBe(false);
    expect(await ADAPTERS.instagram.verify!(post(url, raw, {}), raw, ig)).toBe(false);
  });

  it("Resend: the svix headers", async () => {
    const raw = JSON.stringify({ type: "email.delivered", data: {} });
    const headers = await svixHeaders(signingSecret().secret, "msg_adapter_test", raw);
    const url = "http://localhost:3000/api/webhooks/resend";
    expect(await ADAPTERS.email.verify!(post(url, raw, headers), raw, channel("email"))).toBe(true);
    const changed = raw.replace("delivered", "bounced");
    expect(await ADAPTERS.email.verify!(post(url, changed, headers), changed, channel("email"))).toBe(false);
  });

  it("Telegram: the secret token given to setWebhook, and only this bot's", async () => {
    const bot = channel("telegram", { credentialsEncrypted: sealCredentials({ webhookSecret: "s3cret-s3cret-s3cret" }) });
    const url = `http://localhost:3000/api/webhooks/telegram/${bot.id}`;
    expect(await ADAPTERS.telegram.verify!(post(url, "{}", { "x-telegram-bot-api-secret-token": "s3cret-s3cret-s3cret" }), "{}", bot)).toBe(true);
    expect(await ADAPTERS.telegram.verify!(post(url, "{}", { "x-telegram-bot-api-secret-token": "s3cret-s3cret-s3creT" }), "{}", bot)).toBe(false);
    expect(await ADAPTERS.telegram.verify!(post(url, "{}", {}), "{}", bot)).toBe(false);
    expect(await ADAPTERS.telegram.verify!(post(url, "{}", { "x-telegram-bot-api-secret-token": "s3cret-s3cret-s3cret" }), "{}", channel("telegram"))).toBe(false);
  });
});

describe("verifying with no channel", () => {
  it("Meta falls back to the platform's app secret; a bot's secret is never a platform's", async () => {
    const raw = JSON.stringify({ object: "instagram", entry: [] });
    const url = "http://localhost:3000/api/webhooks/meta/instagram";
    const prev = process.env.META_APP_SECRET;
    process.env.META_APP_SECRET = "a".repeat(32);
    resetEnvForTests();
    try {
      expect(await ADAPTERS.instagram.verify!(post(url, raw, { "x-hub-signature-256": metaSignature("a".repeat(32), raw) }), raw, null)).toBe(true);
      expect(await ADAPTERS.instagram.verify!(post(url, raw, { "x-hub-signature-256": metaSignature("b".repeat(32), raw) }), raw, null)).toBe(false);
    } finally {
      if (prev === undefined) delete process.env.META_APP_SECRET;
      else process.env.META_APP_SECRET = prev;
      resetEnvForTests();
    }
    expect(await ADAPTERS.telegram.verify!(post(url, "{}", { "x-telegram-bot-api-secret-token": "s3cret-s3cret-s3cret" }), "{}", null)).toBe(false);
  });
});

describe("delivery statuses", () => {
  it("map each provider's words onto the one scale, and ignore the rest", () => {
    expect(ADAPTERS.sms.status("delivered")).toBe("delivered");
    expect(ADAPTERS.whatsapp.status("read")).toBe("read");
    expect(ADAPTERS.sms.status("exploded")).toBeNull();
    expect(ADAPTERS.email.status("email.bounced")).toBe("undelivered");
    expect(ADAPTERS.email.status("email.opened")).toBeNull();
    expect(ADAPTERS["whatsapp-cloud"].status("read")).toBe("read");
    expect(ADAPTERS.telegram.status("delivered")).toBeNull();
  });
});

describe("the simulator's payloads", () => {
  it("are what each provider posts, readable by that channel's own parser", async () => {
    const sms = channel("sms");
    expect(await ADAPTERS.sms.simulatorPayload(sms, "+447700900123", "Hi")).toMatchObject({ From: "+447700900123", To: sms.address, Body: "Hi", AccountSid: signingCredentials(sms).accountSid });
    expect(await ADAPTERS.whatsapp.simulatorPayload(sms, "+447700900123", "Hi")).toMatchObject({ From: "whatsapp:+447700900123", WaId: "447700900123" });
    expect(await ADAPTERS.voice.simulatorPayload(channel("voice"), "+447700900123", "")).toMatchObject({ From: "+447700900123", CallStatus: "ringing", CallSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    const update = TelegramUpdate.parse(await ADAPTERS.telegram.simulatorPayload(channel("telegram"), "700100200", "/start"));
    expect(update.message).toMatchObject({ text: "/start", chat: { id: 700100200 } });
    const cloud = CloudWebhook.parse(await ADAPTERS["whatsapp-cloud"].simulatorPayload(channel("whatsapp", { address: "106540352242922" }), "+447700900123", "Hi"));
    expect(cloud.entry[0]!.changes[0]!.value).toMatchObject({ metadata: { phone_number_id: "106540352242922" }, messages: [{ from: "447700900123", text: { body: "Hi" } }] });
    expect(await ADAPTERS.web.simulatorPayload(channel("web"), "", "Hi")).toEqual({ text: "Hi", clientId: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/) });
  });
});

describe("parsing a webhook into the one InboundMessage", () => {
  const read = async (key: keyof typeof ADAPTERS, ch: Channel, payload: unknown) => ADAPTERS[key].parse!(ch, payload);

  it("reads each provider's customer message as the pipeline's message for that channel", async () => {
    const sms = channel("sms");
    const form = (await ADAPTERS.sms.simulatorPayload(sms, "+447700900123", " Parking? ")) as Record<string, string>;
    expect(await read("sms", sms, form)).toEqual({
      message: expect.objectContaining({ businessId: sms.businessId, channelId: sms.id, channelKind: "sms", from: { kind: "phone", value: "+447700900123" }, text: "Parking?", providerMessageId: form.MessageSid }),
    });
    const wa = channel("whatsapp");
    const waForm = (await ADAPTERS.whatsapp.simulatorPayload(wa, "+447700900123", "Hi")) as Record<string, string>;
    expect(await read("whatsapp", wa, waForm)).toEqual({ message: expect.objectContaining({ channelKind: "whatsapp", from: { kind: "phone", value: "+447700900123" }, text: "Hi" }) });

    const bot = channel("telegram");
    const update = TelegramUpdate.parse(await ADAPTERS.telegram.simulatorPayload(bot, "700100200", "Opening hours?"));
    expect(await read("telegram", bot, update)).toEqual({
      message: expect.objectContaining({ channelKind: "telegram", from: { kind: "telegram", value: "700100200" }, name: "Alex", text: "Opening hours?", providerMessageId: `700100200:${update.message!.message_id}` }),
    });

    const ig = channel("instagram", { address: "17841400000000000" });
    const note = InstagramWebhook.parse(await ADAPTERS.instagram.simulatorPayload(ig, "17841400000000001", "Do you ship?"));
    const event = note.entry[0]!.messaging[0]!;
    expect(await read("instagram", ig, event)).toEqual({
      message: expect.objectContaining({ channelKind: "instagram", from: { kind: "instagram", value: "17841400000000001" }, text: "Do you ship?", providerMessageId: event.message!.mid }),
    });

    const cloud = channel("whatsapp", { address: "106540352242922", settings: { provider: "meta" } });
    const body = CloudWebhook.parse(await ADAPTERS["whatsapp-cloud"].simulatorPayload(cloud, "+447700900123", "Hi"));
    const value = CloudValue.parse(body.entry[0]!.changes[0]!.value);
    expect(await read("whatsapp-cloud", cloud, { message: value.messages[0], name: "Alex" })).toEqual({
      message: expect.objectContaining({ channelKind: "whatsapp", from: { kind: "whatsapp", value: "+447700900123" }, name: "Alex", text: "Hi", providerMessageId: value.messages[0]!.id }),
    });

    const voice = channel("voice");
    const call = GatherResult.parse({ ...((await ADAPTERS.voice.simulatorPayload(voice, "anonymous", "")) as Record<string, string>), CallStatus: "in-progress", SpeechResult: "Are you open?" });
    expect(await read("voice", voice, { call, turn: 2, speech: "Are you open?" })).toEqual({
      message: expect.objectContaining({ channelKind: "voice", from: { kind: "web", value: `withheld-caller:${call.CallSid}` }, text: "Are you open?", providerMessageId: `${call.CallSid}:2` }),
    });
  });

  it("passes over what is not a customer's message, saying why", async () => {
    const bot = channel("telegram");
    const update = TelegramUpdate.parse(await ADAPTERS.telegram.simulatorPayload(bot, "700100200", "Hi"));
    expect(await read("telegram", bot, { update_id: 1, edited_message: update.message })).toEqual({ ignored: "edited_message" });
    expect(await read("telegram", channel("telegram", { enabled: false }), update)).toEqual({ ignored: "channel_disabled" });
    expect(await read("telegram", bot, { ...update, message: { ...update.message!, chat: { id: -1, type: "group" } } })).toEqual({ ignored: "not_a_private_chat" });

    const ig = channel("instagram", { address: "17841400000000000" });
    const event = InstagramWebhook.parse(await ADAPTERS.instagram.simulatorPayload(ig, "17841400000000001", "Hi")).entry[0]!.messaging[0]!;
    expect(await read("instagram", ig, { ...event, message: { ...event.message!, is_echo: true } })).toEqual({ ignored: "echo" });
    expect(await read("instagram", ig, { ...event, message: { ...event.message!, text: " " } })).toEqual({ ignored: "empty" });

    const cloud = channel("whatsapp", { address: "106540352242922", settings: { provider: "meta" } });
    expect(await read("whatsapp-cloud", cloud, { message: { id: "wamid.1", from: "447700900123", type: "reaction" }, name: null })).toEqual({ ignored: "reaction" });
  });

  it("refuses a form that is not Twilio's with the field named", async () => {
    const sms = channel("sms");
    await expect(read("sms", sms, { From: "+447700900123", To: sms.address, Body: "Hi" })).rejects.toThrow(/MessageSid is required/);
  });
});
