import { expect, test } from "@playwright/test";

// The demo owner teaches the agent an article, asks "what would the agent find?" and sees it; uploads
// a PDF and watches it index; then opens Customers, also at phone width.
test("the demo owner adds an article, the agent finds it, and Customers opens", async ({ page }) => {
  await page.goto("/demo-dental/knowledge");
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/demo-dental\/knowledge$/);
  await expect(page.getByRole("heading", { name: "Knowledge", exact: true })).toBeVisible();
  // the seeded articles are listed
  await expect(page.getByRole("link", { name: /Before and after a tooth extraction/ })).toBeVisible();

  await page.getByRole("link", { name: "New article" }).click();
  await page.getByLabel("Title").fill("Implant aftercare");
  await page
    .getByLabel("Article text (markdown)")
    .fill("# Implant aftercare\n\n## The first week\nEat soft food such as soup, eggs and yoghurt for a week after your implant, and chew on the other side.\n\n## Cleaning\nBrush gently around the implant with a soft brush.");
  await page.getByRole("tab", { name: "Preview" }).click();
  await expect(page.getByRole("heading", { name: "The first week" })).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved and indexed");
  await expect(page.getByText("2 chunks, each retrieved on its own.")).toBeVisible();

  await page.getByRole("link", { name: "← Knowledge" }).click();
  await page.getByLabel("Customer question").fill("what am I allowed to eat after getting an implant?");
  await page.getByRole("button", { name: "Ask" }).click();
  const best = page.getByTestId("agent-find-chunk").first();
  await expect(best).toContainText("Implant aftercare");
  await expect(best).toContainText("Eat soft food such as soup");

  // An upload shows its progress and ends indexed.
  await page.getByLabel("Files to upload").setInputFiles("__tests__/fixtures/knowledge/sample.pdf");
  await expect(page.getByText("Added: 1 chunk, 2 pages")).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Progress of sample.pdf" })).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByRole("link", { name: /sample/ })).toBeVisible();

  await page.getByRole("link", { name: "FAQs", exact: true }).click();
  await expect(page.getByText("What are your opening hours?")).toBeVisible();

  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Customers" }).click();
  await expect(page).toHaveURL(/\/demo-dental\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Search and filter customers" })).toBeVisible();
  await page.getByLabel("Search customers").fill("nobody@example.test");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=nobody%40example.test/);
  await expect(page.getByText(/No customer matches|No customers yet/)).toBeVisible();

  // Usable at phone width: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/demo-dental/customers");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.goto("/demo-dental/knowledge");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
