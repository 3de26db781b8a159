import "server-only";
// The voice routes' handlers behind withTwilioWebhook: our number is the one called (To).
import { withTwilioWebhook } from "@/lib/channels/twilio/webhook";
import { disabledCall, handleCallStatus, handleDialResult, handleGather, handleIncomingCall, handleVoicemail } from "./handle";

const spec = { kind: () => "voice" as const, address: (f: Record<string, string>) => f.To, disabled: disabledCall };

export const incomingCallWebhook = withTwilioWebhook(spec, handleIncomingCall);
export const gatherWebhook = withTwilioWebhook(spec, handleGather);
export const voicemailWebhook = withTwilioWebhook(spec, handleVoicemail);
export const dialWebhook = withTwilioWebhook(spec, handleDialResult);
// The status callback comes after the call; a channel disabled meanwhile still records its cost.
export const callStatusWebhook = withTwilioWebhook({ ...spec, disabled: handleCallStatus }, handleCallStatus);
