// The one price table. Every cost_events row is priced from here, so a price change is one edit.
//
// Sources (list prices in USD; check them again before relying on them for invoicing):
// - Gemini: https://ai.google.dev/gemini-api/docs/pricing — paid tier, standard (non-batch), text input,
//   as published for the 2.5 family since mid-2025 and unchanged in third-party snapshots of early 2026.
//   Output prices include thinking tokens, so pass thoughts in tokensOut.
// - SMS: https://www.twilio.com/en-us/sms/pricing/us — $0.0083 per outbound US segment (carrier fees extra).
// - WhatsApp: https://www.twilio.com/en-us/whatsapp/pricing — Twilio's $0.005 per message; replies inside
//   the 24-hour service window carry no Meta fee, templates do (not modelled here).
// - Voice: https://www.twilio.com/en-us/voice/pricing/us — $0.0085/min inbound local, $0.014/min outbound.
// - Email: https://resend.com/pricing — Pro, $20 for 50,000 emails a month = $0.0004 per email.

export type ModelPrice = {
  /** USD per 1M input tokens */
  inputPerMTok: number;
  /** USD per 1M output tokens */
  outputPerMTok: number;
  /** a higher rate for the whole call when the prompt exceeds aboveTokens */
  longContext?: { aboveTokens: number; inputPerMTok: number; outputPerMTok: number };
};

export const MODEL_PRICES = {
  "gemini-2.5-flash-lite": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  "gemini-2.5-flash": { inputPerMTok: 0.3, outputPerMTok: 2.5 },
  "gemini-2.5-pro": {
    inputPerMTok: 1.25,
    outputPerMTok: 10,
    longContext: { aboveTokens: 200_000, inputPerMTok: 2.5, outputPerMTok: 15 },
  },
  "gemini-embedding-001": { inputPerMTok: 0.15, outputPerMTok: 0 },
} as const satisfies Record<string, ModelPrice>;

export type KnownModel = keyof typeof MODEL_PRICES;
export const EMBEDDING_MODEL: KnownModel = "gemini-embedding-001";

export const CHANNEL_PRICES = {
  sms: { unit: "segment", usd: 0.0083 },
  whatsapp: { unit: "message", usd: 0.005 },
  voice: { unit: "minute", usd: 0.0085 },
  voice_outbound: { unit: "minute", usd: 0.014 },
  email: { unit: "message", usd: 0.0004 },
  telegram: { unit: "message", usd: 0 },
  instagram: { unit: "message", usd: 0 },
  web: { unit: "message", usd: 0 },
} as const;

export type PricedChannel = keyof typeof CHANNEL_PRICES;

/** Keeps six decimals, the precision of the money columns. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

// The embedded adapters (offline responder, local embedder) cost nothing.
const FREE_MODEL = /^(offline|local)\b/;

// Unknown models are priced at the dearest known rate: a new model name must never make calls look free.
const DEAREST: ModelPrice = MODEL_PRICES["gemini-2.5-pro"];

/** The price entry for a model name as the SDK reports it ("models/gemini-2.5-flash-001", previews…). */
export function modelPrice(model: string): { model: string; price: ModelPrice; known: boolean } {
  const name = model.trim().toLowerCase().replace(/^models\//, "");
  if (FREE_MODEL.test(name)) return { model: name, price: { inputPerMTok: 0, outputPerMTok: 0 }, known: true };
  // Longest known prefix wins, so "gemini-2.5-flash-lite-preview" is flash-lite, not flash.
  const match = (Object.keys(MODEL_PRICES) as KnownModel[])
    .filter((known) => name === known || name.startsWith(`${known}-`))
    .sort((a, b) => b.length - a.length)[0];
  return match ? { model: match, price: MODEL_PRICES[match], known: true } : { model: name, price: DEAREST, known: false };
}

function assertCount(n: number, what: string): void {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`${what} must be a non-negative number`);
}

/** USD for one generateContent call. */
export function priceModelCall(model: string, tokensIn: number, tokensOut: number): number {
  assertCount(tokensIn, "tokensIn");
  assertCount(tokensOut, "tokensOut");
  const { price } = modelPrice(model);
  const rate = price.longContext && tokensIn > price.longContext.aboveTokens ? price.longContext : price;
  return roundUsd((tokensIn * rate.inputPerMTok + tokensOut * rate.outputPerMTok) / 1e6);
}

/** USD for embedding `tokens` input tokens. */
export function priceEmbedding(tokens: number, model: string = EMBEDDING_MODEL): number {
  return priceModelCall(model, tokens, 0);
}

/** USD for channel usage: SMS segments, WhatsApp messages, call minutes, emails. */
export function priceChannel(channel: PricedChannel, units: number): number {
  assertCount(units, "units");
  return roundUsd(CHANNEL_PRICES[channel].usd * units);
}

/**
 * SMS segments for a text: 160 GSM-7 characters (153 when split), or 70 UCS-2 (67 when split). An estimate:
 * GSM-7 extension characters ({ } [ ] ~ ^ | € and backslash) really take two places.
 */
export function smsSegments(text: string): number {
  const gsm = /^[\n\r\x20-\x7E£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(text);
  const length = [...text].length;
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return length <= single ? 1 : Math.ceil(length / multi);
}
