import "server-only";
// A campaign's message for one recipient: the template with its variables filled, or a personal
// version written by the model from the brief. The template is always the fallback — when the model
// is the offline responder, fails, writes something dearer to send than the template, or the budget
// cannot pay for it. Prices come from lib/billing/prices; SMS segments are counted on the real text.
import { countSegments } from "@/lib/channels/twilio/segments";
import { priceChannel, priceModelCall } from "@/lib/billing/prices";
import { DEFAULT_FAST_MODEL } from "@/lib/ai/router";
import type { LanguageModel } from "@/lib/ai/model";
import type { CampaignChannel } from "./audience";

export type TemplateVars = { name: string | null; business: string; tags: string[] };

const VARIABLE = /\{\{\s*([a-z_][a-z0-9_]*)\s*(?:\|([^}]*))?\}\}/gi;

/**
 * {{name}}, {{first_name}}, {{business}}, and any custom field kept on the customer as a "key:value"
 * tag ({{checkup}} from "checkup:12 March"). {{var|fallback}} says what to write when it is missing.
 */
export function renderTemplate(body: string, v: TemplateVars): string {
  const fields = new Map<string, string>();
  for (const tag of v.tags) {
    const i = tag.indexOf(":");
    if (i > 0) fields.set(tag.slice(0, i).trim().toLowerCase(), tag.slice(i + 1).trim());
  }
  const name = v.name?.trim() || null;
  return body
    .replace(VARIABLE, (_m, key: string, fallback: string | undefined) => {
      const k = key.toLowerCase();
      const value = k === "name" ? name : k === "first_name" ? (name?.split(/\s+/)[0] ?? null) : k === "business" ? v.business : (fields.get(k) ?? null);
      return value ?? fallback?.trim() ?? (k === "name" || k === "first_name" ? "there" : "");
    })
    .replace(/[ \t]{2,}/g, " ")
    .trim();
}

/** The variables a template uses that no filler knows (shown to the owner before saving). */
export function customVariables(body: string): string[] {
  return [...body.matchAll(VARIABLE)].map((m) => m[1]!.toLowerCase()).filter((k) => !["name", "first_name", "business"].includes(k));
}

/** What sending one text costs on a channel, in provider units and USD. */
export function channelCost(kind: CampaignChannel, text: string): { units: number; usd: number } {
  if (kind === "sms") {
    const units = countSegments(text).segments;
    return { units, usd: priceChannel("sms", units) };
  }
  return { units: 1, usd: priceChannel(kind, 1) };
}

export const PERSONALISE_MODEL = DEFAULT_FAST_MODEL;
const OUTPUT_TOKENS = (template: string) => Math.ceil(template.length / 3) + 16;

function personalisePrompt(brief: string, template: string, business: string, channel: CampaignChannel) {
  const system = [
    `You write one ${channel === "email" ? "email" : "short text"} message from ${business} to one customer.`,
    "Keep to the brief's facts (offer, dates, terms); never invent prices or dates.",
    `Write at most ${template.length} characters, plain text, no emoji, no links unless the brief has them.`,
    "Answer with the message only.",
  ].join(" ");
  return { system, user: `Brief:\n${brief}\n\nThe plain message it replaces:\n${template}` };
}

/** The tokens and USD a personalised message is expected to cost (input counted at 4 characters a token). */
export function personaliseEstimate(brief: string, template: string, business: string, channel: CampaignChannel): { tokensIn: number; tokensOut: number; usd: number } {
  const p = personalisePrompt(brief, template, business, channel);
  const tokensIn = Math.ceil((p.system.length + p.user.length) / 4);
  const tokensOut = OUTPUT_TOKENS(template);
  return { tokensIn, tokensOut, usd: priceModelCall(PERSONALISE_MODEL, tokensIn, tokensOut) };
}

export type Personalised = { text: string; personalised: boolean; reason?: string; tokensIn: number; tokensOut: number; model: string | null };

/**
 * The model's version of the rendered template, or the template itself with the reason it stayed.
 * A version that would cost more to send (more SMS segments) than the template is not used.
 */
export async function personalise(
  model: LanguageModel,
  input: { brief: string; template: string; business: string; channel: CampaignChannel; allowed: boolean },
): Promise<Personalised> {
  const plain = (reason: string, used?: { tokensIn: number; tokensOut: number; model: string }): Personalised => ({
    text: input.template,
    personalised: false,
    reason,
    tokensIn: used?.tokensIn ?? 0,
    tokensOut: used?.tokensOut ?? 0,
    model: used?.model ?? null,
  });
  if (!input.brief.trim()) return plain("no brief");
  if (model.provider === "offline") return plain("no language model");
  if (!input.allowed) return plain("budget");
  const p = personalisePrompt(input.brief, input.template, input.business, input.channel);
  try {
    const r = await model.generate({
      system: p.system,
      messages: [{ role: "user", text: p.user }],
      model: PERSONALISE_MODEL,
      output: "text",
      temperature: 0.6,
      maxOutputTokens: OUTPUT_TOKENS(input.template),
      thinkingBudget: 0,
      timeoutMs: 10_000,
    });
    const used = { tokensIn: r.tokensIn, tokensOut: r.tokensOut, model: r.model };
    const text = r.text.trim().replace(/^"|"$/g, "");
    if (!text) return plain("empty answer", used);
    if (channelCost(input.channel, text).usd > channelCost(input.channel, input.template).usd) return plain("dearer to send", used);
    return { text, personalised: true, ...used };
  } catch {
    return plain("model failed");
  }
}
