/**
 * The kept sessions: with keep: true the web client stores ONE RECORD PER SESSION, keyed by
 * sessionId, each exactly the resume token, the sessionId, kRoot and the account data from the box,
 * plus the logout-pending mark of WEB-6 [E2E-14], so that a reloaded page, a restarted client or
 * another tab sharing the storage can resume a session and derive fresh epoch keys from kRoot
 * [E2E-11]. Opening resumes the most recently written record first [E2E-14]. Never linkSecret,
 * private keys, kP2W/kW2P, epochs, epoch keys, counters or high-waters. With keep: false nothing is
 * stored [E2E-15].
 *
 * One slot holds the whole store as versioned JSON (v: 2): `sessions` in write order, the most
 * recently written last. A single-record slot was overwritten by the late `linked` of a session just
 * replaced, orphaning the new one (model fault SINGLE_TOKEN_SLOT).
 */
import { z } from 'zod';
import { fromB64u, Key32, Opaque, toB64u } from '../../model/protocol/encoding.js';
import { type AccountData, AccountDataSchema } from '../crypto/index.js';
import type { StorageSlot } from './storage-slot.js';

/** What a kept session leaves in storage. */
export interface KeptSession {
  token: string;
  sessionId: string;
  kRoot: Uint8Array;
  account: AccountData;
  /** [WEB-6] `logout` was sent and `revoked {reason: "logout"}` has not been seen yet. */
  logoutPending?: true;
}

/** One stored record: exactly these members, nothing else (strict) [E2E-14]. */
const StoredRecord = z.strictObject({
  token: Opaque,
  sessionId: Opaque,
  kRoot: Key32,
  account: AccountDataSchema,
  logoutPending: z.literal(true).optional(),
});

const StoredSessions = z
  .strictObject({ v: z.literal(2), sessions: z.array(StoredRecord) })
  .refine((s) => new Set(s.sessions.map((r) => r.sessionId)).size === s.sessions.length, {
    message: 'two records for one sessionId',
    path: ['sessions'],
  });

export type KeptSessionRead =
  | { kind: 'none' }
  /** The records, the most recently written first (never empty). */
  | { kind: 'ok'; records: KeptSession[] }
  /** Something is stored but it is not a valid store. */
  | { kind: 'corrupt'; detail: string };

/** Encodes records given the most recently written LAST (the stored order). */
export function encodeKeptSessions(records: readonly KeptSession[]): string {
  return JSON.stringify({
    v: 2,
    sessions: records.map((r) => {
      const { accountId, phone, name, identityKey } = r.account;
      return {
        token: r.token,
        sessionId: r.sessionId,
        kRoot: toB64u(r.kRoot),
        account: { accountId, phone, name, identityKey },
        ...(r.logoutPending ? { logoutPending: true } : {}),
      };
    }),
  });
}

export function decodeKeptSessions(text: string | undefined): KeptSessionRead {
  if (text === undefined) return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', detail: 'the stored session is not JSON' };
  }
  const parsed = StoredSessions.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { kind: 'corrupt', detail: `the stored session is incomplete or invalid: ${where}: ${issue?.message}` };
  }
  const records = parsed.data.sessions.map(
    (r): KeptSession => ({
      token: r.token,
      sessionId: r.sessionId,
      kRoot: fromB64u(r.kRoot) as Uint8Array,
      account: r.account,
      ...(r.logoutPending ? { logoutPending: true as const } : {}),
    }),
  );
  return records.length === 0 ? { kind: 'none' } : { kind: 'ok', records: records.reverse() };
}

/** The kept sessions in one storage slot. */
export class KeptSessionStore {
  constructor(private readonly slot: StorageSlot) {}

  read(): KeptSessionRead {
    let text: string | undefined;
    try {
      text = this.slot.read();
    } catch (err) {
      return { kind: 'corrupt', detail: (err as Error).message };
    }
    return decodeKeptSessions(text);
  }

  /** The stored record of `sessionId`, if the store is valid and holds one. */
  get(sessionId: string): KeptSession | undefined {
    const r = this.read();
    return r.kind === 'ok' ? r.records.find((x) => x.sessionId === sessionId) : undefined;
  }

  /**
   * Writes `record` as the session's one record, now the most recently written [E2E-14]; the
   * records of other sessions stay. A corrupt store is replaced (it could not be resumed anyway).
   */
  write(record: KeptSession): void {
    const r = this.read();
    const others = r.kind === 'ok' ? r.records.filter((x) => x.sessionId !== record.sessionId).reverse() : [];
    this.slot.write(encodeKeptSessions([...others, record]));
  }

  /** [WEB-6] marks the session's record logout-pending (if it is still stored). */
  markLogoutPending(sessionId: string): boolean {
    const rec = this.get(sessionId);
    if (!rec) return false;
    this.write({ ...rec, logoutPending: true });
    return true;
  }

  /** [DRV-13] forgets every record (a fresh installation). */
  clear(): void {
    this.slot.remove();
  }

  /**
   * [SESS-14] compare before delete: removes the record of `sessionId` only if its token is one of
   * `mine` (the tokens this connection received or presented), so a tab that was taken over never
   * wipes what the tab that took over has just written. Other sessions' records stay; their order too.
   */
  removeIfMine(sessionId: string, mine: ReadonlySet<string>): boolean {
    const r = this.read();
    if (r.kind !== 'ok') return false;
    const rec = r.records.find((x) => x.sessionId === sessionId);
    if (!rec || !mine.has(rec.token)) return false;
    const rest = r.records.filter((x) => x !== rec).reverse();
    if (rest.length === 0) this.slot.remove();
    else this.slot.write(encodeKeptSessions(rest));
    return true;
  }
}
