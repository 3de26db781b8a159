// Keys for encryption, keyed hashes and session signing: from the environment in production,
// generated once and kept in .data/secrets.json for the embedded default.
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { dataRoot, env } from "@/lib/env";

export type Secrets = { encryptionKey: Buffer; hashKey: Buffer; appSecret: string };

let cached: Secrets | undefined;

function derive(master: Buffer, label: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", master, Buffer.alloc(0), label, 32));
}

function fromFile(): { encryptionKey: string; appSecret: string } {
  const file = path.join(dataRoot(), "secrets.json");
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    const generated = {
      encryptionKey: crypto.randomBytes(32).toString("base64"),
      appSecret: crypto.randomBytes(32).toString("hex"),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(generated), { mode: 0o600, flag: "wx" });
    return generated;
  }
}

export function secrets(): Secrets {
  if (cached) return cached;
  const e = env();
  let encryptionKey = e.ENCRYPTION_KEY;
  let appSecret = e.APP_SECRET;
  if (!encryptionKey || !appSecret) {
    const f = fromFile();
    encryptionKey ??= f.encryptionKey;
    appSecret ??= f.appSecret;
  }
  const master = Buffer.from(encryptionKey, "base64");
  cached = { encryptionKey: derive(master, "prismai:encrypt"), hashKey: derive(master, "prismai:hash"), appSecret };
  return cached;
}

export function resetSecretsForTests(): void {
  cached = undefined;
}
