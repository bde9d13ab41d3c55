/**
 * What the server persists, behind one interface with two implementations: in memory and SQLite
 * (`--db FILE`). A persisting server keeps accounts, device tokens and kept web sessions with their
 * tokens; relay custody is NOT persisted (it is dropped on restart, which docs/protocol.md allows).
 * Tokens are stored as SHA-256 digests, never in clear.
 */
import type { Device } from '../../../model/protocol/encoding.js';

export interface StoredAccount {
  readonly accountId: string;
  readonly phone: string;
  /** SHA-256 (base64url) of the current device token. */
  readonly deviceTokenHash: string;
  readonly identityKey: string;
}

/** A kept (keep: true) web session. */
export interface StoredSession {
  readonly sessionId: string;
  readonly accountId: string;
  readonly device: Device;
  /** Admission order, for the session limit (oldest first). */
  readonly seq: number;
  /** SHA-256 digests of the current token and of its pending successor. */
  readonly currentHash: string | null;
  readonly pendingHash: string | null;
  /** Every epoch this session has used (an epoch is never reused) [RELAY-1]. */
  readonly epochs: readonly string[];
}

export interface Store {
  readonly kind: 'memory' | 'sqlite';
  accounts(): StoredAccount[];
  putAccount(account: StoredAccount): void;
  sessions(): StoredSession[];
  putSession(session: StoredSession): void;
  deleteSession(sessionId: string): void;
  /** Deletes everything (control `reset`). */
  clear(): void;
  close(): void;
}
