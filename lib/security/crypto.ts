// Encryption at rest (AES-256-GCM) and keyed hashes (HMAC-SHA256) for personal data and secrets.
import crypto from "node:crypto";
import { secrets } from "./secrets";

const VERSION = "v1";

/** Encrypts text as "v1.<iv>.<tag>.<ciphertext>" (base64url parts). */
export function encrypt(plain: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", secrets().encryptionKey, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), body.toString("base64url")].join(".");
}

export function decrypt(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error("Unrecognised ciphertext");
  const decipher = crypto.createDecipheriv("aes-256-gcm", secrets().encryptionKey, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
}

export function encryptJson(value: unknown): string {
  return encrypt(JSON.stringify(value));
}

export function decryptJson<T>(sealed: string): T {
  return JSON.parse(decrypt(sealed)) as T;
}

/** A keyed hash for lookups of encrypted values (identities, tokens). Same input, same hash. */
export function keyedHash(value: string): string {
  return crypto.createHmac("sha256", secrets().hashKey).update(value).digest("base64url");
}

/** A random token for links (invitations, password resets) and its stored hash. */
export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(24).toString("base64url");
  return { token, hash: keyedHash(`token:${token}`) };
}

export function tokenHash(token: string): string {
  return keyedHash(`token:${token}`);
}
