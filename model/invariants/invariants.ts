/**
 * The named invariants of the composed system, each with the clauses of docs/protocol.md it checks.
 * Safety invariants are predicates over one state (the ghost record carries the facts about the
 * past); liveness invariants are checked on the explored graph by the explorer.
 */
import type { Bounds } from '../system/bounds.js';
import type { SystemState } from '../system/state.js';

export interface Invariant {
  readonly id: string;
  readonly statement: string;
  readonly clauses: readonly string[];
  readonly kind: 'safety' | 'liveness';
  /** Safety: undefined when the state satisfies it, else what is wrong (`bounds`: the run's, e.g. its session limit). */
  readonly check?: (s: SystemState, bounds: Bounds) => string | undefined;
}

const liveSession = (v: string) => v === 'linking' || v === 'attached' || v === 'detached';
const first = <T>(list: readonly T[], bad: (x: T) => string | undefined): string | undefined => {
  for (const x of list) {
    const r = bad(x);
    if (r) return r;
  }
  return undefined;
};

export const invariants: readonly Invariant[] = [
  {
    id: 'APPROVAL_BEFORE_ADMISSION',
    statement:
      "A session exists only after its account's phone approved and finalized a ref issued to that web connection.",
    clauses: ['LINK-11', 'LINK-9', 'LINK-5'],
    kind: 'safety',
    check: (s) =>
      first(s.server.sessions, (x) => {
        if (x.value === 'new') return undefined;
        const key = `${x.context.account}|${x.context.origin}`;
        return s.ghost.approved.includes(key) && s.ghost.finalized.includes(key)
          ? undefined
          : `${x.context.id} admitted without approval of ${x.context.origin}`;
      }),
  },
  {
    id: 'REF_LIFECYCLE',
    statement:
      'Each web connection has at most one live ref, the latest; expired, declined, lapsed, aborted and used refs stay dead.',
    clauses: ['QR-2', 'QR-5', 'LINK-1', 'QR-8'],
    kind: 'safety',
    check: (s) =>
      first(s.server.conns, (c) =>
        first(
          c.state.context.refs.slice(0, -1).map((r, i) => [r, i] as const),
          ([r, i]) =>
            r === 'expired' || r === 'gone' || r === 'used'
              ? undefined
              : `${c.id}.${i + 1} is ${r} but is not the latest ref`,
        ),
      ),
  },
  {
    id: 'SESSION_LIMIT',
    statement:
      'An account never has more than sessionLimit live web sessions; the replaced one is revoked before the new one is admitted.',
    clauses: ['SESS-1'],
    kind: 'safety',
    check: (s, bounds) => {
      const count = new Map<string, number>();
      for (const x of s.server.sessions)
        if (liveSession(x.value)) count.set(x.context.account, (count.get(x.context.account) ?? 0) + 1);
      for (const [a, n] of count)
        if (n > bounds.sessionLimit) return `${a} has ${n} live sessions (sessionLimit ${bounds.sessionLimit})`;
      return undefined;
    },
  },
  {
    id: 'KEY_AGREEMENT',
    statement:
      'A linked web client and the phone hold the same link key over the same transcript (ref, webPub, phoneEphPub, linkSecret).',
    clauses: ['E2E-4', 'E2E-7', 'E2E-8'],
    kind: 'safety',
    check: (s) =>
      first(s.webs, (w) => {
        if (w.value !== 'linked' || w.context.root === null) return undefined;
        for (const p of s.phones) {
          const ps = p.context.sessions.find((x) => x.id === w.context.sessionId);
          if (ps && ps.root !== w.context.root)
            return `tab ${w.context.tab} and ${p.context.id} disagree on ${ps.id}'s key`;
        }
        return undefined;
      }),
  },
  {
    id: 'SECRECY',
    statement: 'The server never holds linkSecret, a private key, a derived key or plaintext.',
    clauses: ['E2E-16', 'E2E-1'],
    kind: 'safety',
    check: (s) => (s.server.knows.length > 0 ? `server holds ${s.server.knows.join(', ')}` : undefined),
  },
  {
    id: 'IDENTITY_MATCH',
    statement:
      "A linked web client shows the account of the phone that approved it (linked.accountId equals the box's).",
    clauses: ['E2E-9', 'WEB-2'],
    kind: 'safety',
    check: (s) =>
      first(s.webs, (w) => {
        if (w.value !== 'linked') return undefined;
        const holder = s.phones.find((p) => p.context.sessions.some((x) => x.id === w.context.sessionId));
        if (w.context.boxAccount !== null && w.context.accountId !== w.context.boxAccount)
          return `tab ${w.context.tab} shows ${w.context.accountId}, box says ${w.context.boxAccount}`;
        if (holder && holder.context.account !== w.context.accountId)
          return `tab ${w.context.tab} shows ${w.context.accountId}, approved by ${holder.context.account}`;
        return undefined;
      }),
  },
  {
    id: 'NO_REPLAY',
    statement: 'Each relay ciphertext is accepted at most once per session, across tabs, takeovers and resumes.',
    clauses: ['E2E-13', 'PHONE-3', 'E2E-10'],
    kind: 'safety',
    check: (s) => (s.ghost.replayed.length > 0 ? `accepted twice: ${s.ghost.replayed.join(', ')}` : undefined),
  },
  {
    id: 'NONCE_UNIQUE',
    statement: 'No sender ever seals two different relay plaintexts under one key with the same n.',
    clauses: ['E2E-12', 'E2E-11', 'E2E-10'],
    kind: 'safety',
    check: (s) => (s.ghost.reused.length > 0 ? `key and nonce reused: ${s.ghost.reused.join(', ')}` : undefined),
  },
  {
    id: 'REVOCATION',
    statement: 'A revoked or ended session gets nothing more and never resumes.',
    clauses: ['SESS-13', 'SESS-9', 'SESS-10'],
    kind: 'safety',
    check: (s) =>
      s.ghost.revokedServed.length > 0 ? `served after its end: ${s.ghost.revokedServed.join(', ')}` : undefined,
  },
  {
    id: 'PERSISTENCE',
    statement:
      'A browser stores a record only for a keep: true session, holding only the token, the root key and the logout-pending mark.',
    clauses: ['E2E-15', 'E2E-14', 'LINK-10'],
    kind: 'safety',
    check: (s) =>
      first(s.storage.flat(), (st) => {
        const sid = st.token.slice(0, st.token.indexOf('.t'));
        const x = s.server.sessions.find((y) => y.context.id === sid);
        return x && !x.context.keep ? `stored token ${st.token} of keep:false session ${sid}` : undefined;
      }),
  },
  {
    id: 'SINGLE_USE_TOKEN',
    statement: 'A resume token works only while it is current or pending; once retired it never resumes again.',
    clauses: ['SESS-5', 'SESS-4', 'SESS-6'],
    kind: 'safety',
    check: (s) =>
      s.ghost.retiredAccepted.length > 0 ? `retired token resumed: ${s.ghost.retiredAccepted.join(', ')}` : undefined,
  },
  {
    id: 'BAD_INPUT_INERT',
    statement: "A forged or out-of-place frame never changes another connection's, ref's or session's state.",
    clauses: ['TR-7', 'ERR-6', 'LINK-14'],
    kind: 'safety',
    check: (s) =>
      s.ghost.badInputEffects.length > 0 ? `bad input changed state: ${s.ghost.badInputEffects.join(', ')}` : undefined,
  },
  {
    id: 'NO_LOSS',
    statement:
      'Nothing accepted for relay is lost while its session lives: it is delivered, in custody, in flight, or held by its sender.',
    clauses: ['RELAY-5', 'RELAY-14', 'RELAY-2', 'RELAY-9'],
    kind: 'safety',
    check: (s) => {
      const safe = new Set<string>(s.ghost.got);
      for (const x of s.server.sessions) for (const f of [...x.context.w2p, ...x.context.p2w]) safe.add(f.c.m);
      for (const c of s.chans) for (const f of c.frames) if ('c' in f && typeof f.c === 'object') safe.add(f.c.m);
      for (const p of s.phones) for (const ps of p.context.sessions) for (const o of ps.outbox) safe.add(o.m);
      const live = new Set(s.server.sessions.filter((x) => liveSession(x.value)).map((x) => x.context.id));
      for (const entry of [...s.ghost.w2pAccepted, ...s.ghost.p2wSent]) {
        const [sid, m] = entry.split('|') as [string, string];
        if (live.has(sid) && !safe.has(m)) return `${m} of ${sid} is lost`;
      }
      return undefined;
    },
  },
  {
    id: 'CONSENT_FIRST',
    statement: 'The phone approves a ref only after its user approved that ref on the consent screen.',
    clauses: ['PHONE-1', 'CONS-2'],
    kind: 'safety',
    check: (s) =>
      s.ghost.unconsented.length > 0 ? `approved without the user: ${s.ghost.unconsented.join(', ')}` : undefined,
  },
  {
    id: 'NO_ORPHAN',
    statement: 'Every live session has an open connection or a token (current or pending) in some browser storage.',
    clauses: ['SESS-7', 'SESS-6', 'SESS-8', 'SESS-14', 'E2E-14', 'WEB-6'],
    kind: 'safety',
    check: (s) =>
      first(s.server.sessions, (x) => {
        if (!liveSession(x.value) || x.context.conn !== null) return undefined;
        const ok = s.storage.flat().some((st) => {
          if (!st.token.startsWith(`${x.context.id}.t`)) return false;
          const v = Number(st.token.slice(st.token.indexOf('.t') + 2));
          return v === x.context.cur || v === x.context.pending;
        });
        return ok ? undefined : `${x.context.id} lives but nobody can reach it`;
      }),
  },
  {
    id: 'HONEST_NOT_KILLED',
    statement:
      'An honest client is never closed with bad_state/4000 for a frame it sent before it could see a state change.',
    clauses: ['LATE-1', 'LATE-2', 'QR-6'],
    kind: 'safety',
    check: (s) => (s.ghost.killed.length > 0 ? `honest peer killed: ${s.ghost.killed.join(', ')}` : undefined),
  },
  {
    id: 'APPROVED_CLAIM_LINKS',
    statement:
      'Under fair delivery (no user, clock or adversary move), an approved claim on a live ref ends with the web client linked.',
    clauses: ['LINK-9', 'LINK-8', 'E2E-8'],
    kind: 'liveness',
  },
  {
    id: 'ATTEMPTS_END',
    statement: 'Every linking attempt can end (linked, declined, lapsed, exhausted or failed).',
    clauses: ['LINK-3', 'QR-3', 'LINK-13', 'LINK-15'],
    kind: 'liveness',
  },
  {
    id: 'NO_STUCK',
    statement:
      'Every reachable state can reach a quiet state (no frame in flight, no timer running, no client mid-way).',
    clauses: ['QR-3', 'LINK-3', 'TR-6'],
    kind: 'liveness',
  },
];

export const safetyInvariants = invariants.filter((i) => i.kind === 'safety');
