import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Email and Telegram in embedded mode: connect, play the customer in the Channel simulator (signed
// payloads to the real webhook routes), and see threads kept apart by the reply-to tag, not by
// subject; then the same customer's email thread in the inbox.

test("email threads and a Telegram bot, simulated end to end", async ({ page }) => {
  await signIn(page, "/demo-dental/channels/email");
  await expect(page.getByRole("heading", { name: "Email", level: 1 })).toBeVisible();
  await expect(page.getByText("Not connected")).toBeVisible();
  await page.getByLabel("Support address").fill("help@riverside-dental.example");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Answering on help@riverside-dental.example")).toBeVisible();

  const transcript = page.getByRole("list", { name: "Simulated conversation" });
  await page.getByLabel("You are writing from").fill("jamie@example.com");
  await page.getByLabel("Subject").fill("Opening hours");
  await page.getByPlaceholder("Write as the customer…").fill("Hello, what are your opening hours on Saturday?");
  await page.getByRole("button", { name: "Send a new email" }).click();
  // The answer arrives as a threaded reply.
  await expect(transcript).toContainText("Re: Opening hours", { timeout: 30_000 });
  await expect(transcript).toContainText(/Saturday/);

  // A reply in the thread, quoting the answer: only the new text counts, and it stays in the thread.
  // (A customer's messages closer than 2 s apart get the rate limit's notice instead of an answer.)
  await page.waitForTimeout(2_100);
  await page.getByPlaceholder("Write as the customer…").fill("Thanks! Do I need to book?");
  await page.getByRole("button", { name: "Reply in the latest thread" }).click();
  await expect(transcript.getByText("Re: Opening hours")).toHaveCount(2, { timeout: 30_000 });
  await expect(transcript).toContainText("You can book here in the chat");

  // The inbox: one email conversation for the thread.
  await page.goto("/demo-dental/inbox");
  const emails = page.getByTestId("conversation-item").filter({ has: page.getByRole("img", { name: "Email" }) });
  await expect(emails).toHaveCount(1);
  await emails.first().click();
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("what are your opening hours on Saturday?");
  await expect(timeline).toContainText("Do I need to book?");
  await expect(timeline.getByTestId("timeline-customer")).toHaveCount(2);

  // Telegram: a simulated bot (no token), /start gets the greeting.
  await page.goto("/demo-dental/channels/telegram");
  await page.getByLabel("Bot username (simulated bot only)").fill("riverside_dental_bot");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/Answering on @?riverside_dental_bot/)).toBeVisible();
  await page.getByPlaceholder("Write as the customer…").fill("/start");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(page.getByRole("list", { name: "Simulated conversation" })).toContainText("Hi! I'm the Riverside Dental assistant", { timeout: 30_000 });
});
