// SMS keywords as carriers and Twilio's Advanced Opt-Out read them, consent on the customer, and
// "goodbye" on a call: whole-message matches only, so a question is never mistaken for one.
import { canMessage, consentOf } from "@/lib/channels/sms/consent";
import { keywordOf, keywordReply } from "@/lib/channels/sms/keywords";
import { isGoodbye } from "@/lib/channels/voice/intents";

describe("SMS keywords", () => {
  it.each([
    ["STOP", "opt_out"],
    ["stop", "opt_out"],
    [" Stop. ", "opt_out"],
    ["STOPALL", "opt_out"],
    ["Unsubscribe!", "opt_out"],
    ["CANCEL", "opt_out"],
    ["end", "opt_out"],
    ["Quit", "opt_out"],
    ["opt-out", "opt_out"],
    ["REVOKE", "opt_out"],
    ["START", "opt_in"],
    ["unstop", "opt_in"],
    ["HELP", "help"],
    ["info?", "help"],
  ])("%j is %s", (body, keyword) => {
    expect(keywordOf(body)).toBe(keyword);
  });

  it("ignores keywords inside a sentence", () => {
    expect(keywordOf("Please stop texting me")).toBeNull();
    expect(keywordOf("can you help me with a booking")).toBeNull();
    expect(keywordOf("start time?")).toBeNull();
  });

  it("treats YES as an opt-in only for someone who opted out", () => {
    expect(keywordOf("Yes")).toBeNull();
    expect(keywordOf("Yes", { optedOut: true })).toBe("opt_in");
  });

  it("confirms in the business's name", () => {
    expect(keywordReply("opt_out", "Riverside Dental")).toBe("Riverside Dental: you're unsubscribed and won't get more messages from us. Reply START to resubscribe.");
    expect(keywordReply("help", "Riverside Dental", "Call 020 7946 0000.")).toBe("Riverside Dental: Call 020 7946 0000. Reply STOP to unsubscribe. Msg&data rates may apply.");
  });
});

describe("consent", () => {
  it("is per channel, and a customer with no record can be messaged", () => {
    const customer = { consent: { sms: { optedOut: true, at: "2027-01-01T00:00:00.000Z", source: "keyword" } } };
    expect(canMessage(customer, "sms")).toBe(false);
    expect(canMessage(customer, "whatsapp")).toBe(true);
    expect(canMessage({ consent: {} }, "sms")).toBe(true);
    expect(canMessage({ consent: { sms: { optedOut: false, at: "x", source: "keyword" } } }, "sms")).toBe(true);
    expect(consentOf(customer, "sms")).toEqual({ optedOut: true, at: "2027-01-01T00:00:00.000Z", source: "keyword" });
  });
});

describe("goodbye on a call", () => {
  it.each(["Goodbye.", "Okay, thanks, bye!", "That's all, thank you.", "No, that's it. Bye.", "no thank you bye", "Bye bye", "Nothing else, thanks", "Adiós"])("%j ends the call", (s) => {
    expect(isGoodbye(s)).toBe(true);
  });

  it.each(["What time do you close? Bye", "bye the way, do you do implants", "thanks", "No", "Okay what about parking"])("%j does not", (s) => {
    expect(isGoodbye(s)).toBe(false);
  });
});
