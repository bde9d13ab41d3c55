/**
 * The SQLite store for `--db FILE` (better-sqlite3, synchronous: a write completes inside the frame
 * handler that caused it, so no await splits a check from its update).
 */
import Database from 'better-sqlite3';
import { Device } from '../../../model/protocol/encoding.js';
import type { Store, StoredAccount, StoredSession } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS accounts (
  account_id TEXT PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  device_token_hash TEXT NOT NULL,
  identity_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  device TEXT NOT NULL,
  seq INTEGER NOT NULL,
  current_hash TEXT,
  pending_hash TEXT,
  epochs TEXT NOT NULL
);`;

interface AccountRow {
  account_id: string;
  phone: string;
  device_token_hash: string;
  identity_key: string;
}
interface SessionRow {
  session_id: string;
  account_id: string;
  device: string;
  seq: number;
  current_hash: string | null;
  pending_hash: string | null;
  epochs: string;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #putAccount: Database.Statement;
  readonly #putSession: Database.Statement;
  readonly #deleteSession: Database.Statement;

  constructor(readonly file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.exec(SCHEMA);
    this.#putAccount = this.#db.prepare(
      `INSERT INTO accounts (account_id, phone, device_token_hash, identity_key) VALUES (?, ?, ?, ?)
       ON CONFLICT(account_id) DO UPDATE SET phone = excluded.phone,
         device_token_hash = excluded.device_token_hash, identity_key = excluded.identity_key`,
    );
    this.#putSession = this.#db.prepare(
      `INSERT OR REPLACE INTO sessions (session_id, account_id, device, seq, current_hash, pending_hash, epochs)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#deleteSession = this.#db.prepare('DELETE FROM sessions WHERE session_id = ?');
  }

  accounts(): StoredAccount[] {
    const rows = this.#db.prepare('SELECT * FROM accounts').all() as AccountRow[];
    return rows.map((r) => ({
      accountId: r.account_id,
      phone: r.phone,
      deviceTokenHash: r.device_token_hash,
      identityKey: r.identity_key,
    }));
  }

  putAccount(a: StoredAccount): void {
    this.#putAccount.run(a.accountId, a.phone, a.deviceTokenHash, a.identityKey);
  }

  sessions(): StoredSession[] {
    const rows = this.#db.prepare('SELECT * FROM sessions ORDER BY seq').all() as SessionRow[];
    const out: StoredSession[] = [];
    for (const r of rows) {
      const device = Device.safeParse(JSON.parse(r.device));
      const epochs: unknown = JSON.parse(r.epochs);
      if (!device.success || !Array.isArray(epochs)) continue; // a damaged row is skipped, not fatal
      out.push({
        sessionId: r.session_id,
        accountId: r.account_id,
        device: device.data,
        seq: r.seq,
        currentHash: r.current_hash,
        pendingHash: r.pending_hash,
        epochs: epochs.filter((e): e is string => typeof e === 'string'),
      });
    }
    return out;
  }

  putSession(s: StoredSession): void {
    this.#putSession.run(
      s.sessionId,
      s.accountId,
      JSON.stringify(s.device),
      s.seq,
      s.currentHash,
      s.pendingHash,
      JSON.stringify(s.epochs),
    );
  }

  deleteSession(sessionId: string): void {
    this.#deleteSession.run(sessionId);
  }

  clear(): void {
    this.#db.exec('DELETE FROM accounts; DELETE FROM sessions;');
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
