/**
 * The account data the phone seals in the approval box [E2E-5] and the web client checks after
 * opening it [E2E-6, E2E-9]: `{accountId, phone, name, identityKey}` as UTF-8 JSON.
 */
import { z } from 'zod';
import { E164, Key32, Opaque } from '../../model/protocol/encoding.js';

export interface AccountData {
  /** The server-made account id (opaque, 1..128 base64url chars); `linked.accountId` must equal it [E2E-9]. */
  accountId: string;
  /** The account's E.164 phone number. */
  phone: string;
  /** The display name shown by the web client: 1..64 characters. */
  name: string;
  /** The phone's identity public key: base64url of 32 bytes. */
  identityKey: string;
}

/** Schema of the box plaintext; unknown fields are dropped (TR-4's rule for JSON objects). */
export const AccountDataSchema = z.object({
  accountId: Opaque,
  phone: E164,
  name: z.string().min(1).max(64),
  identityKey: Key32,
}) satisfies z.ZodType<AccountData>;

/** The box plaintext bytes: the four fields in this fixed order, so equal data seals to equal bytes. */
export function accountPlaintext(account: AccountData): Uint8Array {
  const { accountId, phone, name, identityKey } = account;
  return new TextEncoder().encode(JSON.stringify({ accountId, phone, name, identityKey }));
}
