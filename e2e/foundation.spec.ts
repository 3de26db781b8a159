import { expect, test } from "@playwright/test";

// Sign up → create a business → dashboard → invite a member → that member, as agent, cannot open Settings,
// and the owner-only pages' data is not in what the server sends them either.
test("an owner builds a team and an agent is kept out of Settings", async ({ browser }) => {
  const stamp = Date.now();
  const ownerEmail = `owner-${stamp}@example.test`;
  const agentEmail = `agent-${stamp}@example.test`;
  const pendingEmail = `pending-${stamp}@example.test`;
  const instructions = `Offer the spring discount code SECRET-${stamp}`;

  const owner = await (await browser.newContext()).newPage();
  await owner.goto("/sign-up");
  await owner.getByLabel("Your name").fill("Olivia Owner");
  await owner.getByLabel("Email").fill(ownerEmail);
  await owner.getByLabel("Password").fill("a-long-password");
  await owner.getByRole("button", { name: "Create account" }).click();

  await expect(owner.getByRole("heading", { name: "Your businesses" })).toBeVisible();
  await owner.getByLabel("Business name").fill(`Harbour Physio ${stamp}`);
  await owner.getByRole("button", { name: "Create business" }).click();

  await expect(owner).toHaveURL(/\/harbour-physio-\d+\/inbox$/);
  const nav = owner.getByRole("navigation", { name: "Dashboard" });
  for (const item of ["Inbox", "Customers", "Calendar", "Knowledge", "Channels", "Analytics", "Costs", "Settings"]) {
    await expect(nav.getByRole("link", { name: item })).toBeVisible();
  }
  const slug = new URL(owner.url()).pathname.split("/")[1]!;

  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(owner.getByRole("heading", { name: "Business profile" })).toBeVisible();
  await owner.getByLabel("Brand colour").fill("not-a-colour");
  await owner.getByLabel("Brand colour").evaluate((el: HTMLInputElement) => el.removeAttribute("pattern"));
  await owner.getByRole("button", { name: "Save" }).click();
  // The problem is next to its field, in words, and tied to it; the message above Save only points there.
  await expect(owner.getByRole("alert").filter({ hasText: "Use a colour" })).toHaveText("Use a colour like #0f766e");
  await expect(owner.getByLabel("Brand colour")).toHaveAttribute("aria-invalid", "true");
  await expect(owner.getByLabel("Brand colour")).toHaveAccessibleDescription("Use a colour like #0f766e");
  await expect(owner.getByRole("alert").filter({ hasText: "highlighted field" })).toHaveText("Check the highlighted field.");
  await expect(owner.getByText("brandColor")).toHaveCount(0);
  await owner.getByLabel("Brand colour").fill("#1d4ed8");
  await owner.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByRole("status")).toHaveText("Saved.");
  await expect(owner.getByLabel("Brand colour")).not.toHaveAttribute("aria-invalid", "true");

  await owner.getByRole("link", { name: "AI", exact: true }).click();
  await owner.getByLabel("Instructions").fill(instructions);
  await owner.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByRole("status")).toContainText("Saved");

  await owner.getByRole("link", { name: "Team" }).click();
  // An address the browser lets through but that is not one: refused next to the field, kept as typed.
  await owner.getByLabel("Email").fill("a@b");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("alert").filter({ hasText: "valid email" })).toHaveText("Enter a valid email address");
  await expect(owner.getByLabel("Email")).toHaveValue("a@b");
  await expect(owner.getByLabel("Email")).toHaveAccessibleDescription("Enter a valid email address");
  await owner.getByLabel("Email").fill(agentEmail);
  await owner.getByLabel("Role").selectOption("agent");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${agentEmail}`);
  const link = await owner.getByTestId("invitation-link").getAttribute("href");
  expect(link).toContain("/invitations/");
  await expect(owner.getByLabel("Email")).toHaveValue("");

  // Inviting a pending address again re-sends it: still one pending invitation.
  await owner.getByLabel("Email").fill(pendingEmail);
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation sent to ${pendingEmail}`);
  await owner.getByLabel("Email").fill(pendingEmail);
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByRole("status")).toContainText(`Invitation re-sent to ${pendingEmail}`);
  await expect(owner.getByRole("listitem").filter({ hasText: pendingEmail })).toHaveCount(1);

  // The invited person, in a browser of their own.
  const agent = await (await browser.newContext()).newPage();
  await agent.goto(link!);
  await expect(agent.getByRole("heading", { name: /Join Harbour Physio/ })).toBeVisible();
  await agent.getByRole("link", { name: "Create an account" }).click();
  await agent.getByLabel("Your name").fill("Adam Agent");
  await agent.getByLabel("Email").fill(agentEmail);
  await agent.getByLabel("Password").fill("another-long-password");
  await agent.getByRole("button", { name: "Create account" }).click();
  await agent.getByRole("button", { name: "Accept invitation" }).click();
  await expect(agent).toHaveURL(new RegExp(`/${slug}/inbox$`));

  const agentNav = agent.getByRole("navigation", { name: "Dashboard" });
  await expect(agentNav.getByRole("link", { name: "Inbox" })).toBeVisible();
  for (const item of ["Analytics", "Costs", "Settings"]) await expect(agentNav.getByRole("link", { name: item })).toHaveCount(0);

  await agent.goto(`/${slug}/settings`);
  await expect(agent.getByRole("heading", { name: "You don't have access to Settings" })).toBeVisible();
  await expect(agent.getByRole("heading", { name: "Business profile" })).toHaveCount(0);
  await agent.goto(`/${slug}/settings/team`);
  await expect(agent.getByRole("button", { name: "Send invitation" })).toHaveCount(0);
  // What the server sends (HTML and the page's data) holds none of it, not only what is shown.
  for (const path of ["settings", "settings/team", "settings/ai", "settings/limits", "settings/test-agent", "costs", "analytics"]) {
    const res = await agent.request.get(`/${slug}/${path}`);
    expect(res.status()).toBe(200);
    const html = await res.text();
    expect(html).toContain("have access to");
    for (const secret of [pendingEmail, instructions, "This month"]) expect(html, `${path} must not contain ${secret}`).not.toContain(secret);
  }

  // The owner sees the new member in the team.
  await owner.reload();
  await expect(owner.getByText(agentEmail).first()).toBeVisible();
});

test("the demo owner signs in to the seeded clinic; strangers' businesses are 404", async ({ page }) => {
  await page.goto("/demo-dental/inbox");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toHaveText("That email and password do not match.");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/demo-dental\/inbox$/);
  await expect(page.getByRole("button", { name: /Riverside Dental Clinic/ })).toBeVisible();

  const res = await page.goto("/someone-elses-business/inbox");
  expect(res?.status()).toBe(404);
});

// Each Playwright project runs against a server on its own engine: the health route says which.
test("the server reports its database engine and current migrations", async ({ request }, testInfo) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body).toMatchObject({ status: "ok", database: { reachable: true, driver: testInfo.project.name }, migrations: { current: true } });
  expect(body.adapters.database).toBe(testInfo.project.name);
});
