import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";

// Every dashboard page, at a phone's width, a laptop's and a wide screen's: nothing makes the page
// scroll sideways, and every entry of the dashboard's menu can be reached and is on screen. The pages
// are read from the app/(dashboard) route tree, so a page added later is checked too; each dynamic
// segment is filled with a real id (a conversation, a customer, an article made here).

const WIDTHS = [390, 1280, 1920] as const;
const SLUG = "demo-dental";
const DASHBOARD = path.join(process.cwd(), "app", "(dashboard)");

/** Every page.tsx under app/(dashboard), as a route pattern: "/[business]/channels/sms". */
function dashboardRoutes(dir = DASHBOARD, prefix = ""): string[] {
  const routes: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === "page.tsx") routes.push(prefix || "/");
    if (!entry.isDirectory() || entry.name.startsWith("_")) continue;
    // (groups) and @slots do not appear in the URL.
    const segment = /^\(.*\)$/.test(entry.name) || entry.name.startsWith("@") ? "" : `/${entry.name}`;
    routes.push(...dashboardRoutes(path.join(dir, entry.name), prefix + segment));
  }
  return routes.sort();
}

async function signIn(page: Page) {
  await page.goto(`/sign-in?next=${encodeURIComponent(`/${SLUG}/inbox`)}`);
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Inbox" })).toBeVisible();
}

/** A customer and their conversation: a visitor asks on the chat page. Returns the conversation's id. */
async function aConversation(page: Page): Promise<string> {
  await page.goto(`/chat/${SLUG}`);
  await page.getByLabel("Type your message").fill("Do you have parking near the clinic?");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("typing")).toHaveCount(0, { timeout: 30_000 });
  await page.goto(`/${SLUG}/inbox`);
  // Newest first: the visitor's conversation.
  await page.getByTestId("conversation-item").first().click();
  await expect(page).toHaveURL(/[?&]c=[0-9a-f-]{36}/);
  return new URL(page.url()).searchParams.get("c")!;
}

async function firstLinkId(page: Page, listPath: string, hrefPrefix: string): Promise<string> {
  await page.goto(listPath);
  const link = page.locator(`main a[href^="${hrefPrefix}"]:not([href$="/new"])`).first();
  await expect(link).toBeVisible();
  return (await link.getAttribute("href"))!.slice(hrefPrefix.length).split(/[/?#]/)[0]!;
}

test("no dashboard page scrolls sideways at 390, 1,280 or 1,920 px, and the menu is always reachable", async ({ page }) => {
  test.setTimeout(600_000);
  await signIn(page);
  const conversation = await aConversation(page);
  const values: Record<string, string> = {
    "[business]": SLUG,
    "[customer]": await firstLinkId(page, `/${SLUG}/customers`, `/${SLUG}/customers/`),
    "[id]": await firstLinkId(page, `/${SLUG}/knowledge`, `/${SLUG}/knowledge/articles/`),
  };

  const routes = dashboardRoutes();
  expect(routes).toEqual(expect.arrayContaining(["/[business]/inbox", "/[business]/channels/web", "/[business]/customers/[customer]"]));
  const urls = routes.map((route) =>
    route.replace(/\[[^\]]+\]/g, (segment) => {
      const value = values[segment];
      if (!value) throw new Error(`e2e/responsive.spec.ts: give the dynamic segment ${segment} of ${route} a value`);
      return value;
    }),
  );
  // The inbox with a conversation open is a page of its own on a phone.
  urls.push(`/${SLUG}/inbox?c=${conversation}`);

  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const url of urls) {
      const res = await page.goto(url);
      expect(res?.ok(), `${url} answered ${res?.status()}`).toBe(true);
      await page.waitForLoadState("load");
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
      if (scrollWidth > innerWidth) problems.push(`${url} at ${width} px is ${scrollWidth} px wide`);

      // The menu of a business's pages: every entry can be scrolled to and lies inside the screen.
      if (!url.startsWith(`/${SLUG}`)) continue;
      const nav = page.getByRole("navigation", { name: "Dashboard" });
      await expect(nav, `the menu on ${url} at ${width} px`).toBeVisible();
      for (const link of await nav.getByRole("link").all()) {
        await link.scrollIntoViewIfNeeded();
        const box = await link.boundingBox();
        if (!box || box.x < 0 || box.x + box.width > innerWidth + 0.5 || box.y < 0) problems.push(`the menu's ${await link.textContent()} is off screen on ${url} at ${width} px`);
      }
    }
  }
  expect(problems).toEqual([]);
});
