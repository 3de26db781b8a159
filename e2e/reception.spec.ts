import { expect, test, type Locator, type Page } from "@playwright/test";
import { signIn } from "./sign-in";

// The AI receptionist, end to end in embedded mode (the offline model's booking dialogue): the owner
// sets up a service and a person on the Calendar page; a customer leaves their phone number in web
// chat and books there; the booking shows in the calendar; the same customer texts from that number
// that they cannot make it, and moves the booking by SMS; the calendar shows it moved.
// (Named to run after channels-twilio.spec, which connects SMS on a clinic where it is not yet.)

const PHONE = "+447700900555";

/** The business day `days` from now, in the calendar's time zone, as YYYY-MM-DD. */
const dayIn = (timeZone: string, days: number) => new Intl.DateTimeFormat("en-CA", { timeZone }).format(new Date(Date.now() + days * 86_400_000));

// A customer's messages a few seconds apart, as people type: closer than the clinic's minimum
// interval between one customer's messages, the second would be refused as too fast.
const typing = (page: Page) => page.waitForTimeout(3_500);

/** Sends `text` in the web chat and returns the assistant's answer to it. */
async function chat(page: Page, text: string): Promise<string> {
  await typing(page);
  const answers = page.getByTestId("assistant-message");
  const before = await answers.count();
  await page.getByLabel("Type your message").fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(answers).toHaveCount(before + 1, { timeout: 30_000 });
  await expect(page.getByTestId("typing")).toHaveCount(0, { timeout: 30_000 });
  return (await answers.last().textContent()) ?? "";
}

/** Sends `body` from the SMS simulator and returns the business's reply to it (the item after it). */
async function text(page: Page, transcript: Locator, body: string): Promise<string> {
  await typing(page);
  const items = transcript.getByRole("listitem");
  await page.getByPlaceholder("Write as the customer…").fill(body);
  await page.getByRole("button", { name: "Send", exact: true }).click();
  let reply = "";
  await expect
    .poll(
      async () => {
        const all = (await items.allTextContents()).map((t) => t.trim());
        const mine = all.lastIndexOf(body);
        reply = mine >= 0 && mine < all.length - 1 ? all[all.length - 1]! : "";
        return reply;
      },
      { timeout: 30_000 },
    )
    .not.toBe("");
  return reply;
}

test("a customer books in web chat, sees it in the calendar, and moves it by SMS from the same number", async ({ browser }) => {
  test.setTimeout(240_000);
  const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const customer = await (await browser.newContext({ viewport: { width: 390, height: 780 } })).newPage();

  // The owner: one service and one dentist who works every day, 08:00–20:00.
  await signIn(owner, "/demo-dental/calendar");
  await expect(owner.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
  const zone = /Bookings per person or room, in ([A-Za-z_/+-]+)\./.exec((await owner.locator("main").textContent()) ?? "")![1]!;
  const service = owner.getByRole("form", { name: "New service" });
  await service.getByLabel("Name").fill("Check-up");
  await service.getByLabel("Minutes").fill("30");
  await service.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByRole("form", { name: "Service Check-up" })).toBeVisible();
  const person = owner.getByRole("form", { name: "New person or room" });
  await person.getByLabel("Name").fill("Dr Rivera");
  for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]) {
    await person.getByLabel(`${day} opens`).fill("08:00");
    await person.getByLabel(`${day} closes`).fill("20:00");
  }
  await person.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByRole("form", { name: "Resource Dr Rivera" })).toBeVisible();

  // The customer, in web chat: their phone number for follow-ups, then the booking.
  await customer.goto("/chat/demo-dental");
  await customer.getByRole("button", { name: "Leave your email or phone so we can follow up" }).click();
  await customer.getByLabel("Your name (optional)").fill("Robin Reyes");
  await customer.getByLabel("Email or phone").fill(PHONE);
  await customer.getByRole("button", { name: "Save" }).click();
  await expect(customer.getByTestId("contact-saved")).toBeVisible();

  expect(await chat(customer, "Hi, I'd like to book a check-up")).toContain("Which day would suit you?");
  const held = await chat(customer, "tomorrow at 10:00");
  // read back with the date, the time and the time zone written out
  expect(held).toMatch(new RegExp(`^I'm holding Check-up with Dr Rivera for you on \\w+day, \\d+ \\w+ \\d{4} at 10:00 \\(.*${zone.replace("/", "\\/")}\\) for \\d+ minutes\\. Shall I book it\\? \\(yes/no\\)$`));
  expect(await chat(customer, "yes")).toMatch(/^You're booked: Check-up with Dr Rivera on .* at 10:00 /);

  // The booking is in the calendar on tomorrow's page.
  const tomorrow = dayIn(zone, 1);
  await owner.goto(`/demo-dental/calendar?view=day&date=${tomorrow}`);
  await expect(owner.getByRole("button", { name: /10:00–10:30 Check-up · Robin Reyes \(Confirmed\)/ })).toBeVisible();

  // The same customer texts from that number: they cannot make it, and move it to 11:00 two days later.
  await owner.goto("/demo-dental/channels/sms");
  if (await owner.getByText("Not connected").isVisible()) {
    await owner.getByLabel("Your Twilio number").fill("+15017122661");
    await owner.getByRole("button", { name: "Save" }).click();
    await expect(owner.getByText(/Answering on \+1/)).toBeVisible();
  }
  await owner.getByLabel("You are texting from").fill(PHONE);
  const sms = owner.getByRole("list", { name: "Simulated conversation" });
  expect(await text(owner, sms, "Sorry, I can't make it tomorrow")).toMatch(/Your Check-up is on .* at 10:00 .*Which other day would suit you\?/);
  const later = dayIn(zone, 3);
  const [, month, day] = later.split("-").map(Number);
  const monthName = new Date(Date.UTC(2000, month! - 1, 1)).toLocaleString("en-GB", { month: "long", timeZone: "UTC" });
  let reply = await text(owner, sms, `${day} ${monthName} at 11:00`);
  const offered = /I can offer ([0-9:, ]+)/.exec(reply);
  if (offered) reply = await text(owner, sms, "11:00");
  expect(reply).toMatch(/Shall I move your Check-up to .* at 11:00 .*\? \(yes\/no\)/);
  expect(await text(owner, sms, "yes")).toMatch(/Done: your Check-up is now on .* at 11:00 /);

  // The calendar: gone from tomorrow, there two days later.
  await owner.goto(`/demo-dental/calendar?view=day&date=${tomorrow}`);
  await expect(owner.getByRole("button", { name: /Check-up · Robin Reyes \(Confirmed\)/ })).toHaveCount(0);
  await owner.goto(`/demo-dental/calendar?view=day&date=${later}`);
  await expect(owner.getByRole("button", { name: /11:00–11:30 Check-up · Robin Reyes \(Confirmed\)/ })).toBeVisible();
});
