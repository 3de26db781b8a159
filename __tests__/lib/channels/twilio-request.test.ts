// The pieces under every Twilio route: the form body as signed, the public URL behind proxies,
// signature checks through the SDK, and TwiML written by the SDK read back by our parser.
import twilio from "twilio";
import { flatten, isValidSignature, parseForm, publicUrl, twilioSignature } from "@/lib/channels/twilio/request";
import { emptyTwiml, messagesTwiml, parseTwiml, readMessages, readVoice } from "@/lib/channels/twilio/twiml";

const TOKEN = "12345678901234567890123456789012";

describe("form bodies", () => {
  it("keeps repeated keys, which the signature covers", () => {
    const params = parseForm("To=%2B1555&MediaUrl=a&MediaUrl=b&Body=caf%C3%A9+%26+more");
    expect(params).toEqual({ To: "+1555", MediaUrl: ["a", "b"], Body: "café & more" });
    expect(flatten(params)).toEqual({ To: "+1555", MediaUrl: "a", Body: "café & more" });
    const url = "https://prism.example.com/api/webhooks/twilio/sms";
    const sig = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    expect(isValidSignature(TOKEN, sig, url, params)).toBe(true);
    expect(isValidSignature(TOKEN, sig, url, { ...params, MediaUrl: ["a"] })).toBe(false);
    expect(isValidSignature(TOKEN, null, url, params)).toBe(false);
    expect(twilioSignature(TOKEN, url, params)).toBe(sig);
  });
});

describe("the public URL", () => {
  it("is the request's own without a proxy", () => {
    expect(publicUrl(new Request("http://localhost:3000/api/webhooks/twilio/voice/gather?turn=2&silence=0"))).toBe(
      "http://localhost:3000/api/webhooks/twilio/voice/gather?turn=2&silence=0",
    );
  });

  it("is rebuilt from x-forwarded-proto and -host (first hop) behind one", () => {
    const req = new Request("http://10.0.0.7:8080/api/webhooks/twilio/sms?x=1", {
      headers: { "x-forwarded-proto": "https, http", "x-forwarded-host": "prism.example.com, internal.lb" },
    });
    expect(publicUrl(req)).toBe("https://prism.example.com/api/webhooks/twilio/sms?x=1");
  });
});

describe("TwiML", () => {
  it("reads back what the SDK writes, entities included", () => {
    expect(readMessages(emptyTwiml())).toEqual([]);
    const xml = messagesTwiml([{ body: 'Fish & chips <£5> "today"', action: "https://x.test/status?m=1&n=2" }, { body: "Part two" }]);
    expect(readMessages(xml)).toEqual([
      { body: 'Fish & chips <£5> "today"', media: [], action: "https://x.test/status?m=1&n=2" },
      { body: "Part two", media: [], action: undefined },
    ]);
  });

  it("reads a call's verbs in order", () => {
    const r = new twilio.twiml.VoiceResponse();
    r.say({ voice: "Polly.Amy-Neural", language: "en-GB" }, "Hello");
    r.gather({ input: ["speech"], action: "/g?turn=1" }).say("Ask me");
    r.dial({ action: "/d" }).number("+442071234567");
    r.pause({ length: 2 });
    r.redirect("/again");
    r.hangup();
    expect(readVoice(r.toString())).toEqual([
      { verb: "Say", text: "Hello", voice: "Polly.Amy-Neural", language: "en-GB" },
      { verb: "Gather", action: "/g?turn=1", attrs: { input: "speech", action: "/g?turn=1" }, prompts: [{ text: "Ask me", voice: undefined, language: undefined }] },
      { verb: "Dial", number: "+442071234567", action: "/d", attrs: { action: "/d" } },
      { verb: "Pause", length: 2 },
      { verb: "Redirect", url: "/again" },
      { verb: "Hangup" },
    ]);
  });

  it("refuses what is not TwiML", () => {
    expect(() => parseTwiml("<Response><Say>x</Response>")).toThrow(/Unbalanced|Unclosed/);
    expect(() => parseTwiml('{"error":1}')).toThrow(/no <Response>/);
  });
});
