import { expect, test } from "@playwright/test";

// The owner tests the agent from the dashboard and tunes its settings and budget.
test("the demo owner tests the agent, changes the AI settings and the budget", async ({ page }) => {
  await page.goto("/sign-in?next=/demo-dental/settings/test-agent");
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Test your agent" })).toBeVisible();

  await page.getByLabel("Message as a customer").fill("How much is a scale and polish?");
  await page.getByRole("button", { name: "Send" }).click();
  const reply = page.getByTestId("agent-reply").first();
  await expect(reply).toContainText("£65");
  await expect(reply.getByTestId("reply-source")).toHaveText("FAQ");
  await reply.getByText("Context used").click();
  await expect(reply).toContainText("FAQ matched");

  // A customer may send one message every 2 seconds (the default limit applies to tests too).
  await page.waitForTimeout(2100);
  await page.getByLabel("Message as a customer").fill("Can I drink alcohol after a tooth extraction?");
  await page.getByRole("button", { name: "Send" }).click();
  const second = page.getByTestId("agent-reply").nth(1);
  await expect(second.getByTestId("reply-source")).toHaveText("Offline responder");
  await second.getByText("Context used").click();
  await expect(second).toContainText("Before and after a tooth extraction");

  await page.getByRole("link", { name: "AI", exact: true }).click();
  await page.getByLabel("Tone").fill("calm and reassuring");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await page.reload();
  await expect(page.getByLabel("Tone")).toHaveValue("calm and reassuring");

  await page.getByRole("link", { name: "Limits & budget" }).click();
  await expect(page.getByRole("heading", { name: "This month's spend" })).toBeVisible();
  await page.getByLabel("Monthly budget (USD)").fill("2000000");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "at most" })).toBeVisible();
  await page.getByLabel("Monthly budget (USD)").fill("120");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await page.reload();
  await expect(page.getByText(/of \$120\.00/)).toBeVisible();

  // Clearing the budget or typing words is refused next to the field and changes nothing (never $0).
  const budget = page.getByLabel("Monthly budget (USD)");
  await budget.fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter a monthly budget" })).toBeVisible();
  await expect(budget).toHaveAttribute("aria-invalid", "true");
  await budget.fill("abc");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "number of dollars" })).toBeVisible();
  await expect(budget).toHaveValue("abc");
  await expect(page.getByText("monthlyBudgetUsd")).toHaveCount(0);
  await page.reload();
  await expect(page.getByText(/of \$120\.00/)).toBeVisible();
  await expect(page.getByLabel("Monthly budget (USD)")).toHaveValue("120");
});
