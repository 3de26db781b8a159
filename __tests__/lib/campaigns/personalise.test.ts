// AI personalisation of a campaign message against Gemini's REST stand-in: the model's version when it
// is usable, the plain template (and why) when the model fails, writes something dearer to send, the
// budget forbids it, or there is no model at all (the embedded default).
import { getLanguageModel } from "@/lib/ai/get-model";
import { OfflineLanguageModel } from "@/lib/ai/offline-model";
import { PERSONALISE_MODEL, channelCost, personalise, personaliseEstimate } from "@/lib/campaigns/message";
import { useGemini } from "../../helpers/demo";

const TEMPLATE = "Hi Ana, Riverside Dental Clinic has spring check-ups at 20% off until 30 April. Reply STOP to opt out.";
const BRIEF = "Spring check-ups 20% off until 30 April, new and existing patients.";
const input = { brief: BRIEF, template: TEMPLATE, business: "Riverside Dental Clinic", channel: "sms" as const, allowed: true };
let gemini: Awaited<ReturnType<typeof useGemini>>;

beforeAll(async () => {
  gemini = await useGemini();
});
afterAll(() => gemini.stop());
beforeEach(() => gemini.reset());

describe("AI personalisation", () => {
  it("uses the model's version, with its tokens, and asks within the template's length", async () => {
    gemini.script(PERSONALISE_MODEL, { kind: "text", text: "Ana, your spring check-up is 20% off until 30 April. Reply STOP to opt out.", usage: { promptTokenCount: 120, candidatesTokenCount: 22 } });
    const r = await personalise(getLanguageModel(), input);
    expect(r).toMatchObject({ personalised: true, text: "Ana, your spring check-up is 20% off until 30 April. Reply STOP to opt out.", tokensIn: 120, tokensOut: 22 });
    const estimate = personaliseEstimate(BRIEF, TEMPLATE, "Riverside Dental Clinic", "sms");
    expect(estimate.usd).toBeGreaterThan(0);
  });

  it("falls back to the template when the model fails", async () => {
    gemini.script(PERSONALISE_MODEL, ...Array.from({ length: 6 }, () => ({ kind: "error" as const, status: 500 })));
    const r = await personalise(getLanguageModel(), input);
    expect(r).toMatchObject({ personalised: false, text: TEMPLATE, reason: "model failed" });
  });

  it("falls back when the model's version would cost more to send (an emoji makes it UCS-2)", async () => {
    const dearer = "Ana 🦷 spring check-ups are 20% off until 30 April at Riverside Dental Clinic. Reply STOP to opt out.";
    expect(channelCost("sms", dearer).units).toBeGreaterThan(channelCost("sms", TEMPLATE).units);
    gemini.script(PERSONALISE_MODEL, { kind: "text", text: dearer });
    expect(await personalise(getLanguageModel(), input)).toMatchObject({ personalised: false, text: TEMPLATE, reason: "dearer to send" });
  });

  it("does not call the model when the budget forbids it or there is no model", async () => {
    expect(await personalise(getLanguageModel(), { ...input, allowed: false })).toMatchObject({ personalised: false, text: TEMPLATE, reason: "budget" });
    expect(await personalise(new OfflineLanguageModel(), input)).toMatchObject({ personalised: false, text: TEMPLATE, reason: "no language model" });
    expect(gemini.requests.length).toBe(0);
  });
});
