/**
 * Accounts and device tokens. An account id is stable per phone number; re-registration replaces the
 * device token (the old one stops working) [REG-7] [REG-8].
 */
import { newId, newToken, sameSecret, tokenHash } from './identifiers.js';
import type { Store, StoredAccount } from './storage/store.js';

export type Account = StoredAccount;

export class Accounts {
  readonly #byPhone = new Map<string, Account>();

  constructor(private readonly store: Store) {
    for (const a of store.accounts()) this.#byPhone.set(a.phone, a);
  }

  get count(): number {
    return this.#byPhone.size;
  }

  byPhone(phone: string): Account | undefined {
    return this.#byPhone.get(phone);
  }

  /**
   * Creates the account of `phone`, or re-registers it: same accountId, fresh device token.
   * Returns the token in clear (sent once, in register.ok) and whether the number had an account.
   */
  register(phone: string, identityKey: string): { account: Account; deviceToken: string; reregistered: boolean } {
    const previous = this.#byPhone.get(phone);
    const deviceToken = newToken();
    const account: Account = {
      accountId: previous?.accountId ?? newId(),
      phone,
      deviceTokenHash: tokenHash(deviceToken),
      identityKey,
    };
    this.#byPhone.set(phone, account);
    this.store.putAccount(account);
    return { account, deviceToken, reregistered: previous !== undefined };
  }

  /** The account whose current device token is `deviceToken` [REG-9]. */
  authenticate(phone: string, deviceToken: string): Account | undefined {
    const account = this.#byPhone.get(phone);
    if (!account) return undefined;
    return sameSecret(account.deviceTokenHash, tokenHash(deviceToken)) ? account : undefined;
  }
}
