// Form errors in words, next to their fields: an action's result carries each problem keyed by the
// form's field name, the top message never shows a schema path ("tags.2: …"), and the shared Field
// ties the message to its control (aria-describedby, aria-invalid) for screen readers.
jest.mock("next/headers", () => require("../../helpers/next-request").nextHeaders);
jest.mock("next/cache", () => ({ revalidatePath: jest.fn() }));

import { renderToString } from "react-dom/server";
import { z } from "zod";
import { actionError } from "@/lib/action";
import { AppError } from "@/lib/errors";
import { closeDb, withService } from "@/lib/db/client";
import { Field, FieldError, Input, invalidIf } from "@/components/ui/field";
import { updateCustomerAction } from "@/app/(dashboard)/[business]/customers/actions";
import { createFaqAction, saveArticleAction } from "@/app/(dashboard)/[business]/knowledge/actions";
import { inviteMemberAction, updateAiSettingsAction, updateLimitsAction, updateProfileAction } from "@/app/(dashboard)/[business]/settings/actions";
import { createBusinessAction } from "@/app/(dashboard)/businesses/actions";
import { useTestDb } from "../../helpers/db";
import { makeTwoTenants } from "../../helpers/fixtures";
import { form } from "../../helpers/next-request";
import { signInAs } from "../../helpers/session";

/** "field: message", "tags.2: message" or "hours.weekly.mon.0.open: message" anywhere in a message. */
const RAW_PATH = /\b[a-z][A-Za-z]*(\.[A-Za-z0-9]+)*: /;

const zodError = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error("expected a validation error");
  return r.error;
};

describe("actionError", () => {
  const Tags = z.object({ name: z.string().min(2, "Give a name"), tags: z.array(z.string().max(40, "Keep a tag under 40 characters")) });
  const bad = zodError(Tags, { name: "x", tags: ["ok", "fine", "y".repeat(41)] });

  it("says what is wrong in words, without the schema's paths, when the form names no fields", () => {
    expect(actionError(bad)).toEqual({ error: "Give a name. Keep a tag under 40 characters." });
    expect(actionError(zodError(Tags, { name: "xy", tags: ["y".repeat(41)] }))).toEqual({ error: "Keep a tag under 40 characters" });
  });

  it("keys each problem by the form's field, list indexes dropped, with a summary on top", () => {
    expect(actionError(bad, ["name", "tags"])).toEqual({
      error: "Check the 2 highlighted fields.",
      fieldErrors: { name: "Give a name", tags: "Keep a tag under 40 characters" },
    });
  });

  it("matches nested paths by their longest named prefix, renames, and keeps the rest on top", () => {
    const Hours = z.object({ hours: z.object({ weekly: z.object({ mon: z.array(z.object({ open: z.string().regex(/^\d\d:\d\d$/, "Enter times as HH:MM") })) }) }), cacheTtl: z.number().max(10, "Too long a cache") });
    const err = zodError(Hours, { hours: { weekly: { mon: [{ open: "9am" }] } }, cacheTtl: 99 });
    expect(actionError(err, ["hours", "hours.weekly.mon"])).toEqual({
      error: "Too long a cache. Check the highlighted field.",
      fieldErrors: { "hours.weekly.mon": "Enter times as HH:MM" },
    });
    expect(actionError(err, { "hours.weekly": "openingHours", cacheTtl: "ttl" })).toEqual({
      error: "Check the 2 highlighted fields.",
      fieldErrors: { openingHours: "Enter times as HH:MM", ttl: "Too long a cache" },
    });
  });

  it("places a domain error that names its field, and leaves every other error as it was", () => {
    const taken = new AppError("conflict", "dave@else.test is already a member.", { field: "email" });
    expect(actionError(taken, ["email", "role"])).toEqual({ error: "Check the highlighted field.", fieldErrors: { email: "dave@else.test is already a member." } });
    expect(actionError(taken)).toEqual({ error: "dave@else.test is already a member." });
    expect(actionError(new AppError("forbidden", "Only owners can do this."), ["email"])).toEqual({ error: "Only owners can do this." });
    const spy = jest.spyOn(console, "error").mockImplementation(() => {});
    expect(actionError(new Error("connection reset"), ["email"])).toEqual({ error: "Something went wrong on our side." });
    spy.mockRestore();
  });
});

describe("Field", () => {
  it("ties the error to its control: described by it, marked invalid", () => {
    const html = renderToString(
      <Field label="Email" htmlFor="email" hint="Work address" error="Enter a valid email address">
        <Input id="email" name="email" />
      </Field>,
    );
    expect(html).toMatch(/<input[^>]*id="email"[^>]*aria-describedby="email-error"[^>]*aria-invalid="true"|<input[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"/);
    expect(html).toContain('<p id="email-error" role="alert" class="text-xs text-red-600">Enter a valid email address</p>');
    expect(html).not.toContain("Work address");
  });

  it("describes a valid control by its hint, and finds the control inside a wrapper", () => {
    const html = renderToString(
      <Field label="Brand colour" htmlFor="brandColor" hint="Used on your chat page">
        <div>
          <input aria-label="Pick a colour" type="color" />
          <Input id="brandColor" aria-describedby="extra" />
        </div>
      </Field>,
    );
    expect(html).toMatch(/<input[^>]*id="brandColor"[^>]*aria-describedby="extra brandColor-hint"/);
    expect(html).not.toContain("aria-invalid");
    expect(html).toMatch(/<input aria-label="Pick a colour" type="color"\/>/);
    expect(html).toContain('<p id="brandColor-hint" class="text-xs text-slate-500">Used on your chat page</p>');
  });

  it("gives a control outside a Field the same ties", () => {
    const html = renderToString(
      <>
        <Input aria-label="Question" {...invalidIf("Write a question", "q-error")} />
        <FieldError id="q-error" error="Write a question" />
      </>,
    );
    expect(html).toMatch(/aria-invalid="true" aria-describedby="q-error"/);
    expect(html).toContain('<p id="q-error" role="alert"');
  });
});

describe("every dashboard form", () => {
  let customerId: string;
  beforeAll(async () => {
    await useTestDb();
    customerId = (await withService((tx) => makeTwoTenants(tx))).a.customerId;
    await signInAs("alice@a.test");
  });
  afterAll(() => closeDb());

  const profile = { name: "Tenant A", timeZone: "UTC", brandColor: "#0f766e", logoUrl: "" };
  const limits = { customerPerDay: "50", customerMinIntervalSeconds: "2", ipPerMinute: "30", businessPerMonth: "10000", monthlyBudgetUsd: "50", autoPause: true };

  it.each([
    ["profile", () => updateProfileAction("tenant-a", null, form({ ...profile, brandColor: "teal" })), { brandColor: "Use a colour like #0f766e" }],
    ["invite", () => inviteMemberAction("tenant-a", null, form({ email: "a@b", role: "agent" })), { email: "Enter a valid email address" }],
    ["AI", () => updateAiSettingsAction("tenant-a", JSON.stringify({ tone: "t".repeat(201), prohibitedTopics: ["ok", "p".repeat(201)] })), { tone: "Keep the tone under 200 characters", prohibitedTopics: "Keep each topic under 200 characters" }],
    ["limits", () => updateLimitsAction("tenant-a", { ...limits, monthlyBudgetUsd: "abc" }), { monthlyBudgetUsd: expect.stringMatching(/number of dollars/) }],
    ["customer", () => updateCustomerAction("tenant-a", customerId, null, form({ name: "", notes: "", tags: `vip, late, ${"x".repeat(41)}` })), { tags: "Keep a tag under 40 characters" }],
    ["FAQ", () => createFaqAction("tenant-a", null, form({ question: "?", answer: "" })), { question: "The question needs at least 3 characters", answer: expect.any(String) }],
    ["article", () => saveArticleAction("tenant-a", null, null, form({ title: " ", content: "x" })), { title: "Give the article a title" }],
    ["new business", () => createBusinessAction(null, form({ name: "x" })), { name: "The name needs at least 2 characters" }],
  ] as const)("%s: each problem next to its field, none with a raw path", async (_, act, expected) => {
    const result = await act();
    expect(result).toMatchObject({ fieldErrors: expected });
    expect(result!.error).toMatch(/^Check the (\d )?highlighted fields?\.$/);
    for (const message of [result!.error!, ...Object.values(result!.fieldErrors!)]) expect(message).not.toMatch(RAW_PATH);
  });
});
