import type { Page } from "@playwright/test";

/** Signs in as the demo clinic's owner through the sign-in form, then goes on to `next`. */
export async function signIn(page: Page, next: string) {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill("owner@demo-dental.test");
  await page.getByLabel("Password").fill("prismai-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
}
