import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./sign-in";

// A campaign as an owner runs one in embedded mode: a customer writes on WhatsApp (the simulator)
// and ticks the consent box of the chat's contact form; the owner builds a segment with its live
// count, writes a message with AI personalisation (the offline model: the template is sent, and the
// preview says so), previews it with the cost, starts it, watches it arrive in the simulator (the
// in-process campaigns job), sees the recipient's status, and the customer's reply answered by the AI.

// The WhatsApp simulator's customer is "Simulated customer" (their profile name). They live where it is day now, so quiet hours do not hold the message back.
const PLACES = [
  { phone: "+447700900888", zone: "Europe/London" },
  { phone: "+12125550188", zone: "America/New_York" },
  { phone: "+18085550188", zone: "Pacific/Honolulu" },
  { phone: "+819012345688", zone: "Asia/Tokyo" },
  { phone: "+61412345688", zone: "Australia/Sydney" },
  { phone: "+919876543288", zone: "Asia/Kolkata" },
];
const localHour = (zone: string) => Number(new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
const CUSTOMER = (PLACES.find((p) => localHour(p.zone) >= 10 && localHour(p.zone) < 18) ?? PLACES[0]!).phone;
const MESSAGE = "whitening is 20% off at Riverside Dental Clinic until 30 April.";

async function openWhatsAppSimulator(page: Page) {
  await page.goto("/demo-dental/channels/whatsapp");
  await page.getByLabel("You are texting from").fill(CUSTOMER);
  return page.getByRole("list", { name: "Simulated conversation" });
}

test("segment, AI-personalised message, preview, start; the text arrives, its status shows, and the AI answers the reply", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await signIn(page, "/demo-dental/channels");
  await expect(page.getByRole("heading", { name: "Channels" })).toBeVisible();

  // The clinic's WhatsApp sender (booking-relay.spec connects the same one when it runs first), and a
  // customer asking about whitening.
  await page.goto("/demo-dental/channels/whatsapp");
  await expect(page.getByText(/Not connected|Answering on/).first()).toBeVisible();
  if (await page.getByText("Not connected").isVisible()) {
    await page.getByLabel("Your WhatsApp sender number").fill("+14155238886");
    await page.getByRole("button", { name: "Save" }).click();
  }
  await expect(page.getByText(/Answering on .*\+14155238886/)).toBeVisible();
  const chat = await openWhatsAppSimulator(page);
  await page.getByPlaceholder("Write as the customer…").fill("Hi, is Zephyr whitening something you do?");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  // the assistant's answer follows the question
  await expect(chat.getByRole("listitem")).toHaveCount(2, { timeout: 30_000 });

  // On the clinic's chat page the same person leaves their number and ticks the consent box.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/chat/demo-dental");
  await visitor.getByRole("button", { name: "Leave your email or phone so we can follow up" }).click();
  await visitor.getByLabel("Email or phone").fill(CUSTOMER);
  const consent = visitor.getByLabel(/Riverside Dental Clinic may send me offers and reminders/);
  await expect(consent).not.toBeChecked();
  await consent.check();
  await visitor.getByRole("button", { name: "Save" }).click();
  await expect(visitor.getByTestId("contact-saved")).toContainText("we'll follow up at");
  await visitor.close();

  // The segment: who said "Zephyr", reachable on WhatsApp, with consent; counted live, saved.
  await page.goto("/demo-dental/campaigns");
  await expect(page.getByRole("heading", { name: "Campaigns", exact: true })).toBeVisible();
  await page.getByLabel("Said in a conversation").fill("Zephyr");
  await page.getByRole("group", { name: "Reachable on" }).getByLabel("WhatsApp").check();
  await expect(page.getByTestId("audience-count")).toContainText("1 customer — Simulated customer");
  await page.getByLabel("Save this filter as").fill("Zephyr fans");
  await page.getByRole("button", { name: "Save segment" }).click();
  await expect(page.getByText("Segment saved.")).toBeVisible();

  // The message: AI personalisation from a brief, the template as its fallback, WhatsApp only.
  await page.getByLabel("Campaign name").fill("Spring whitening");
  const sendOn = page.getByRole("group", { name: /Send on/ });
  await sendOn.getByLabel("SMS").uncheck();
  await sendOn.getByLabel("Email").uncheck();
  await page.getByLabel("Writing").selectOption("ai");
  await page.getByLabel("Brief: the offer, dates and terms").fill("Teeth whitening at 20% off for existing patients, booked by 30 April.");
  await page.getByLabel("Message A").fill(`Hi {{first_name}}, ${MESSAGE.replace("Riverside Dental Clinic", "{{business}}")}`);
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/demo-dental\/campaigns\?id=/);
  await expect(page.getByRole("heading", { name: "Spring whitening" })).toBeVisible();

  // The preview: the message as it will be sent, why the template stays, and the cost.
  await page.getByRole("button", { name: "Preview messages and cost" }).click();
  const preview = page.getByTestId("campaign-preview");
  await expect(preview).toContainText(`Hi Simulated, ${MESSAGE}`);
  await expect(preview).toContainText("No language model is connected: the plain template is sent.");
  await expect(preview).toContainText(/1 of 1 recipients will be sent to, for about \$0\.\d+/);
  await expect(preview).toContainText("whatsapp: 1 recipients, 1 messages");

  // The simulator is open as the campaign starts: the campaigns job sends within half a minute.
  const simulator = await page.context().newPage();
  const feed = await openWhatsAppSimulator(simulator);
  await page.getByRole("button", { name: "Approve and start" }).click();
  await expect(page.getByText(/Started: 1 recipients/)).toBeVisible();
  await expect(feed).toContainText(`Hi Simulated, ${MESSAGE}`, { timeout: 90_000 });

  // Per recipient: sent, on WhatsApp.
  await page.reload();
  const row = page.getByRole("row", { name: /Simulated customer/ });
  await expect(row).toContainText("whatsapp");
  await expect(row).toContainText("sent");

  // The customer answers the offer; the AI answers her, and the recipient counts as converted (goal: a reply).
  await simulator.getByPlaceholder("Write as the customer…").fill("Yes please! What are your opening hours?");
  await simulator.getByRole("button", { name: "Send", exact: true }).click();
  await expect(feed.getByRole("listitem")).toHaveCount(3, { timeout: 30_000 });
  await expect(feed.getByRole("listitem").last()).toContainText(/Monday/);
  await page.reload();
  await expect(page.getByRole("row", { name: /Simulated customer/ })).toContainText("converted");
  await expect(page.getByRole("img", { name: /Recipients by status: .*converted 1/ })).toBeVisible();
});
