/**
 * Planted faults: each flag switches one fix of the protocol off (or breaks one rule), so that the
 * explorer must find the invariant it protects. F1-F5 are the first-draft flaws of DESIGN.md 2.1.
 */
import type { Bounds } from './bounds.js';

export const faultIds = [
  'F1',
  'F2',
  'F3',
  'F4',
  'F5',
  'ADMIT_ON_CLAIM',
  'ROTATED_REF_CLAIMABLE',
  'REPLACED_NOT_REVOKED',
  'TOKEN_TWICE',
  'SERVER_KEEPS_SECRET',
  'PHONE_AUTO_APPROVE',
  'REVOKED_RESUMES',
  'TOKEN_WITHOUT_KEEP',
  'WEB_NO_CONFIRM',
  'CROSS_CONN_CONFIRM',
  'WIPE_ON_CONFLICT',
  'SINGLE_TOKEN_SLOT',
  'WIPE_ON_LOGOUT_SEND',
] as const;
export type FaultId = (typeof faultIds)[number];

const one: Partial<Bounds> = {
  scans: 9,
  tabs: 1,
  conns: 1,
  refs: 2,
  phoneCycles: 0,
  webMsgs: 0,
  phoneMsgs: 0,
  logout: 0,
};
const two: Partial<Bounds> = { scans: 2, tabs: 2, conns: 1, phoneCycles: 0, phoneMsgs: 0, logout: 0, refs: 1 };

/** A run that reveals a fault: the bounds it needs, whether partial-order reduction is on, and the
 * length of the trace the explorer reports (the shortest at these bounds; with `reduce`, the
 * shortest within the reduced graph with every step dropped that the violation does not need; for
 * the five runs with reduction this equals the shortest without it, measured). `qrlink model --fault ID` uses these bounds unless `--bounds` is given. */
export interface RevealingRun {
  readonly bounds: Partial<Bounds>;
  readonly reduce: boolean;
  readonly steps: number;
}

export const revealingRuns: Readonly<Record<FaultId, RevealingRun>> = {
  F1: { bounds: { ...two, webMsgs: 2 }, reduce: true, steps: 19 },
  F2: { bounds: { ...two, webMsgs: 0, phoneMsgs: 1, replays: 1 }, reduce: true, steps: 27 },
  F3: { bounds: { ...one, refs: 1 }, reduce: false, steps: 15 },
  F4: { bounds: { ...one, refs: 1, phoneCycles: 1, webMsgs: 1 }, reduce: false, steps: 18 },
  F5: { bounds: { ...one, refs: 2 }, reduce: false, steps: 12 },
  ADMIT_ON_CLAIM: { bounds: { ...one, refs: 2 }, reduce: false, steps: 5 },
  ROTATED_REF_CLAIMABLE: { bounds: { ...one, phones: 2 }, reduce: false, steps: 6 },
  TOKEN_TWICE: { bounds: { ...one, conns: 2, refs: 1, strays: 1 }, reduce: false, steps: 20 },
  REPLACED_NOT_REVOKED: { bounds: { ...one, conns: 2, refs: 1 }, reduce: false, steps: 28 },
  SERVER_KEEPS_SECRET: { bounds: { ...one, refs: 2 }, reduce: false, steps: 8 },
  PHONE_AUTO_APPROVE: { bounds: { ...one, refs: 2 }, reduce: false, steps: 6 },
  REVOKED_RESUMES: { bounds: { ...one, conns: 2, refs: 1, logout: 1 }, reduce: false, steps: 20 },
  TOKEN_WITHOUT_KEEP: { bounds: { ...one, refs: 1, keep: 0 }, reduce: false, steps: 14 },
  WEB_NO_CONFIRM: { bounds: { ...one, refs: 2 }, reduce: false, steps: 8 },
  CROSS_CONN_CONFIRM: { bounds: { ...one, strays: 1 }, reduce: false, steps: 4 },
  WIPE_ON_CONFLICT: { bounds: { ...two, webMsgs: 0 }, reduce: true, steps: 20 },
  SINGLE_TOKEN_SLOT: { bounds: { ...two, webMsgs: 0 }, reduce: true, steps: 32 },
  WIPE_ON_LOGOUT_SEND: { bounds: { ...two, webMsgs: 0, logout: 1 }, reduce: true, steps: 19 },
};

/** What each fault does and which invariant must catch it. */
export const faultTable: Readonly<Record<FaultId, { readonly does: string; readonly caughtBy: string }>> = {
  F1: {
    does: 'relay keys are link-time keys (no per-attachment epoch keys): a takeover restarts n under the same key',
    caughtBy: 'NONCE_UNIQUE',
  },
  F2: {
    does: 'the web accepts relay frames of any epoch of its session (old frames open under the new attachment)',
    caughtBy: 'NO_REPLAY',
  },
  F3: {
    does: 'a kept link token is current at once and the session survives its connection closing before attach',
    caughtBy: 'NO_ORPHAN',
  },
  F4: { does: 'custody ends on forward instead of on ack, and the phone forgets what it sent', caughtBy: 'NO_LOSS' },
  F5: {
    does: 'late frames (confirm crossing a lapse or decline, status after linked) are punished with bad_state 4000',
    caughtBy: 'HONEST_NOT_KILLED',
  },
  ADMIT_ON_CLAIM: {
    does: 'the server admits the web client as soon as a phone claims its ref',
    caughtBy: 'APPROVAL_BEFORE_ADMISSION',
  },
  ROTATED_REF_CLAIMABLE: { does: 'a ref rotated away by its TTL can still be claimed', caughtBy: 'REF_LIFECYCLE' },
  REPLACED_NOT_REVOKED: { does: 'admission does not enforce the session limit', caughtBy: 'SESSION_LIMIT' },
  TOKEN_TWICE: { does: 'a retired resume token still resumes', caughtBy: 'SINGLE_USE_TOKEN' },
  SERVER_KEEPS_SECRET: {
    does: 'the phone puts the QR linkSecret into link.approve and the server keeps it',
    caughtBy: 'SECRECY',
  },
  PHONE_AUTO_APPROVE: {
    does: 'the phone approves as soon as link.claimed arrives, without its user',
    caughtBy: 'CONSENT_FIRST',
  },
  REVOKED_RESUMES: {
    does: 'an ended session (logged out, unlinked, replaced, closed) still accepts its resume token',
    caughtBy: 'REVOCATION',
  },
  TOKEN_WITHOUT_KEEP: {
    does: 'the server sends a token to keep:false clients and the web stores it',
    caughtBy: 'PERSISTENCE',
  },
  WEB_NO_CONFIRM: { does: 'the web client never answers an offer with confirm', caughtBy: 'APPROVED_CLAIM_LINKS' },
  WIPE_ON_CONFLICT: {
    does: 'the text before 1.0.2 (SESS-14, WEB-3): a tab revoked with conflict, or refused with 4401, wipes the whole shared storage, including the record the tab that took over owns',
    caughtBy: 'NO_ORPHAN',
  },
  SINGLE_TOKEN_SLOT: {
    does: 'the text before 1.0.2 (E2E-14: "store only the resume token"): one record per browser, not per session, so a late linked in one tab overwrites the record of the session another tab just linked',
    caughtBy: 'NO_ORPHAN',
  },
  WIPE_ON_LOGOUT_SEND: {
    does: "the text before 1.0.2 (no WEB-6): the web deletes the stored record when it sends logout, so a logout crossing another tab's takeover is never processed and leaves the session alive with no record",
    caughtBy: 'NO_ORPHAN',
  },
  CROSS_CONN_CONFIRM: {
    does: "the server routes confirm by its ref, so a stranger's confirm advances another connection's attempt",
    caughtBy: 'BAD_INPUT_INERT',
  },
};

/** A set of faults as a bit mask (cheap to keep in every context). */
export type FaultMask = number;

const bits = Object.fromEntries(faultIds.map((id, i) => [id, 1 << i])) as Record<FaultId, number>;

export function faultMask(ids: readonly FaultId[]): FaultMask {
  let m = 0;
  for (const id of ids) m |= bits[id];
  return m;
}

/** Whether `id` is switched on in `mask`. */
export function has(mask: FaultMask, id: FaultId): boolean {
  return (mask & bits[id]) !== 0;
}

/** Parses a fault id, with a typed error naming the bad value. */
export function parseFaultId(text: string): FaultId {
  const id = faultIds.find((f) => f === text);
  if (!id) throw new TypeError(`unknown fault '${text}': expected one of ${faultIds.join(', ')}`);
  return id;
}
