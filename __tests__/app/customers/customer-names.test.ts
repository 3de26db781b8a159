// What staff see a customer called, across the dashboard: a web visitor who gave nothing is "Web
// visitor #4821" (never their visitor id, a bearer secret), chats from Settings → Test your agent are
// nobody's customer, the email simulator's sender is who the owner says, and the name a visitor types
// in the chat's contact form is applied — without overriding a name the team gave.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { eq, sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { DEMO_BUSINESS_ID, DEMO_OWNER, DEMO_SLUG } from "@/lib/db/seed-data";
import { decrypt } from "@/lib/security/crypto";
import { identityHash } from "@/lib/pipeline/identities";
import { resolveCustomer } from "@/lib/pipeline/customers";
import { backgroundIdle } from "@/lib/channels/twilio/background";
import { connectEmailChannel } from "@/lib/channels/email/channels";
import { simulate as simulateMessaging, SimulateInput } from "@/lib/channels/simulator";
import { nameFromAddress, samplePerson, SAMPLE_PEOPLE } from "@/lib/channels/common/sample-people";
import { exportCustomersCsv, getCustomerProfile, listCustomerPage, updateCustomerDetails, visitorLabel } from "@/lib/services/customers";
import { listConversations } from "@/lib/services/conversations";
import type { MemberCtx } from "@/lib/services/context";
import { POST as sessionRoute } from "@/app/api/chat/[slug]/session/route";
import { POST as sendRoute } from "@/app/api/chat/[slug]/messages/route";
import { POST as contactRoute } from "@/app/api/chat/[slug]/contact/route";
import { POST as testAgentRoute } from "@/app/api/businesses/[business]/test-agent/route";
import { useDemoBusiness } from "../../helpers/demo";
import { signInAs } from "../../helpers/session";

const BASE = "http://localhost:3000";
const params = { params: Promise.resolve({ slug: DEMO_SLUG }) };
let ctx: MemberCtx;
let seq = 0;

function chatRequest(path: string, body: unknown, token?: string) {
  return new Request(`${BASE}/api/chat/${DEMO_SLUG}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${++seq}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** A visitor on the chat page who asks something; returns their token and customer id. */
async function visitorAsks(text: string): Promise<{ token: string; customerId: string }> {
  const token = ((await (await sessionRoute(chatRequest("/session", {}), params)).json()) as { token: string }).token;
  const res = await sendRoute(chatRequest("/messages", { text, clientId: `client-${++seq}-names` }, token), params);
  const answer = await res.text(); // the streamed answer
  if (res.status >= 300) throw new Error(`${res.status} ${answer}`);
  const [m] = await withService((tx) => rows<{ customer_id: string }>(tx, sql`select customer_id from messages where role = 'customer' and content = ${text}`));
  return { token, customerId: m!.customer_id };
}

async function leaveContact(token: string, value: string, name?: string) {
  const res = await contactRoute(chatRequest("/contact", { value, name }, token), params);
  expect(res.status).toBe(200);
}

const nameOf = async (customerId: string) => (await withService((tx) => tx.select({ name: s.customers.name }).from(s.customers).where(eq(s.customers.id, customerId))))[0]?.name;
const customerWithEmail = async (email: string) =>
  (await withService((tx) => tx.select().from(s.customerIdentities).where(eq(s.customerIdentities.valueHash, identityHash({ kind: "email", value: email })))))[0]!.customerId;

beforeAll(async () => {
  ctx = await useDemoBusiness();
  await connectEmailChannel({ ctx, input: { address: "hello@riverside.test" } });
});
afterAll(async () => {
  await backgroundIdle();
  await closeDb();
});

describe("an anonymous web visitor", () => {
  it("is listed as “Web visitor #1234” from a stable short number, never by their visitor id", async () => {
    const { customerId } = await visitorAsks("Do you see children?");
    const [identity] = await withService((tx) => tx.select().from(s.customerIdentities).where(eq(s.customerIdentities.customerId, customerId)));
    const visitorId = decrypt(identity!.valueEncrypted);
    const label = visitorLabel(identity!.valueHash);
    expect(label).toMatch(/^visitor #\d{4}$/);
    expect(visitorLabel(identity!.valueHash)).toBe(label); // the same visitor, the same number

    const page = await listCustomerPage({ ctx, input: {} });
    const row = page.rows.find((r) => r.id === customerId)!;
    expect(row).toMatchObject({ name: null, displayName: `Web ${label}`, identities: [{ kind: "web", value: label }] });
    const profile = await getCustomerProfile({ ctx, input: { id: customerId } });
    expect(profile).toMatchObject({ displayName: `Web ${label}`, identities: [{ kind: "web", value: label }] });
    const inbox = await listConversations({ ctx, input: {} });
    expect(inbox.items.find((i) => i.customerId === customerId)).toMatchObject({ customerName: `Web ${label}` });
    const { csv } = await exportCustomersCsv({ ctx, input: { ids: [customerId] } });
    expect(csv).toContain(`web:${label}`);

    for (const shown of [page, profile, inbox, csv]) expect(JSON.stringify(shown)).not.toContain(visitorId);
  });
});

describe("chats from Settings → Test your agent", () => {
  it("never appear in the customer list, its count, or the inbox's waiting count", async () => {
    const before = await listCustomerPage({ ctx, input: {} });
    await signInAs(DEMO_OWNER.email, DEMO_OWNER.password);
    const res = await testAgentRoute(
      new Request(`${BASE}/api/businesses/${DEMO_SLUG}/test-agent`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "Is there parking?", session: "names-test-1" }) }),
      { params: Promise.resolve({ business: DEMO_SLUG }) },
    );
    expect(res.status).toBe(200);
    const { conversationId } = (await res.json()) as { conversationId: string };
    // Even a test chat handed to a person is not someone waiting.
    await withService((tx) => tx.update(s.conversations).set({ status: "waiting_human", assigneeId: null }).where(eq(s.conversations.id, conversationId)));

    const after = await listCustomerPage({ ctx, input: {} });
    expect(after.total).toBe(before.total);
    expect(after.rows.map((r) => r.name)).not.toContain("Test customer");
    expect((await listCustomerPage({ ctx, input: { q: "Test customer" } })).total).toBe(0);
    const inbox = await listConversations({ ctx, input: { status: "all" } });
    expect(inbox.items.map((i) => i.id)).not.toContain(conversationId);
    expect(inbox.waiting.map((w) => w.id)).not.toContain(conversationId);
  });
});

describe("the email simulator's sender", () => {
  it("is the name the owner types, else one made from the address — not the same name for everyone", async () => {
    expect(SimulateInput.parse({ type: "email", text: "hi" })).toMatchObject({ name: "" });
    await simulateMessaging({ ctx, input: { type: "email", from: "maria.garcia@example.com", subject: "Opening hours", text: "When are you open?" } });
    await simulateMessaging({ ctx, input: { type: "email", from: "t.okafor@example.com", name: "Tom Okafor", subject: "Whitening", text: "How much is whitening?" } });
    await backgroundIdle();
    expect(await nameOf(await customerWithEmail("maria.garcia@example.com"))).toBe("Maria Garcia");
    expect(await nameOf(await customerWithEmail("t.okafor@example.com"))).toBe("Tom Okafor");

    expect(nameFromAddress("jo_smith99@example.com")).toBe("Jo Smith");
    expect(nameFromAddress("12345@example.com")).toBe("");
    // The page's default is one of several people.
    expect(new Set([0, 0.3, 0.6, 0.99].map((p) => samplePerson(p).name)).size).toBe(4);
    expect(SAMPLE_PEOPLE.every((p) => nameFromAddress(p.email).toLowerCase() === p.name.toLowerCase().normalize("NFD").replace(/\p{M}/gu, ""))).toBe(true);
  });
});

describe("the name in the chat's contact form", () => {
  it("is saved to the visitor's customer, and a corrected name replaces the first", async () => {
    const { token, customerId } = await visitorAsks("Can I book a check-up?");
    await leaveContact(token, "sam.whitaker@example.com", "Sam");
    expect(await nameOf(customerId)).toBe("Sam");
    await leaveContact(token, "sam.whitaker@example.com", "Samantha");
    expect(await nameOf(customerId)).toBe("Samantha");
    // Leaving the name out keeps it.
    await leaveContact(token, "sam.whitaker@example.com");
    expect(await nameOf(customerId)).toBe("Samantha");
  });

  it("never replaces a name the team gave, and only fills an empty one on someone else's record", async () => {
    const { token, customerId } = await visitorAsks("Do you do implants?");
    await leaveContact(token, "lee.chan@example.com", "Lee");
    // Staff saving only notes does not count as naming them…
    await updateCustomerDetails({ ctx, input: { id: customerId, name: "Lee", notes: "Prefers mornings" } });
    await leaveContact(token, "lee.chan@example.com", "Lee Chan");
    expect(await nameOf(customerId)).toBe("Lee Chan");
    // …a name staff typed stands.
    await updateCustomerDetails({ ctx, input: { id: customerId, name: "Dr Lee Chan" } });
    await leaveContact(token, "lee.chan@example.com", "Lee");
    expect(await nameOf(customerId)).toBe("Dr Lee Chan");

    // Someone typing Lee's address merges into Lee's record, but cannot rename it.
    const other = await visitorAsks("What are your prices?");
    await leaveContact(other.token, "lee.chan@example.com", "Mallory");
    expect(await nameOf(customerId)).toBe("Dr Lee Chan");

    // A known address whose customer has no name yet: the visitor's name fills it.
    const known = await withService((tx) => resolveCustomer(tx, DEMO_BUSINESS_ID, { kind: "email", value: "kim.park@example.com" }));
    const kim = await visitorAsks("Are you open on Saturday?");
    await leaveContact(kim.token, "kim.park@example.com", "Kim Park");
    expect(await nameOf(known.customer.id)).toBe("Kim Park");
  });
});
