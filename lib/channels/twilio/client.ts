import "server-only";
// Twilio's REST API through the official SDK. TWILIO_API_BASE points the SDK's own request client
// at another origin (a local stand-in in tests), so the request on the wire is exactly the SDK's:
// same path, basic auth, headers and form encoding. Retries: common/retry.ts.
import twilio from "twilio";
import { env } from "@/lib/env";
import type { TwilioCredentials } from "./credentials";

type RequestOptions<TData> = Parameters<InstanceType<typeof twilio.RequestClient>["request"]>[0] & { data?: TData };

/** The SDK's RequestClient with the origin swapped: https://api.twilio.com/… → TWILIO_API_BASE/… */
class RebasedRequestClient extends twilio.RequestClient {
  constructor(private readonly base: URL) {
    super({ timeout: 10_000, keepAlive: true });
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const target = new URL(opts.uri);
    const rebased = new URL(this.base.href.replace(/\/$/, "") + target.pathname + target.search);
    return super.request<TData>({ ...opts, uri: rebased.href });
  }
}

let rebased: { base: string; client: RebasedRequestClient } | undefined;

function httpClient(): RebasedRequestClient | undefined {
  const base = env().TWILIO_API_BASE;
  if (!base) return undefined;
  if (rebased?.base !== base) rebased = { base, client: new RebasedRequestClient(new URL(base)) };
  return rebased.client;
}

export function restClient(credentials: TwilioCredentials): twilio.Twilio {
  return twilio(credentials.accountSid, credentials.authToken, { httpClient: httpClient(), lazyLoading: true });
}
