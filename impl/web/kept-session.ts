/**
 * The kept-session record: with keep: true the web client stores exactly the resume token, the
 * sessionId, kRoot and the account data from the box [E2E-14], so that a reloaded page, a restarted
 * client or another tab sharing the storage can resume the session and derive fresh epoch keys
 * from kRoot [E2E-11]. Never linkSecret, private keys, kP2W/kW2P, epochs, epoch keys, counters or
 * high-waters. With keep: false nothing is stored [E2E-15].
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
}

/** The stored JSON: exactly these members, nothing else (strict) [E2E-14]. */
const StoredRecord = z.strictObject({
  v: z.literal(1),
  token: Opaque,
  sessionId: Opaque,
  kRoot: Key32,
  account: AccountDataSchema,
});

export type KeptSessionRead =
  | { kind: 'none' }
  | { kind: 'ok'; record: KeptSession }
  /** Something is stored but it is not a complete, valid record. */
  | { kind: 'corrupt'; detail: string };

export function encodeKeptSession(record: KeptSession): string {
  const { accountId, phone, name, identityKey } = record.account;
  return JSON.stringify({
    v: 1,
    token: record.token,
    sessionId: record.sessionId,
    kRoot: toB64u(record.kRoot),
    account: { accountId, phone, name, identityKey },
  });
}

export function decodeKeptSession(text: string | undefined): KeptSessionRead {
  if (text === undefined) return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', detail: 'the stored session is not JSON' };
  }
  const parsed = StoredRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { kind: 'corrupt', detail: `the stored session is incomplete or invalid: ${where}: ${issue?.message}` };
  }
  const r = parsed.data;
  return {
    kind: 'ok',
    record: { token: r.token, sessionId: r.sessionId, kRoot: fromB64u(r.kRoot) as Uint8Array, account: r.account },
  };
}

/** The kept session in one storage slot. */
export class KeptSessionStore {
  constructor(private readonly slot: StorageSlot) {}

  read(): KeptSessionRead {
    let text: string | undefined;
    try {
      text = this.slot.read();
    } catch (err) {
      return { kind: 'corrupt', detail: (err as Error).message };
    }
    return decodeKeptSession(text);
  }

  /** The stored token, if a valid record is stored. */
  token(): string | undefined {
    const r = this.read();
    return r.kind === 'ok' ? r.record.token : undefined;
  }

  write(record: KeptSession): void {
    this.slot.write(encodeKeptSession(record));
  }

  /**
   * [SESS-14] compare before delete: removes the record only if its token is one of `mine` (the
   * tokens this connection received or presented), so a tab that was taken over never wipes what
   * the tab that took over has just written.
   */
  removeIfMine(mine: ReadonlySet<string>): boolean {
    const token = this.token();
    if (token === undefined || !mine.has(token)) return false;
    this.slot.remove();
    return true;
  }
}
