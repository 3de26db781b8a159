import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// The owner's own phone, in embedded mode: the owner connects WhatsApp, adds their number under
// Settings → Notifications and types back the code their phone (the inbox's "Your phone" panel)
// received; a customer in web chat asks for a person; the hand-off notice with its code reaches the
// owner's phone (the relay-ladder job, in-process), and the owner's answer typed on that phone
// appears in the customer's chat.

const OWNER_PHONE = "+447911123456";

test("a hand-off reaches the owner's phone, and the owner's reply from it appears in the customer's chat", async ({ browser }) => {
  test.setTimeout(240_000);
  const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const customerContext = await browser.newContext({ viewport: { width: 390, height: 780 } });
  const owner = await ownerContext.newPage();
  const customer = await customerContext.newPage();

  // WhatsApp (Twilio) with a number only: embedded mode, everything sent lands in the dev outbox
  await signIn(owner, "/demo-dental/channels/whatsapp");
  // connected here unless another spec did it first (campaigns.spec uses the same sender)
  await expect(owner.getByText(/Not connected|Answering on/).first()).toBeVisible();
  if (await owner.getByText("Not connected").isVisible()) {
    await owner.getByLabel("Your WhatsApp sender number").fill("+14155238886");
    await owner.getByRole("button", { name: "Save" }).click();
  }
  await expect(owner.getByText("Answering on +14155238886")).toBeVisible();

  // Settings → Notifications: the number, then the code the phone received
  await owner.goto("/demo-dental/settings/notifications");
  await expect(owner.getByRole("heading", { name: "Hand-offs on your phone" })).toBeVisible();
  await owner.getByLabel("Reach me by").selectOption("whatsapp");
  await owner.getByLabel("Your phone number").fill(OWNER_PHONE);
  await owner.getByRole("button", { name: "Send code" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "It expires in 10 minutes." })).toBeVisible();

  await owner.goto("/demo-dental/inbox");
  await owner.getByRole("button", { name: "Your phone" }).click();
  const phone = owner.getByRole("region", { name: "Your phone (simulator)" });
  const screen = phone.getByRole("list", { name: "Simulated conversation" });
  await expect(screen).toContainText("your code for hand-off alerts is", { timeout: 15_000 });
  const code = /is (\d{6})\./.exec((await screen.textContent()) ?? "")![1]!;

  await owner.goto("/demo-dental/settings/notifications");
  await owner.getByLabel(/Code sent to/).fill(code);
  await owner.getByRole("button", { name: "Verify" }).click();
  await expect(owner.getByText("Verified: hand-offs reach this phone")).toBeVisible();
  // a text at once, no call, no quiet hours
  await owner.getByLabel("Text me after (minutes)").fill("0");
  await owner.getByRole("button", { name: "Save", exact: true }).click();
  await expect(owner.getByText("Saved.")).toBeVisible();

  // the customer asks for a person in web chat
  await customer.goto("/chat/demo-dental");
  await customer.getByLabel("Type your message").fill("Is there parking? I want to speak to a real person please");
  await customer.getByRole("button", { name: "Send" }).click();
  await expect(customer.getByTestId("chat-status")).toContainText(/person/i, { timeout: 30_000 });

  // the notice reaches the owner's phone within the job's minute
  await owner.goto("/demo-dental/inbox");
  await owner.getByRole("button", { name: "Your phone" }).click();
  await expect(screen).toContainText("needs a person.", { timeout: 90_000 });
  await expect(screen).toContainText("on web chat");
  const handoff = /#([A-Z][0-9]) /.exec((await screen.textContent()) ?? "")![1]!;

  // the owner answers from the phone; the confirmation comes back to the phone
  await phone.getByLabel("Text the business").fill(`#${handoff} Yes, there is pay-and-display parking on Wood Street. See you soon!`);
  await phone.getByRole("button", { name: "Send from your phone" }).click();
  await expect(screen).toContainText(`#${handoff}: sent to`, { timeout: 30_000 });

  // …and the customer sees it in their chat, live
  await expect(customer.getByTestId("staff-message").last()).toContainText("Yes, there is pay-and-display parking on Wood Street. See you soon!", { timeout: 30_000 });

  // "done" hands the conversation back to the AI
  await phone.getByLabel("Text the business").fill(`#${handoff} done`);
  await phone.getByRole("button", { name: "Send from your phone" }).click();
  await expect(screen).toContainText(`#${handoff}: handed back to the AI.`, { timeout: 30_000 });

  await ownerContext.close();
  await customerContext.close();
});

test("Settings → Notifications works on a phone, a laptop and a wide screen", async ({ browser }) => {
  for (const width of [390, 1280, 1920]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await signIn(page, "/demo-dental/settings/notifications");
    await expect(page.getByRole("heading", { name: "Hand-offs on your phone" })).toBeVisible();
    // nothing wider than the window
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.goto("/demo-dental/inbox");
    await page.getByRole("button", { name: "Your phone" }).click();
    const panel = page.getByRole("region", { name: "Your phone (simulator)" });
    await expect(panel).toBeVisible();
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    await context.close();
  }
});
