import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./sign-in";

// SMS and phone calls in embedded mode, as an owner tries them before buying a Twilio number:
// connect the channel, play a customer in the Channel simulator (signed payloads to the real
// webhook routes), and find one customer with the text and the call in the inbox, where a reply
// goes to the outbox and a call cannot be typed to.

const CUSTOMER = "+447700900777";

async function connect(page: Page, kind: "sms" | "voice", number: string) {
  await page.goto(`/demo-dental/channels/${kind}`);
  await expect(page.getByText("Not connected")).toBeVisible();
  await page.getByLabel("Your Twilio number").fill(number);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(`Answering on ${number}`)).toBeVisible();
}

test("a text and a call from one number are one customer; the inbox replies by SMS and explains calls", async ({ page }) => {
  await signIn(page, "/demo-dental/channels");
  await expect(page.getByRole("heading", { name: "Channels" })).toBeVisible();

  // SMS: connected with a number only (no Twilio account in embedded mode); the URLs to paste are shown.
  await connect(page, "sms", "+15017122661");
  await expect(page.getByRole("textbox", { name: "A message comes in" })).toHaveValue(/\/api\/webhooks\/twilio\/sms$/);
  await page.getByLabel("You are texting from").fill(CUSTOMER);
  await page.getByPlaceholder("Write as the customer…").fill("What are your opening hours?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  const sms = page.getByRole("list", { name: "Simulated conversation" });
  await expect(sms).toContainText("What are your opening hours?");
  await expect(sms).toContainText(/Monday/);
  // STOP is honoured and confirmed.
  await page.getByPlaceholder("Write as the customer…").fill("STOP");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(sms).toContainText("you're unsubscribed");
  await page.getByPlaceholder("Write as the customer…").fill("START");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(sms).toContainText("you're subscribed again");

  // A call from the same number.
  await connect(page, "voice", "+15017122662");
  await page.getByLabel("You are calling from").fill(CUSTOMER);
  await page.getByRole("button", { name: "Call the business" }).click();
  const call = page.getByRole("list", { name: "Simulated conversation" });
  await expect(call).toContainText("Call connected.");
  await page.getByLabel("What you say").fill("Do you treat children?");
  await page.getByRole("button", { name: "Say it" }).click();
  await expect(call).toContainText("Do you treat children?");
  await expect(call.locator("li").last()).not.toContainText("Do you treat children?");
  await page.getByRole("button", { name: "Hang up" }).first().click();
  await expect(call).toContainText(/Call ended after \d+ s/);

  // The inbox: the call's conversation shows the customer's SMS too, and says a call cannot be typed to.
  await page.goto("/demo-dental/inbox");
  const callItem = page.getByTestId("conversation-item").filter({ has: page.getByRole("img", { name: "Phone" }) });
  await callItem.first().click();
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("Do you treat children?");
  await expect(timeline).toContainText("What are your opening hours?");
  await expect(page.getByText("a typed reply cannot reach a call")).toBeVisible();

  // The SMS conversation: a person's reply is delivered to the dev outbox (embedded mode) and says so.
  const smsItem = page.getByTestId("conversation-item").filter({ has: page.getByRole("img", { name: "SMS" }) });
  await smsItem.first().click();
  await page.getByLabel("Reply to the customer").fill("Hi, it's Dana. Yes, we see children from age one.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByTestId("timeline-agent").last()).toContainText("we see children from age one");
  await expect(page.getByTestId("timeline-agent").last()).toContainText("sent · dev outbox");
  await page.goto("/demo-dental/channels/sms");
  await expect(page.getByText("we see children from age one")).toBeVisible();
});
