/**
 * The phone's persistent state (`qrlink phone --state FILE`): what a restarted phone needs to
 * re-authenticate instead of re-registering (re-registration revokes every web session, REG-8)
 * and to continue every session without re-using a (key, n) pair [E2E-12, RELAY-14]: the number,
 * device token, accountId and identity key, and per session its kRoot, the epoch it last sealed
 * under, per-epoch counters and high-waters, and the unacknowledged operations with their frames.
 * The chat history itself is not part of it (the reference phone's chats are seeded).
 */
import { z } from 'zod';
import { PhoneToWebOp } from '../../model/protocol/app-ops.js';
import { Counter, Device, E164, Epoch, Key32, Opaque } from '../../model/protocol/encoding.js';
import type { SessionSnapshot } from './session-relay.js';

const Sealed = z.strictObject({ e: Epoch, n: Counter, c: z.string().min(1) });

const SessionRecord = z.strictObject({
  sessionId: Opaque,
  device: Device,
  keep: z.boolean(),
  kRoot: Key32.optional(),
  current: Epoch.optional(),
  epochs: z.array(z.strictObject({ e: Epoch, sent: z.number().int().min(0), highWater: z.number().int().min(0) })),
  outbox: z.array(z.strictObject({ op: PhoneToWebOp, sealed: Sealed.optional() })),
});

const StateRecord = z.strictObject({
  v: z.literal(1),
  phone: E164,
  accountId: Opaque,
  deviceToken: Opaque,
  identityKey: Key32,
  sessions: z.array(SessionRecord),
});

export interface PhoneStateRecord {
  phone: string;
  accountId: string;
  deviceToken: string;
  identityKey: string;
  sessions: SessionSnapshot[];
}

/** A state that cannot be used: names where it came from and what is wrong. */
export class PhoneStateError extends Error {
  override readonly name = 'PhoneStateError';
}

export function encodePhoneState(record: PhoneStateRecord): string {
  return `${JSON.stringify({ v: 1, ...record }, null, 2)}\n`;
}

/** Parses a stored state; `where` names the source in the error (the file). */
export function decodePhoneState(text: string, where: string): PhoneStateRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PhoneStateError(`${where} is not a phone state (not JSON: ${(err as Error).message})`);
  }
  const parsed = StateRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : 'the record';
    throw new PhoneStateError(`${where} is not a valid phone state: ${path}: ${issue?.message}`);
  }
  const { v: _v, sessions, ...rest } = parsed.data;
  return {
    ...rest,
    sessions: sessions.map((s) => ({
      sessionId: s.sessionId,
      device: s.device,
      keep: s.keep,
      ...(s.kRoot !== undefined ? { kRoot: s.kRoot } : {}),
      ...(s.current !== undefined ? { current: s.current } : {}),
      epochs: s.epochs,
      outbox: s.outbox.map((o) => ({ op: o.op, ...(o.sealed ? { sealed: o.sealed } : {}) })),
    })),
  };
}

/** Where the phone keeps its state. `load` throws PhoneStateError for a corrupt state. */
export interface PhoneStateStore {
  load(): PhoneStateRecord | undefined;
  /** Replaces the state (a registered phone), or removes it (`undefined`: no device token any more). */
  save(record: PhoneStateRecord | undefined): void;
}

/** A state store in memory (tests: a "restart" is a new core on the same store). */
export class MemoryPhoneState implements PhoneStateStore {
  text: string | undefined;
  saves = 0;

  load(): PhoneStateRecord | undefined {
    return this.text === undefined ? undefined : decodePhoneState(this.text, 'the phone state in memory');
  }

  save(record: PhoneStateRecord | undefined): void {
    this.saves++;
    this.text = record ? encodePhoneState(record) : undefined;
  }
}
