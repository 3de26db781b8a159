// "Try it with a sample": one click connects a channel in simulated mode with sample values nobody
// can reach, marked as a sample, and its Channel simulator plays a customer at once — on every
// channel, or all of them together. Owners and admins only; never where a provider is configured.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { and, eq } from "drizzle-orm";
import { resetEnvForTests } from "@/lib/env";
import { closeDb, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectTwilioChannel } from "@/lib/channels/twilio/channels";
import { twilioChannelView } from "@/lib/channels/twilio/dashboard";
import { messagingChannelView } from "@/lib/channels/common/dashboard";
import { simulate, simulate as simulateMessaging, simulatorReplies } from "@/lib/channels/simulator";
import { connectSampleChannel, SAMPLE_PAGES, sampleAvailable } from "@/lib/channels/common/samples";
import { isSampleChannel } from "@/lib/channels/common/sample-mark";
import type { MemberCtx } from "@/lib/services/context";
import { connectAllSamplesAction, connectSampleAction } from "@/app/(dashboard)/[business]/channels/sample-actions";
import { POST as smsPost } from "@/app/api/webhooks/twilio/sms/route";
import { useDemoBusiness } from "../../helpers/demo";
import { makeTenant, makeUser, PASSWORD } from "../../helpers/fixtures";
import { signInAs } from "../../helpers/session";
import { ORIGIN } from "../../fixtures/twilio";

let ctx: MemberCtx;
const userId = () => (ctx.actor as { userId: string }).userId;
const channelsOf = (businessId: string) => withService((tx) => tx.select().from(s.channels).where(eq(s.channels.businessId, businessId)));

beforeAll(async () => {
  ctx = await useDemoBusiness();
  await withService(async (tx) => {
    const agent = await makeUser(tx, "agent@samples.test", PASSWORD);
    await tx.insert(s.members).values({ businessId: DEMO_BUSINESS_ID, userId: agent.id, role: "agent" });
  });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("one channel", () => {
  it("SMS: connected with a sample number in one click, marked, and the simulator plays a customer at once", async () => {
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    expect((await twilioChannelView(userId(), DEMO_BUSINESS_ID, "sms")).channel).toBeNull();
    expect(await connectSampleAction(DEMO_SLUG, "sms")).toEqual({ ok: "Connected with sample values: the Channel simulator is ready." });

    const view = await twilioChannelView(userId(), DEMO_BUSINESS_ID, "sms");
    // Ofcom's drama range: a number nobody can be texted on.
    expect(view.channel).toMatchObject({ address: expect.stringMatching(/^\+442079460\d{3}$/), enabled: true, sample: true });
    expect(view).toMatchObject({ embedded: true, transport: "outbox" });

    const r = await simulate({ ctx, input: { kind: "sms", text: "What are your opening hours?" }, origin: ORIGIN, post: (url, init) => smsPost(new Request(url, init)) });
    expect(r.status).toBe(200);
    expect(r.replies[0]!.body).toMatch(/Monday/);
    // Clicking again changes nothing.
    expect(await connectSampleAction(DEMO_SLUG, "sms")).toMatchObject({ ok: expect.any(String) });
    expect((await channelsOf(DEMO_BUSINESS_ID)).filter((c) => c.kind === "sms")).toHaveLength(1);
  });

  it("Telegram: a simulated sample bot whose simulator answers", async () => {
    const channel = await connectSampleChannel({ ctx, input: { page: "telegram" } });
    expect(channel).toMatchObject({ kind: "telegram", address: "sample_demo_dental_bot" });
    const view = await messagingChannelView(userId(), DEMO_BUSINESS_ID, "telegram", { canManage: true });
    expect(view).toMatchObject({ simulated: true, channel: { sample: true } });
    const since = new Date(Date.now() - 1000);
    expect((await simulateMessaging({ ctx, input: { type: "telegram", text: "/start" } })).status).toBe(200);
    await backgroundIdle();
    expect((await simulatorReplies(DEMO_BUSINESS_ID, "telegram", since, "700100200")).length).toBe(1);
  });

  it("keeps the mark while the sample's address stays, and drops it when the owner saves their own", async () => {
    const sample = (await channelsOf(DEMO_BUSINESS_ID)).find((c) => c.kind === "sms")!;
    await connectTwilioChannel({ ctx, input: { kind: "sms", address: sample.address, settings: { helpText: "Call us on 020 7946 0000." } } });
    expect(isSampleChannel((await channelsOf(DEMO_BUSINESS_ID)).find((c) => c.kind === "sms"))).toBe(true);
    await connectTwilioChannel({ ctx, input: { kind: "sms", address: "+15017122661" } });
    const own = (await channelsOf(DEMO_BUSINESS_ID)).find((c) => c.kind === "sms")!;
    expect(own.address).toBe("+15017122661");
    expect(isSampleChannel(own)).toBe(false);
    // A connected channel of one's own is not replaced by a sample.
    await expect(connectSampleChannel({ ctx, input: { page: "sms" } })).rejects.toMatchObject({ code: "conflict" });
  });
});

describe("every channel at once", () => {
  it("connects each channel not connected yet, once; another business gets other sample values", async () => {
    expect(await connectAllSamplesAction(DEMO_SLUG)).toEqual({ ok: "Connected 5 channels with sample values: open one to play a customer." });
    const mine = await channelsOf(DEMO_BUSINESS_ID);
    expect(mine.filter((c) => isSampleChannel(c)).map((c) => c.kind).sort()).toEqual(["email", "instagram", "telegram", "voice", "whatsapp", "whatsapp"]);
    expect(mine.find((c) => c.kind === "email")!.address).toBe("hello@demo-dental.example");
    for (const type of ["email", "instagram", "whatsapp-cloud"] as const) {
      expect(await messagingChannelView(userId(), DEMO_BUSINESS_ID, type, { canManage: true })).toMatchObject({ simulated: true, channel: { sample: true } });
    }
    expect(await connectAllSamplesAction(DEMO_SLUG)).toEqual({ ok: "Every channel is already connected." });

    // Another business: no clash with the demo's sample values.
    const other = await withService(async (tx) => {
      const owner = await makeUser(tx, "owner@other-samples.test");
      const t = await makeTenant(tx, "other-samples", owner.id);
      return { businessId: t.businessId, actor: { type: "member" as const, userId: owner.id, role: "owner" as const } };
    });
    for (const page of SAMPLE_PAGES) await connectSampleChannel({ ctx: other, input: { page } });
    const theirs = await channelsOf(other.businessId);
    expect(theirs.filter((c) => isSampleChannel(c))).toHaveLength(SAMPLE_PAGES.length);
    for (const c of theirs.filter((c) => c.kind !== "web")) expect(mine.some((m) => m.kind === c.kind && m.address === c.address)).toBe(false);
  });

  it("is for owners and admins", async () => {
    await signInAs("agent@samples.test");
    expect(await connectSampleAction(DEMO_SLUG, "voice")).toEqual({ error: "Only owner or admins can do this." });
    expect(await connectAllSamplesAction(DEMO_SLUG)).toEqual({ error: "Only owner or admins can do this." });
  });

  it("is not offered where the provider is configured: real numbers are connected with a real account", async () => {
    process.env.TWILIO_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
    process.env.TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
    resetEnvForTests();
    try {
      expect(sampleAvailable("sms")).toBe(false);
      expect(sampleAvailable("telegram")).toBe(true);
      const [voice] = await withService((tx) => tx.select().from(s.channels).where(and(eq(s.channels.businessId, DEMO_BUSINESS_ID), eq(s.channels.kind, "voice"))));
      await withService((tx) => tx.delete(s.channels).where(eq(s.channels.id, voice!.id)));
      await expect(connectSampleChannel({ ctx, input: { page: "voice" } })).rejects.toMatchObject({ code: "conflict" });
    } finally {
      delete process.env.TWILIO_ACCOUNT_SID;
      delete process.env.TWILIO_AUTH_TOKEN;
      resetEnvForTests();
    }
  });
});
