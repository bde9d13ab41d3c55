/**
 * The catalogue of server mutants: deliberately broken variants of the reference server, each a
 * realistic fault switched on by a flag (`ServerOptions.mutants`, `qrlink serve --mutant ID`), so that
 * the conformance suite can prove it notices them. Each fault is one guarded branch at the place the
 * real code enforces the rule, marked `MUTANT <id>` there, and breaks the clauses listed here. With no
 * mutant on, every guard reads a boolean computed once at start-up.
 */

/** Which role's implementation a mutant breaks. */
export type MutantRole = 'server' | 'web' | 'phone';

/** One entry of a mutant catalogue. */
export interface MutantInfo {
  /** Stable identifier, `<role>.<fault>`. */
  readonly id: string;
  readonly role: MutantRole;
  /** One line: what the broken implementation does. */
  readonly description: string;
  /** The docs/protocol.md clauses the fault breaks (the first is the one a check should name). */
  readonly clauses: readonly string[];
}

const catalogue = [
  {
    id: 'server.accepts-expired-ref',
    role: 'server',
    description:
      'a claim of a dead ref (expired, declined, lapsed, aborted) whose web connection is still open brings it back to life instead of link.error expired_ref',
    clauses: ['LINK-2', 'QR-5'],
  },
  {
    id: 'server.rotated-ref-claimable',
    role: 'server',
    description: 'TTL rotation issues the next ref but leaves the old one pending: a rotated QR can still be claimed',
    clauses: ['QR-3', 'QR-2'],
  },
  {
    id: 'server.admits-before-approve',
    role: 'server',
    description: 'the claim admits the web client at once: linked follows scanned with no approve, confirm or finalize',
    clauses: ['LINK-11'],
  },
  {
    id: 'server.second-claim-wins',
    role: 'server',
    description: 'a claim of a ref another phone already claimed takes the attempt over instead of link.error used_ref',
    clauses: ['LINK-1'],
  },
  {
    id: 'server.lapse-ignored',
    role: 'server',
    description: 'no consent timer is armed: a claimed attempt never lapses',
    clauses: ['LINK-3'],
  },
  {
    id: 'server.late-confirm-punished',
    role: 'server',
    description: 'a confirm for a dead ref of this connection (crossing a decline or lapse) gets bad_state and 4000',
    clauses: ['LATE-1'],
  },
  {
    id: 'server.reveals-account-before-approve',
    role: 'server',
    description: 'status.result for a scanned ref carries the claiming account id before the phone approved',
    clauses: ['QR-6'],
  },
  {
    id: 'server.token-without-keep',
    role: 'server',
    description: 'linked carries a resume token even when hello said keep: false',
    clauses: ['LINK-10'],
  },
  {
    id: 'server.relay-duplicates',
    role: 'server',
    description: 'every accepted to_phone is forwarded to the phone twice',
    clauses: ['RELAY-4'],
  },
  {
    id: 'server.relay-reorders',
    role: 'server',
    description: 'the flush after auth.ok sends the web-to-phone custody newest first',
    clauses: ['RELAY-9'],
  },
  {
    id: 'server.drops-while-offline',
    role: 'server',
    description: 'a to_phone accepted while the phone is offline is not kept in custody: the phone never gets it',
    clauses: ['RELAY-5'],
  },
  {
    id: 'server.ack-not-cumulative',
    role: 'server',
    description: 'an ack {e, n} removes only the frame n from custody, not every frame up to n',
    clauses: ['RELAY-6'],
  },
  {
    id: 'server.epoch-reuse-accepted',
    role: 'server',
    description: 'attach with an epoch used before in the session is accepted',
    clauses: ['RELAY-1'],
  },
  {
    id: 'server.no-offline-notice',
    role: 'server',
    description: 'when the phone connection closes, web connections holding its sessions get no phone {online: false}',
    clauses: ['RELAY-10'],
  },
  {
    id: 'server.no-replace-on-new-link',
    role: 'server',
    description: 'admission ignores sessionLimit: the older session is not revoked replaced',
    clauses: ['SESS-1'],
  },
  {
    id: 'server.resume-token-reusable',
    role: 'server',
    description: 'a resume token retired by rotation keeps working',
    clauses: ['SESS-5'],
  },
  {
    id: 'server.keeps-unkept-session',
    role: 'server',
    description: 'a keep: false session survives its web connection closing (no session.ended closed)',
    clauses: ['SESS-8'],
  },
  {
    id: 'server.unlink-not-immediate',
    role: 'server',
    description: 'unlink answers unlinked but leaves the session live: its web connection is not revoked',
    clauses: ['SESS-10'],
  },
  {
    id: 'server.sms-code-reusable',
    role: 'server',
    description: 'a registration code that verified stays outstanding and verifies again',
    clauses: ['REG-6'],
  },
  {
    id: 'server.no-lockout',
    role: 'server',
    description: 'no lock after maxCodeAttempts bad codes: guessing goes on with bad_code',
    clauses: ['REG-3'],
  },
  {
    id: 'server.wrong-close-code',
    role: 'server',
    description: 'a binary message closes the connection with 1002 instead of 1003',
    clauses: ['ERR-1'],
  },
  {
    id: 'server.crashes-on-binary',
    role: 'server',
    description: 'a binary message reaches the JSON handler and fails there: error internal and 1011 instead of 1003',
    clauses: ['ERR-1'],
  },
  {
    id: 'server.frame-limit-off-by-one',
    role: 'server',
    description: 'a message of exactly frameLimit bytes is refused with 1009',
    clauses: ['TR-5'],
  },
  {
    id: 'server.queue-drops-silently',
    role: 'server',
    description: 'past custodyLimit a relay frame is dropped with no queue_full: the sender never learns to re-send',
    clauses: ['RELAY-7'],
  },
  {
    id: 'server.leaks-timer',
    role: 'server',
    description:
      'a ref that dies with its web connection keeps its TTL timer: stats counts a timer nobody needs until the TTL',
    clauses: ['LINK-13', 'CTL-7'],
  },
  {
    id: 'server.qr-never-exhausts',
    role: 'server',
    description: 'rotation never stops at qrMaxRefs: ref of+1 is issued instead of qr.exhausted and 4008',
    clauses: ['QR-4'],
  },
  {
    id: 'server.status-of-any-ref',
    role: 'server',
    description: "status answers from every ref the server knows, revealing the state of another connection's ref",
    clauses: ['QR-6'],
  },
] as const satisfies readonly MutantInfo[];

/** The identifier of a server mutant. */
export type ServerMutantId = (typeof catalogue)[number]['id'];

/** Every server mutant, in catalogue order. */
export const serverMutants: readonly (MutantInfo & { readonly id: ServerMutantId; readonly role: 'server' })[] =
  catalogue;

/** Every valid server mutant id, in catalogue order. */
export const serverMutantIds: readonly ServerMutantId[] = serverMutants.map((m) => m.id);

const known: ReadonlySet<string> = new Set(serverMutantIds);

/** A mutant id that is not in the catalogue. */
export class UnknownMutantError extends TypeError {
  override readonly name = 'UnknownMutantError';

  constructor(
    readonly id: string,
    readonly valid: readonly string[] = serverMutantIds,
  ) {
    super(`unknown server mutant "${id}"; valid mutants: ${valid.join(', ')}`);
  }
}

export function isServerMutantId(id: string): id is ServerMutantId {
  return known.has(id);
}

/** Validates mutant ids (e.g. from the command line); the first unknown one throws UnknownMutantError. */
export function serverMutantSet(ids: Iterable<string>): ReadonlySet<ServerMutantId> {
  const out = new Set<ServerMutantId>();
  for (const id of ids) {
    if (!isServerMutantId(id)) throw new UnknownMutantError(id);
    out.add(id);
  }
  return out;
}

/** The catalogue entry of a mutant. */
export function serverMutant(id: ServerMutantId): MutantInfo {
  return serverMutants.find((m) => m.id === id) as MutantInfo;
}
