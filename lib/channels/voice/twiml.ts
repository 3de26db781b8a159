// The call's TwiML, one builder per moment of the conversation. Every answer is spoken inside a
// <Gather input="speech"> so the caller can interrupt it, and every Gather reports back even on
// silence (actionOnEmptyResult), so silence is ours to handle.
import twilio from "twilio";
import type VoiceResponse from "twilio/lib/twiml/VoiceResponse";
import { voiceLanguage, type VoiceSettings } from "@/lib/channels/twilio/channels";

export type Voice = { voice: VoiceSettings["voice"]; language: string; silenceTimeout: number };

export function voiceOf(settings: VoiceSettings): Voice {
  return { voice: settings.voice, language: voiceLanguage(settings.voice), silenceTimeout: settings.silenceTimeout };
}

export const PHRASES = {
  reprompt: "Sorry, I didn't catch that. How can I help?",
  sayAgain: "Sorry, I missed that. Could you say it again?",
  silenceGoodbye: "I haven't heard anything, so I'll end the call here. Thanks for calling, goodbye.",
  goodbye: "Thanks for calling. Goodbye!",
  connecting: "Of course. Connecting you to a member of our team now.",
  leaveMessageClosed: "We're closed right now, so nobody can take your call. Please leave your message after this, and we'll get back to you.",
  leaveMessageBusy: "Sorry, nobody from the team can take your call right now. Please leave your message after this, and we'll get back to you.",
  messageTaken: "Thank you, we've got your message and will get back to you as soon as we can. Goodbye.",
  noMessage: "We didn't catch a message. Feel free to call again or send us a text. Goodbye.",
  oneMoment: "One moment, please.",
  unavailable: "Sorry, we can't take your call right now. Goodbye.",
  disabled: "Sorry, this number isn't taking calls right now. Goodbye.",
} as const;

function say(node: { say: (attrs: VoiceResponse.SayAttributes, text: string) => unknown }, v: Voice, text: string) {
  node.say({ voice: v.voice, language: v.language as NonNullable<VoiceResponse.SayAttributes["language"]> }, text);
}

/**
 * Listens for speech, saying `prompt` inside the Gather; `action` hears the result or the silence.
 * `listen` is how long silence may last (the voice's own setting unless given) and how long speech may.
 */
function gather(response: VoiceResponse, v: Voice, action: string, prompt: string, listen: { timeout: number; maxSpeechTime?: number } = { timeout: v.silenceTimeout }) {
  const g = response.gather({
    input: ["speech"],
    action,
    method: "POST",
    language: v.language as NonNullable<VoiceResponse.GatherAttributes["language"]>,
    speechTimeout: "auto",
    ...listen,
    actionOnEmptyResult: true,
  });
  if (prompt) say(g, v, prompt);
}

/** The greeting, listening for the first question. */
export function greetingTwiml(v: Voice, greeting: string, action: string): string {
  const r = new twilio.twiml.VoiceResponse();
  gather(r, v, action, greeting);
  return r.toString();
}

/** An answer, spoken while listening for the next question. */
export function answerTwiml(v: Voice, answer: string, action: string): string {
  const r = new twilio.twiml.VoiceResponse();
  gather(r, v, action, answer);
  return r.toString();
}

/** Said, then the call ends. */
export function farewellTwiml(v: Voice, text: string): string {
  const r = new twilio.twiml.VoiceResponse();
  say(r, v, text);
  r.hangup();
  return r.toString();
}

/** Puts the caller through to the business; `action` hears how the dial went. */
export function transferTwiml(v: Voice, number: string, action: string, callerId?: string): string {
  const r = new twilio.twiml.VoiceResponse();
  say(r, v, PHRASES.connecting);
  const dial = r.dial({ action, method: "POST", timeout: 20, answerOnBridge: true, ...(callerId ? { callerId } : {}) });
  dial.number(number);
  return r.toString();
}

/** Takes a spoken message; `action` receives it (or the silence). */
export function takeMessageTwiml(v: Voice, intro: string, action: string): string {
  const r = new twilio.twiml.VoiceResponse();
  gather(r, v, action, intro, { timeout: 8, maxSpeechTime: 60 });
  return r.toString();
}

/** The answer is not ready yet: keep the caller company and ask again shortly. */
export function waitTwiml(v: Voice, redirect: string, first: boolean): string {
  const r = new twilio.twiml.VoiceResponse();
  if (first) say(r, v, PHRASES.oneMoment);
  r.pause({ length: 1 });
  r.redirect({ method: "POST" }, redirect);
  return r.toString();
}
