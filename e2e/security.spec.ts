import { expect, test } from "@playwright/test";

// What only the real server shows (the jest suites call handlers directly): Chromium stays on the app
// after signing up and in with a `next` that parses to another site; proxy.ts answers malformed server
// actions before Next's decoder would answer 500; the socket address instrumentation.ts writes reaches
// route handlers whatever the client sends; the dev outbox shows nothing to a visitor.

test("a next that parses to another site lands on /businesses after sign-up and sign-in", async ({ page }) => {
  const email = `redirect-${Date.now()}@example.test`;
  await page.goto(`/sign-up?next=${encodeURIComponent("/\\evil.example/")}`);
  await page.getByLabel("Your name").fill("Rita Redirect");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-long-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/businesses$/);
  expect(new URL(page.url()).host).not.toContain("evil");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto(`/sign-in?next=${encodeURIComponent("/\t/evil.example/")}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-long-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/businesses$/);
});

test("malformed server actions get a 4xx from proxy.ts, never Next's 500", async ({ request, baseURL }) => {
  const action = { "next-action": "7f3a9c0d1e2b4a5968778695a4b3c2d1e0f9a8b7c6", "content-type": "text/plain;charset=UTF-8", origin: baseURL! };
  expect((await request.post("/sign-in", { headers: action, data: '["$K1",' })).status()).toBe(400);
  expect((await request.post("/sign-in", { headers: { ...action, origin: "https://evil.example" }, data: "[]" })).status()).toBe(403);
  expect((await request.post("/sign-in", { headers: action, data: "a".repeat(5 * 1024 * 1024) })).status()).toBe(413);
  expect((await request.post("/sign-in", { headers: { ...action, "content-type": "application/json" }, data: "[]" })).status()).toBe(415);
  const boundary = "----e2eBoundary";
  const cut = `--${boundary}\r\nContent-Disposition: form-data; name="0"\r\n\r\n["$K1"]\r\n--${boundary}\r\nContent-Disp`;
  expect((await request.post("/sign-up", { headers: { "content-type": `multipart/form-data; boundary=${boundary}`, origin: baseURL! }, data: cut })).status()).toBe(400);
});

test("the client's address is the connection's: headers a client writes neither grant nor hide it", async ({ request }) => {
  // The jobs route (no QStash here) answers this machine only, and Playwright connects over loopback:
  // it runs although every header claims a caller on the network, because the server replaced the
  // socket-address header with the real peer before any handler ran...
  const spoofed = { "x-prismai-socket-address": "203.0.113.9", "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", "x-vercel-forwarded-for": "203.0.113.9" };
  expect((await request.post("/api/jobs/sweep", { headers: spoofed, data: "{}" })).status()).toBe(200);
  // ...and a page of another website that makes a browser on this machine post to it is refused.
  expect((await request.post("/api/jobs/sweep", { headers: { origin: "https://evil.example" }, data: "{}" })).status()).toBe(403);
});

test("the dev outbox shows nothing to a visitor", async ({ page }, testInfo) => {
  const res = await page.goto("/dev/outbox");
  if (testInfo.project.name === "pglite") {
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fdev%2Foutbox$/);
  } else {
    // beside a production database the page does not exist
    expect(res?.status()).toBe(404);
  }
  await expect(page.getByText("reset-password?token=")).toHaveCount(0);
});
