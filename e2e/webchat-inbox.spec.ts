import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Web chat and the inbox, two people at once: a customer on the clinic's chat page, the owner in the
// dashboard. Everything arrives live (polling), with no reloads, on the production build.

const QUESTION = "Can I drink alcohol after a tooth extraction?";

test("a customer gets a streamed answer; the owner takes over and replies live; the email reaches the customer panel", async ({ browser }) => {
  const customerContext = await browser.newContext({ viewport: { width: 390, height: 780 } });
  const ownerContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const customer = await customerContext.newPage();
  const owner = await ownerContext.newPage();
  await customer.addInitScript(() => {
    const w = window as unknown as { __chatStreams: string[] };
    w.__chatStreams = [];
    const original = window.fetch.bind(window);
    window.fetch = async (input, init) => {
      const res = await original(input, init);
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (init?.method !== "POST" || !url.endsWith("/messages") || !res.body || !res.headers.get("content-type")?.includes("event-stream")) return res;
      const [forPage, forTest] = res.body.tee();
      const i = w.__chatStreams.push("") - 1;
      void (async () => {
        const reader = forTest.getReader();
        const decoder = new TextDecoder();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          w.__chatStreams[i] += decoder.decode(value, { stream: true });
        }
      })();
      return new Response(forPage, { status: res.status, headers: res.headers });
    };
  });

  await signIn(owner, "/demo-dental/inbox");
  await expect(owner.getByRole("heading", { name: "Inbox" })).toBeVisible();

  // The clinic's own page: its name and greeting, no PrismAI in the title.
  await customer.goto("/chat/demo-dental");
  await expect(customer.getByRole("heading", { name: "Riverside Dental Clinic" })).toBeVisible();
  await expect(customer.getByText("Hi! I'm the Riverside Dental assistant")).toBeVisible();
  await expect(customer).toHaveTitle("Chat with Riverside Dental Clinic");

  // The answer streams: the page reads an event stream of many deltas (a copy of the bytes the page
  // reads is kept for the test), and shows the answer they add up to.
  await customer.getByLabel("Type your message").fill(QUESTION);
  await customer.getByRole("button", { name: "Send" }).click();
  await expect.poll(() => customer.evaluate(() => (window as unknown as { __chatStreams: string[] }).__chatStreams[0] ?? "")).toContain("event: done");
  const stream = await customer.evaluate(() => (window as unknown as { __chatStreams: string[] }).__chatStreams[0]!);
  const deltas = [...stream.matchAll(/event: delta\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]!) as { text: string }).text);
  expect(deltas.length).toBeGreaterThan(5);
  await expect(customer.getByTestId("customer-message")).toHaveText(QUESTION);
  await expect(customer.getByTestId("assistant-message")).toContainText("drink alcohol for 24 hours");
  await expect(customer.getByTestId("assistant-message")).toHaveText(deltas.join("").trim());

  // The owner's inbox shows the new conversation without a reload.
  // Other specs' visitors may be listed too: this one's is the visitor whose answer is about alcohol.
  const item = owner.getByTestId("conversation-item").filter({ hasText: "Web visitor" }).filter({ hasText: "alcohol" });
  await expect(item).toHaveCount(1);
  await item.click();
  const timeline = owner.getByTestId("timeline");
  await expect(timeline).toContainText(QUESTION);
  await expect(owner.getByTestId("answer-source")).toHaveText("Offline");
  await expect(owner.getByTestId("conversation-status")).toHaveText("AI answering");

  // Take over: the customer's page says a person is here, live.
  await owner.getByRole("button", { name: "Take over" }).click();
  await expect(owner.getByTestId("conversation-status")).toHaveText("With Dana Demo");
  await expect(customer.getByTestId("chat-status")).toContainText("You're chatting with a person from Riverside Dental Clinic");

  // An internal note the customer never sees, then a reply that appears on their page.
  await owner.getByRole("tab", { name: "Internal note" }).click();
  await owner.getByLabel("Internal note").fill("Send the aftercare leaflet");
  await owner.getByRole("button", { name: "Add note" }).click();
  await expect(owner.getByTestId("note")).toContainText("Send the aftercare leaflet");
  await owner.getByRole("tab", { name: "Reply" }).click();
  await owner.getByLabel("Reply to the customer").fill("Hi, Dana from the clinic here. Please wait 24 hours, and call us if the bleeding doesn't stop.");
  await owner.getByRole("button", { name: "Send reply" }).click();
  await expect(customer.getByTestId("staff-message")).toContainText("Dana from the clinic here", { timeout: 5_000 });
  await expect(customer.getByText("Send the aftercare leaflet")).toHaveCount(0);

  // The customer writes back: the AI stays quiet, the owner sees it live.
  await customer.getByLabel("Type your message").fill("Thank you, Dana!");
  await customer.getByRole("button", { name: "Send" }).click();
  await expect(timeline).toContainText("Thank you, Dana!");

  // The customer leaves an email; the owner's customer panel shows it.
  await customer.getByRole("button", { name: "Leave your email or phone so we can follow up" }).click();
  await customer.getByLabel("Email or phone").fill("pat.customer@example.com");
  await customer.getByRole("button", { name: "Save" }).click();
  await expect(customer.getByTestId("contact-saved")).toContainText("@example.com");
  const panel = owner.locator("aside").getByTestId("customer-panel");
  await expect(panel.getByTestId("customer-identities")).toContainText("pat.customer@example.com");
  await expect(panel.getByRole("link", { name: "Customer profile" })).toHaveAttribute("href", /\/demo-dental\/customers\/[0-9a-f-]{36}$/);

  // The history is still there after a reload (the anonymous visitor is remembered).
  await customer.reload();
  await expect(customer.getByTestId("staff-message")).toContainText("Dana from the clinic here");
  await expect(customer.getByTestId("customer-message")).toHaveCount(2);

  // Closing writes a summary.
  await owner.getByRole("button", { name: "Close", exact: true }).click();
  await expect(owner.getByTestId("conversation-status")).toHaveText("Closed");
  await expect(owner.getByTestId("conversation-summary")).toContainText(`Customer asked: ${QUESTION}`);
  await expect(customer.getByTestId("chat-status")).toContainText("This conversation was closed");

  await customerContext.close();
  await ownerContext.close();
});

test("the widget shows on other websites until the owner allows only their own", async ({ browser, baseURL }) => {
  // the app's own origin: each engine's project has a server of its own
  const APP = baseURL!;
  const ownerContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const owner = await ownerContext.newPage();
  await signIn(owner, "/demo-dental/channels");
  await owner.getByRole("link", { name: /Web chat/ }).click();
  await expect(owner.getByRole("heading", { name: "Web chat" })).toBeVisible();
  const snippet = `<script src="${APP}/embed.js" data-business="demo-dental" async></script>`;
  await expect(owner.getByTestId("embed-snippet")).toHaveText(snippet);
  await expect(owner.frameLocator('iframe[title="Chat preview"]').getByRole("heading", { name: "Riverside Dental Clinic" })).toBeVisible();

  // Another website with the one-line snippet: a small server of the test's own, on another port.
  const pages: Record<string, string> = {
    "/shop.html": `<!doctype html><title>Shop</title><h1>Our shop</h1>${snippet}`,
    "/framed.html": `<!doctype html><title>Copycat</title><iframe title="copied" src="${APP}/chat/demo-dental?embed=1" referrerpolicy="no-referrer"></iframe>`,
  };
  const server = http.createServer((req, res) => {
    const body = pages[req.url ?? ""];
    res.writeHead(body ? 200 : 404, { "content-type": "text/html" });
    res.end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const shop = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const visitorContext = await browser.newContext();
  const site = await visitorContext.newPage();
  await site.goto(`${shop}/shop.html`);
  // Until the owner keeps a list, any site may frame the chat; the dashboard only frames itself.
  expect((await site.request.get(`${APP}/chat/demo-dental?embed=1`)).headers()["content-security-policy"]).toBe("frame-ancestors *");
  expect((await owner.request.get(`${APP}/demo-dental/channels/web`)).headers()["content-security-policy"]).toBe("frame-ancestors 'self'");
  const launcher = site.getByRole("button", { name: "Chat with Riverside Dental Clinic" });
  await launcher.click();
  const frame = site.frameLocator('iframe[title="Chat with Riverside Dental Clinic"]');
  await expect(frame.getByRole("heading", { name: "Riverside Dental Clinic" })).toBeVisible();
  await frame.getByRole("button", { name: "Close chat" }).click();
  await expect(launcher).toHaveAttribute("aria-expanded", "false");

  // The owner allows only their own website.
  await owner.getByLabel("Websites allowed to show the chat").fill("https://www.riverside-dental.example");
  await owner.getByRole("button", { name: "Save" }).click();
  await expect(owner.getByRole("status")).toContainText("Saved");

  const refused = site.waitForEvent("console", (m) => m.text().includes("not on the chat's list of allowed websites"));
  await site.goto(`${shop}/shop.html`);
  await refused;
  await expect(site.getByRole("heading", { name: "Our shop" })).toBeVisible();
  await expect(launcher).toHaveCount(0);
  // and a page that frames the chat directly (hiding its referrer) gets no chat either: the browser
  // refuses the frame, since the chat now names its allowed websites in frame-ancestors
  expect((await site.request.get(`${APP}/chat/demo-dental?embed=1`)).headers()["content-security-policy"]).toBe("frame-ancestors 'self' https://www.riverside-dental.example");
  const blocked = site.waitForEvent("console", (m) => m.text().includes("frame-ancestors"));
  await site.goto(`${shop}/framed.html`);
  await blocked;
  await expect(site.frameLocator('iframe[title="copied"]').getByRole("heading", { name: "Riverside Dental Clinic" })).toHaveCount(0);
  // the preview on the dashboard (the app's own origin) still works
  await owner.reload();
  await expect(owner.frameLocator('iframe[title="Chat preview"]').getByRole("heading", { name: "Riverside Dental Clinic" })).toBeVisible();

  await visitorContext.close();
  await ownerContext.close();
  server.close();
});
