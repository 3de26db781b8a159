// The Twilio channel simulator signs a webhook and posts it over HTTP: to the app's own configured
// URL, never to a host taken from the request (X-Forwarded-Host and Host are the caller's to write).
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { closeDb } from "@/lib/db/client";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { simulateAction } from "@/app/(dashboard)/[business]/channels/actions";
import { useDemoBusiness } from "../../helpers/demo";
import { request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

beforeAll(async () => {
  const owner = await useDemoBusiness();
  await connectTwilioChannel({ ctx: owner, input: { kind: "sms", address: "+15017122661" } });
  await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
});
afterAll(() => closeDb());

describe("simulateAction", () => {
  it("posts to APP_URL whatever Host and X-Forwarded-Host say", async () => {
    request.headers.set("host", "evil.example");
    request.headers.set("x-forwarded-host", "evil.example");
    request.headers.set("x-forwarded-proto", "https");
    const seen: string[] = [];
    const spy = jest.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return new Response("<Response></Response>", { status: 200, headers: { "content-type": "text/xml" } });
    });
    try {
      const r = await simulateAction(DEMO_SLUG, { kind: "sms", from: "+447700900123", text: "Do you deliver?" });
      expect(r).not.toHaveProperty("error");
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual(["http://localhost:3000/api/webhooks/twilio/sms"]);
  });
});
