import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";

// The demo owner after a customer texted (an SMS reply is a priced operation even in embedded mode):
// Costs shows the spend chart by operation and by channel, a definition opens, the period changes, and
// the CSV downloads; Analytics shows conversations over time, its numbers open their conversations in
// the inbox, and its CSV downloads.

const SLUG = "demo-dental";
const CUSTOMER = "+447700900615";

async function signIn(page: Page, next: string) {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next.replace(/[?]/g, "\\?")}$`));
}

/** A customer texts the clinic through the SMS simulator (connecting the channel if no spec did yet). */
async function aTextedQuestion(page: Page) {
  await page.goto(`/${SLUG}/channels/sms`);
  if (await page.getByText("Not connected").isVisible()) {
    await page.getByLabel("Your Twilio number").fill("+15017122671");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(/Answering on \+1/)).toBeVisible();
  }
  await page.getByLabel("You are texting from").fill(CUSTOMER);
  await page.getByPlaceholder("Write as the customer…").fill("What are your opening hours?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("list", { name: "Simulated conversation" })).toContainText(/Monday/);
}

async function downloaded(page: Page, link: string): Promise<string> {
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: link }).click();
  const file = await (await download).path();
  return fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
}

test("the owner reads Costs and Analytics, changes the period, opens the conversations and downloads both CSVs", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, `/${SLUG}/channels`);
  await aTextedQuestion(page);

  // ---- Costs
  await page.goto(`/${SLUG}/costs`);
  await expect(page.getByRole("heading", { name: "Costs", exact: true })).toBeVisible();
  await expect(page.getByRole("img", { name: "Spend by day, by operation" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Spend by day: totals" })).toContainText("SMS segments");
  await page.getByRole("button", { name: "By channel" }).click();
  await expect(page.getByRole("button", { name: "By channel" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("img", { name: "Spend by day, by channel" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Spend by day: totals" })).toContainText("SMS");
  await expect(page.getByRole("heading", { name: /This month against the budget/ })).toBeVisible();
  await expect(page.getByText(/This comes first\./)).toBeVisible();

  // a definition is one click away
  await page.getByRole("button", { name: 'What "Spent in this period" means' }).click();
  await expect(page.getByRole("dialog", { name: "Definition: Spent in this period" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Definition: Spent in this period" })).toBeHidden();

  // another period, and a channel
  await page.getByLabel("Period", { exact: true }).selectOption("7d");
  await page.getByLabel("Channel", { exact: true }).selectOption("sms");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]period=7d/);
  await expect(page).toHaveURL(/[?&]channel=sms/);
  await expect(page.getByLabel("Period", { exact: true })).toHaveValue("7d");
  await expect(page.getByRole("img", { name: "Spend by day, by operation" })).toBeVisible();

  const costs = await downloaded(page, "Download CSV");
  const costLines = costs.trim().split(/\r?\n/);
  expect(costLines[0]).toBe("id,time,date,operation,kind,channel,model,units,tokens_in,tokens_out,cost_usd,conversation_id,message_id");
  expect(costLines.slice(1).some((l) => l.includes("SMS segments,sms,sms"))).toBe(true);
  expect(costLines.slice(1).every((l) => l.split(",")[5] === "sms")).toBe(true);

  // a bad period in the URL is explained, not a crash
  await page.goto(`/${SLUG}/costs?period=fortnight`);
  await expect(page.getByRole("alert").filter({ hasText: "These filters cannot be shown" })).toContainText("period must be one of");

  // ---- Analytics
  await page.goto(`/${SLUG}/analytics`);
  await expect(page.getByRole("heading", { name: "Analytics", exact: true })).toBeVisible();
  await expect(page.getByRole("img", { name: "Conversations over time, by channel" })).toBeVisible();
  await expect(page.getByRole("button", { name: 'What "Resolved by the AI" means' })).toBeVisible();
  await page.getByRole("button", { name: 'What "Resolved by the AI" means' }).click();
  await expect(page.getByRole("dialog", { name: "Definition: Resolved by the AI" })).toContainText("ANY channel within 72 hours");
  await page.keyboard.press("Escape");

  await page.getByLabel("Period", { exact: true }).selectOption("30d");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]period=30d/);

  const analytics = await downloaded(page, "Download CSV");
  const analyticsLines = analytics.trim().split(/\r?\n/);
  expect(analyticsLines[0]).toBe("id,channel,customer_channels,customer_id,customer,created,first_ai_response,first_human_response,resolved,resolution_type,handoff_reason,cost_usd,tags,csat");
  expect(analyticsLines.length).toBeGreaterThan(1);

  // the number of conversations opens them in the inbox, filtered the same way
  await page.getByTitle("Open these conversations in the inbox").first().click();
  await expect(page).toHaveURL(new RegExp(`/${SLUG}/inbox\\?.*set=conversations`));
  await expect(page.getByTestId("report-filter")).toContainText("From Analytics: Conversations");
  await expect(page.getByTestId("conversation-item").first()).toBeVisible();
  await page.getByTestId("report-filter").getByRole("button", { name: "Clear" }).click();
  await expect(page.getByTestId("report-filter")).toHaveCount(0);
});
