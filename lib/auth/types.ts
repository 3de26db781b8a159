import { z } from "zod";
import { text } from "@/lib/validation/text";

export type SessionUser = { id: string; email: string; name: string | null };

export const SignUpInput = z.object({
  name: text().trim().min(1, "Enter your name").max(100, "Keep your name under 100 characters"),
  email: z.email("Enter a valid email address").max(254),
  password: z.string().min(8, "Use at least 8 characters").max(200),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const SignInInput = z.object({
  email: z.email("Enter a valid email address").max(254),
  password: z.string().min(1, "Enter your password").max(200),
});
export type SignInInput = z.infer<typeof SignInInput>;

export const ResetInput = z.object({
  token: z.string().min(10).max(200),
  password: z.string().min(8, "Use at least 8 characters").max(200),
});
export type ResetInput = z.infer<typeof ResetInput>;

export type SignUpResult = { user: SessionUser } | { confirmEmail: true };
