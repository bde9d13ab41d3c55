/** The in-memory store: the default; everything is gone when the process ends. */
import type { Store, StoredAccount, StoredSession } from './store.js';

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly #accounts = new Map<string, StoredAccount>();
  readonly #sessions = new Map<string, StoredSession>();

  accounts(): StoredAccount[] {
    return [...this.#accounts.values()];
  }
  putAccount(account: StoredAccount): void {
    this.#accounts.set(account.accountId, account);
  }
  sessions(): StoredSession[] {
    return [...this.#sessions.values()];
  }
  putSession(session: StoredSession): void {
    this.#sessions.set(session.sessionId, session);
  }
  deleteSession(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }
  clear(): void {
    this.#accounts.clear();
    this.#sessions.clear();
  }
  close(): void {}
}
