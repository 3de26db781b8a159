// The dashboard's server actions, called as the browser would (a real signed session cookie):
// roles are enforced on every call, and another business's slug or ids answer 404 / not found.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { sql } from "drizzle-orm";
import { memberContext } from "@/lib/auth/member";
import { closeDb, rows, withService } from "@/lib/db/client";
import { acceptInvitation } from "@/lib/services/members";
import {
  changeRoleAction,
  inviteMemberAction,
  removeMemberAction,
  revokeInvitationAction,
  updateProfileAction,
} from "@/app/(dashboard)/[business]/settings/actions";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants, makeUser } from "../../helpers/fixtures";
import { form, navigationOutcome, request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let a: { businessId: string };
let b: { businessId: string };
let ids: Record<string, string> = {};

const profile = { name: "Tenant A Dental", timeZone: "Europe/London", brandColor: "#112233", logoUrl: "" };

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    const cast = await makeTwoTenants(tx);
    ({ a, b } = cast);
    await makeUser(tx, "dave@else.test");
    ids = { carolMember: cast.carolMemberId, bobMember: cast.b.ownerMemberId, aliceMember: cast.a.ownerMemberId };
  });
});
afterAll(() => closeDb());

describe("dashboard access", () => {
  it("sends a signed-out visitor to sign-in and a stranger to 404", async () => {
    request.reset();
    expect(await memberContext("tenant-a").catch(navigationOutcome)).toBe("redirect:/sign-in?next=%2Ftenant-a");
    await signInAs("alice@a.test");
    expect(await memberContext("tenant-b").catch(navigationOutcome)).toBe("404");
    expect(await memberContext("no-such-business").catch(navigationOutcome)).toBe("404");
    expect((await memberContext("tenant-a")).ctx.actor).toMatchObject({ type: "member", role: "owner" });
  });
});

describe("settings actions", () => {
  it("an owner edits the profile, with validation and an audit entry", async () => {
    await signInAs("alice@a.test");
    expect(await updateProfileAction("tenant-a", null, form({ ...profile, brandColor: "teal" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { brandColor: "Use a colour like #0f766e" } });
    expect(await updateProfileAction("tenant-a", null, form({ ...profile, timeZone: "Mars/Olympus" }))).toMatchObject({ fieldErrors: { timeZone: expect.stringMatching(/valid time zone/) } });
    expect(await updateProfileAction("tenant-a", null, form({ ...profile, logoUrl: "javascript:alert(1)" }))).toMatchObject({ fieldErrors: { logoUrl: expect.stringMatching(/http\(s\) URL/) } });
    expect(await updateProfileAction("tenant-a", null, form(profile))).toEqual({ ok: "Saved." });
    const stored = await withService((tx) => rows(tx, sql`select name, time_zone, brand_color, logo_url from businesses where id = ${a.businessId}`));
    expect(stored).toEqual([{ name: "Tenant A Dental", time_zone: "Europe/London", brand_color: "#112233", logo_url: null }]);
    const audit = await withService((tx) => rows<{ action: string }>(tx, sql`select action from audit_log where business_id = ${a.businessId} and action like 'business.%'`));
    expect(audit.map((r) => r.action)).toContain("business.profile_updated");
  });

  it("an agent cannot change settings or invite", async () => {
    await signInAs("carol@a.test");
    expect(await updateProfileAction("tenant-a", null, form(profile))).toEqual({ error: "Only owner or admins can do this." });
    expect(await inviteMemberAction("tenant-a", null, form({ email: "x@y.test", role: "agent" }))).toEqual({ error: "Only owner or admins can do this." });
    expect(await removeMemberAction("tenant-a", ids.aliceMember!)).toEqual({ error: "Only owner or admins can do this." });
  });

  it("a member of A cannot act on B, by slug or by id", async () => {
    await signInAs("alice@a.test");
    expect(await updateProfileAction("tenant-b", null, form(profile)).catch(navigationOutcome)).toBe("404");
    expect(await changeRoleAction("tenant-a", ids.bobMember!, "agent")).toEqual({ error: "Member not found." });
    expect(await removeMemberAction("tenant-a", ids.bobMember!)).toEqual({ error: "Member not found." });
    const bob = await withService((tx) => rows(tx, sql`select role from members where id = ${ids.bobMember}`));
    expect(bob).toEqual([{ role: "owner" }]);
  });

  it("invites by email; only the invited email can accept, once", async () => {
    await signInAs("alice@a.test");
    const result = await inviteMemberAction("tenant-a", null, form({ email: "Dave@Else.test", role: "agent" }));
    expect(result).toMatchObject({ ok: "Invitation sent to dave@else.test." });
    const token = result!.link!.split("/invitations/")[1]!;
    const mail = await withService((tx) => rows<{ recipient: string; body: string }>(tx, sql`select recipient, body from outbox where payload->>'kind' = 'invitation'`));
    expect(mail.at(-1)).toMatchObject({ recipient: "dave@else.test", body: expect.stringContaining(result!.link!) });
    expect(await inviteMemberAction("tenant-a", null, form({ email: "carol@a.test", role: "agent" }))).toEqual({
      error: "Check the highlighted field.",
      fieldErrors: { email: "carol@a.test is already a member." },
    });
    expect(await inviteMemberAction("tenant-a", null, form({ email: "not-an-email", role: "agent" }))).toMatchObject({ fieldErrors: { email: expect.stringMatching(/valid email/) } });

    const bob = { id: "x", email: "bob@b.test", name: null };
    await expect(acceptInvitation({ user: bob, token })).rejects.toThrow(/for dave@else.test/);
    const [dave] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from users where email = 'dave@else.test'`));
    const business = await acceptInvitation({ user: { id: dave!.id, email: "dave@else.test", name: null }, token });
    expect(business.slug).toBe("tenant-a");
    await expect(acceptInvitation({ user: { id: dave!.id, email: "dave@else.test", name: null }, token })).rejects.toThrow(/invalid, used or expired/);
    await signInAs("dave@else.test");
    expect((await memberContext("tenant-a")).ctx.actor.role).toBe("agent");
  });

  it("owners change roles; the last owner cannot be demoted or removed", async () => {
    await signInAs("alice@a.test");
    expect(await changeRoleAction("tenant-a", ids.carolMember!, "admin")).toEqual({ ok: "Role changed." });
    expect(await changeRoleAction("tenant-a", ids.aliceMember!, "agent")).toEqual({ error: "A business needs at least one owner." });
    await signInAs("carol@a.test"); // now an admin
    expect(await removeMemberAction("tenant-a", ids.aliceMember!)).toEqual({ error: "Only owners can remove owners or admins." });
    expect(await changeRoleAction("tenant-a", ids.carolMember!, "owner")).toEqual({ error: "Only owners can do this." });
    expect(await inviteMemberAction("tenant-a", null, form({ email: "e@x.test", role: "admin" }))).toEqual({ error: "Check the highlighted field.", fieldErrors: { role: "Only owners can invite admins." } });
  });

  it("revoking another business's invitation finds nothing", async () => {
    await signInAs("alice@a.test");
    const [bInvite] = await withService((tx) => rows<{ id: string }>(tx, sql`select id from invitations where business_id = ${b.businessId}`));
    expect(await revokeInvitationAction("tenant-a", bInvite!.id)).toEqual({ error: "Invitation not found." });
    expect(await revokeInvitationAction("tenant-a", "not-a-uuid")).toMatchObject({ error: expect.any(String) });
  });
});
