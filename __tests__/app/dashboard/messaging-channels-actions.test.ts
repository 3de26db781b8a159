// The email, Telegram, Instagram and WhatsApp (Cloud API) pages' server actions, called as the
// browser would (a real signed session cookie), in embedded mode: connect, test, play the customer,
// read the answer back; agents cannot connect or test; a form error is a message, not a crash.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import {
  connectMessagingAction,
  messagingRepliesAction,
  simulateMessagingAction,
  testMessagingAction,
} from "@/app/(dashboard)/[business]/channels/messaging-actions";
import { closeDb, useDemoBusiness } from "../../helpers/demo";
import { makeUser, PASSWORD } from "../../helpers/fixtures";
import { form } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

beforeAll(async () => {
  await useDemoBusiness();
  await withService(async (tx) => {
    const agent = await makeUser(tx, "agent@riverside.test", PASSWORD);
    await tx.insert(s.members).values({ businessId: DEMO_BUSINESS_ID, userId: agent.id, role: "agent" });
  });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("as the owner", () => {
  beforeEach(() => signInAs(DEMO_OWNER.email, DEMO_OWNER.password));

  it("connects each channel from its form, and says what is wrong with a bad one", async () => {
    expect(await connectMessagingAction(DEMO_SLUG, "email", null, form({ address: "not-an-address", enabled: "on" }))).toEqual({
      error: "Check the highlighted field.",
      fieldErrors: { address: "Enter the address customers write to, e.g. support@yourdomain.com" },
    });
    expect(await connectMessagingAction(DEMO_SLUG, "email", null, form({ address: "Help@Riverside.test", fromName: "Riverside Dental", signature: "The front desk", enabled: "on" }))).toEqual({ ok: "Saved." });
    expect(await connectMessagingAction(DEMO_SLUG, "telegram", null, form({ username: "riverside_demo_bot", greeting: "Welcome to Riverside Dental!", enabled: "on" }))).toEqual({ ok: "Saved." });
    expect(await connectMessagingAction(DEMO_SLUG, "instagram", null, form({ accountId: "17841400000000077", username: "@riverside", enabled: "on" }))).toEqual({ ok: "Saved." });
    expect(await connectMessagingAction(DEMO_SLUG, "whatsapp-cloud", null, form({ phoneNumberId: "106540352240077", displayPhoneNumber: "+1 555 078 0077", enabled: "on" }))).toEqual({ ok: "Saved." });
    expect(await connectMessagingAction(DEMO_SLUG, "fax", null, form({}))).toEqual({ error: "Unknown channel." });
    const rows = await withService((tx) => tx.select({ kind: s.channels.kind, address: s.channels.address }).from(s.channels).orderBy(s.channels.kind));
    expect(rows).toEqual(
      expect.arrayContaining([
        { kind: "email", address: "help@riverside.test" },
        { kind: "telegram", address: "riverside_demo_bot" },
        { kind: "instagram", address: "17841400000000077" },
        { kind: "whatsapp", address: "106540352240077" },
      ]),
    );
  });

  it("plays a customer and reads the answer back from the dev outbox", async () => {
    const r = await simulateMessagingAction(DEMO_SLUG, { type: "telegram", text: "/start" });
    expect(r).toMatchObject({ status: 200, body: { ok: true, command: "start" } });
    await backgroundIdle();
    const since = (r as { sentAt: string }).sentAt;
    const replies = await messagingRepliesAction(DEMO_SLUG, "telegram", since, "700100200");
    expect(replies).toEqual([{ id: expect.any(String), body: "Welcome to Riverside Dental!", subject: null, at: expect.any(String) }]);
    // Another simulated customer's transcript does not show it.
    expect(await messagingRepliesAction(DEMO_SLUG, "telegram", since, "700100999")).toEqual([]);
    expect(await simulateMessagingAction(DEMO_SLUG, { type: "email", text: "" })).toEqual({ error: "Write the customer's message." });
  });

  it("sends a test, and explains where it went", async () => {
    expect(await testMessagingAction(DEMO_SLUG, "email", null, form({ to: "owner@riverside.test", text: "" }))).toEqual({
      ok: "Embedded mode: the message is in the dev outbox, nothing left this machine.",
    });
    expect(await testMessagingAction(DEMO_SLUG, "telegram", null, form({ to: "@someone" }))).toEqual({
      error: "Enter a Telegram chat id (digits): message the bot first, it is on the customer's conversation.",
    });
  });
});

describe("as an agent", () => {
  beforeEach(() => signInAs("agent@riverside.test"));

  it("cannot connect a channel or send a test", async () => {
    expect(await connectMessagingAction(DEMO_SLUG, "email", null, form({ address: "other@riverside.test", enabled: "on" }))).toEqual({ error: "Only owner or admins can do this." });
    expect(await testMessagingAction(DEMO_SLUG, "email", null, form({ to: "owner@riverside.test" }))).toEqual({ error: "Only owner or admins can do this." });
  });
});
