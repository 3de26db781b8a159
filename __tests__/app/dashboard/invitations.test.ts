// Settings → Team invitations: a bad address is refused next to the field; inviting a pending address
// again re-sends (a fresh link, the old one dead) instead of adding a second invitation, and the
// database holds one pending invitation per business and address even when invites race.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { closeDb, rows, withService } from "@/lib/db/client";
import * as s from "@/lib/db/schema";
import { findInvitation, inviteMember } from "@/lib/services/members";
import type { MemberCtx } from "@/lib/services/context";
import { inviteMemberAction } from "@/app/(dashboard)/[business]/settings/actions";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { form } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let a: { businessId: string };
let b: { businessId: string };
let owner: MemberCtx;

const pending = (businessId: string, email: string) =>
  withService((tx) =>
    rows<{ id: string; role: string; token_hash: string }>(tx, sql`select id, role, token_hash from invitations where business_id = ${businessId} and email = ${email} and accepted_at is null`),
  );
const mails = (email: string) => withService((tx) => rows<{ body: string }>(tx, sql`select body from outbox where recipient = ${email} and payload->>'kind' = 'invitation' order by created_at`));
const token = (link: string) => link.split("/invitations/")[1]!;

beforeAll(async () => {
  await useTestDb();
  const cast = await withService((tx) => makeTwoTenants(tx));
  ({ a, b } = cast);
  owner = { businessId: a.businessId, actor: { type: "member", userId: cast.alice.id, role: "owner" } };
});
afterAll(() => closeDb());

beforeEach(() => signInAs("alice@a.test"));

it("refuses an address that is not one, next to the field, and stores nothing", async () => {
  for (const email of ["a@b", "x@localhost", "two@@at.test", ""]) {
    const result = await inviteMemberAction("tenant-a", null, form({ email, role: "agent" }));
    expect(result).toEqual({ error: "Check the highlighted field.", fieldErrors: { email: "Enter a valid email address" } });
  }
  expect(await withService((tx) => rows(tx, sql`select 1 from invitations where email in ('a@b', 'x@localhost', 'two@@at.test', '')`))).toEqual([]);
});

it("accepts an address typed with spaces and capitals, as one address", async () => {
  expect(await inviteMemberAction("tenant-a", null, form({ email: "  Erin@Example.TEST ", role: "agent" }))).toMatchObject({ ok: "Invitation sent to erin@example.test." });
  expect(await pending(a.businessId, "erin@example.test")).toHaveLength(1);
});

it("re-sends a pending invitation instead of adding a second: one row, a fresh link, the old one dead", async () => {
  const first = await inviteMemberAction("tenant-a", null, form({ email: "frank@example.test", role: "agent" }));
  expect(first).toMatchObject({ ok: "Invitation sent to frank@example.test." });
  const [row] = await pending(a.businessId, "frank@example.test");

  const again = await inviteMemberAction("tenant-a", null, form({ email: "FRANK@example.test", role: "admin" }));
  expect(again).toMatchObject({ ok: "Invitation re-sent to frank@example.test." });
  const after = await pending(a.businessId, "frank@example.test");
  expect(after).toEqual([{ id: row!.id, role: "admin", token_hash: expect.any(String) }]);
  expect(after[0]!.token_hash).not.toBe(row!.token_hash);

  expect(await findInvitation(token(first!.link!))).toBeNull();
  expect((await findInvitation(token(again!.link!)))?.invitation).toMatchObject({ id: row!.id, role: "admin" });
  const sent = await mails("frank@example.test");
  expect(sent).toHaveLength(2);
  expect(sent[1]!.body).toContain(again!.link!);

  const audit = await withService((tx) => rows<{ action: string }>(tx, sql`select action from audit_log where business_id = ${a.businessId} and target_id = ${row!.id} order by created_at`));
  expect(audit.map((r) => r.action)).toEqual(["member.invited", "member.invitation_resent"]);
});

it("re-sends an expired invitation too, with a new week to accept it", async () => {
  await inviteMember({ ctx: owner, input: { email: "gina@example.test", role: "agent" } });
  await withService((tx) => tx.execute(sql`update invitations set expires_at = now() - interval '1 day' where email = 'gina@example.test'`));
  const again = await inviteMember({ ctx: owner, input: { email: "gina@example.test", role: "agent" } });
  expect(again.resent).toBe(true);
  expect((await findInvitation(token(again.link)))?.invitation.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
});

it("keeps one pending invitation when the same address is invited many times at once", async () => {
  const results = await Promise.all(Array.from({ length: 6 }, () => inviteMember({ ctx: owner, input: { email: "hank@example.test", role: "agent" } })));
  expect(await pending(a.businessId, "hank@example.test")).toHaveLength(1);
  expect(results.filter((r) => !r.resent)).toHaveLength(1);
  // Exactly one link works: the last invitation written.
  const live = await Promise.all(results.map((r) => findInvitation(token(r.link))));
  expect(live.filter(Boolean)).toHaveLength(1);
});

it("is unique in the database: per business and address while pending, not once accepted", async () => {
  const values = { email: "ivy@example.test", role: "agent" as const, expiresAt: new Date(Date.now() + 86_400_000) };
  await withService((tx) => tx.insert(s.invitations).values({ ...values, businessId: a.businessId, tokenHash: "ivy-1" }));
  await expect(withService((tx) => tx.insert(s.invitations).values({ ...values, businessId: a.businessId, tokenHash: "ivy-2" }))).rejects.toThrow();
  // Another business may invite the same person.
  await withService((tx) => tx.insert(s.invitations).values({ ...values, businessId: b.businessId, tokenHash: "ivy-3" }));
  // Once accepted, the row leaves the constraint: a later invitation (after removal, say) is new.
  await withService((tx) => tx.execute(sql`update invitations set accepted_at = now() where token_hash = 'ivy-1'`));
  await withService((tx) => tx.insert(s.invitations).values({ ...values, businessId: a.businessId, tokenHash: "ivy-4" }));
  expect(await pending(a.businessId, "ivy@example.test")).toHaveLength(1);
});
