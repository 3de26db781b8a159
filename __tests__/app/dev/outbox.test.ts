// The dev outbox (embedded mode): a password-reset link opens the account it was sent for, so the page
// shows a signed-in person only the mail to their own address and their own businesses' invitations,
// and nothing to anyone signed out.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);

import { renderToStaticMarkup } from "react-dom/server";
import type { ReactElement } from "react";
import { closeDb, withService } from "@/lib/db/client";
import { enqueueEmail, listSystemMail } from "@/lib/channels/outbox";
import { requestPasswordReset } from "@/lib/auth";
import DevOutboxPage from "@/app/dev/outbox/page";
import { testEngine, useTestDb } from "../../helpers/db";
import { makeTwoTenants, makeUser } from "../../helpers/fixtures";
import { navigationOutcome, request } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

let cast: Awaited<ReturnType<typeof makeTwoTenants>>;

beforeAll(async () => {
  await useTestDb();
  await withService(async (tx) => {
    cast = await makeTwoTenants(tx);
    await makeUser(tx, "eve@else.test");
    await enqueueEmail(tx, { businessId: cast.a.businessId, to: "new-hire@a.test", subject: "Join tenant-a", body: "invite-a-link", payload: { kind: "invitation" } });
    await enqueueEmail(tx, { businessId: cast.b.businessId, to: "new-hire@b.test", subject: "Join tenant-b", body: "invite-b-link", payload: { kind: "invitation" } });
    await enqueueEmail(tx, { businessId: cast.b.businessId, to: "alice@a.test", subject: "Join tenant-b", body: "invite-b-for-alice", payload: { kind: "invitation" } });
  });
  await requestPasswordReset("alice@a.test");
  await requestPasswordReset("bob@b.test");
});
afterAll(() => closeDb());

const bodies = (rows: { body: string }[]) => rows.map((r) => (/reset-password\?token=/.test(r.body) ? `reset` : r.body));

describe("the dev outbox's mail", () => {
  it("for alice: her own reset, her business's invitation, an invitation addressed to her; not bob's reset or tenant-b's other invitations", async () => {
    const mail = await withService((tx) => listSystemMail(tx, cast.alice));
    expect(mail.map((m) => m.recipient).sort()).toEqual(["alice@a.test", "alice@a.test", "new-hire@a.test"]);
    expect(bodies(mail).sort()).toEqual(["invite-a-link", "invite-b-for-alice", "reset"]);
  });

  it("for carol, an agent of tenant-a: the business's invitation only", async () => {
    const mail = await withService((tx) => listSystemMail(tx, cast.carol));
    expect(bodies(mail)).toEqual(["invite-a-link"]);
  });

  it("for someone with no business and no mail: nothing", async () => {
    expect(await withService((tx) => listSystemMail(tx, { id: "00000000-0000-4000-8000-000000000000", email: "eve@else.test" }))).toEqual([]);
  });
});

describe("the page", () => {
  const render = async () => renderToStaticMarkup((await DevOutboxPage()) as ReactElement);

  if (testEngine() === "pglite") {
    it("sends a signed-out visitor to sign-in", async () => {
      request.reset();
      expect(await DevOutboxPage().catch(navigationOutcome)).toBe("redirect:/sign-in?next=%2Fdev%2Foutbox");
    });

    it("shows bob his own reset link and never alice's", async () => {
      await signInAs("bob@b.test");
      const html = await render();
      expect(html).toContain("to bob@b.test");
      expect(html).toContain("reset-password?token=");
      expect(html.match(/reset-password\?token=/g)).toHaveLength(1);
      expect(html).not.toContain("· to alice@a.test</p><p class=\"mt-1 font-medium\">Reset");
      expect(html).toContain("invite-b-link");
      expect(html).not.toContain("invite-a-link");
    });
  } else {
    it("is not served with a production database", async () => {
      await signInAs("alice@a.test");
      expect(await DevOutboxPage().catch(navigationOutcome)).toBe("404");
    });
  }
});
