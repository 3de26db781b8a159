// Customer identities: how a customer is reached. The value is normalised, looked up by a keyed
// hash and stored encrypted, so the database never holds a phone number or email in clear.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { AppError } from "@/lib/errors";
import { decrypt, encrypt, keyedHash } from "@/lib/security/crypto";

export type IdentityKind = "phone" | "email" | "web" | "telegram" | "instagram" | "whatsapp";
export type Identity = { kind: IdentityKind; value: string };

/** Channels that reach a customer by phone number share one identity kind, so SMS, WhatsApp and calls meet. */
export function normaliseIdentity(identity: Identity, defaultCountry: string = "GB"): Identity {
  const raw = identity.value.trim();
  switch (identity.kind) {
    case "phone":
    case "whatsapp": {
      const phone = parsePhoneNumberFromString(raw.replace(/^whatsapp:/i, ""), defaultCountry as never);
      if (!phone || !phone.isPossible()) throw new AppError("bad_request", `Not a phone number: ${raw.slice(0, 40)}`);
      return { kind: "phone", value: phone.number };
    }
    case "email": {
      const email = raw.toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new AppError("bad_request", "Not an email address.");
      return { kind: "email", value: email };
    }
    default:
      if (!raw || raw.length > 200) throw new AppError("bad_request", `Invalid ${identity.kind} id.`);
      return { kind: identity.kind, value: raw };
  }
}

export function identityHash(identity: Identity): string {
  return keyedHash(`identity:${identity.kind}:${identity.value}`);
}

export function sealIdentity(identity: Identity) {
  return { kind: identity.kind, valueHash: identityHash(identity), valueEncrypted: encrypt(identity.value) };
}

export function openIdentity(row: { kind: IdentityKind; valueEncrypted: string }): Identity {
  return { kind: row.kind, value: decrypt(row.valueEncrypted) };
}
