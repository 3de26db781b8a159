// Signing in as a member for suites that call the dashboard's routes, pages' loaders and server
// actions. They must stand in for next/headers with ./next-request:
//   jest.mock("next/headers", () => require("../helpers/next-request").nextHeaders);
import { signIn } from "@/lib/auth";
import { PASSWORD } from "./fixtures";
import { request } from "./next-request";

/** A fresh request scope (no cookies, the default IP) signed in as `email`. */
export async function signInAs(email: string, password = PASSWORD): Promise<void> {
  request.reset();
  await signIn({ email, password });
}
