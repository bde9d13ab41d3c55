/**
 * The catalogue of phone mutants: deliberately broken variants of the reference phone, each a
 * realistic fault switched on by a flag (`PhoneOptions.mutants`, `qrlink phone --mutant ID`), so that
 * the phone checks of the conformance suite can prove they notice them. Each fault is one guarded
 * branch at the place the real code enforces the rule, marked `MUTANT <id>` there, and breaks the
 * clauses listed here (the first is the one a check names). With no mutant on, every guard reads a
 * boolean computed once when the phone starts.
 */
import type { MutantInfo } from '../server/mutants.js';

const catalogue = [
  {
    id: 'phone.approves-without-user',
    role: 'phone',
    description:
      'link.claimed for the scanned ref is approved at once, without waiting for the user on the consent screen',
    clauses: ['PHONE-1', 'CONS-2'],
  },
  {
    id: 'phone.approves-rotated-ref',
    role: 'phone',
    description:
      'a link.error for the ref on the consent screen is ignored: the screen stays up and approve still sends link.approve for the dead ref',
    clauses: ['CONS-2', 'DRV-12', 'LATE-3'],
  },
  {
    id: 'phone.reuses-counter',
    role: 'phone',
    description: 'every relay frame after the first of an epoch is sealed with the counter n of the previous one',
    clauses: ['E2E-12'],
  },
  {
    id: 'phone.skips-confirm-check',
    role: 'phone',
    description: 'link.confirm is answered with link.finalize whatever its tag: a server that forges the tag links',
    clauses: ['E2E-8'],
  },
  {
    id: 'phone.leaks-link-secret',
    role: 'phone',
    description: "link.approve carries the scanned QR's linkSecret as an extra member: the server learns it",
    clauses: ['E2E-5', 'PHONE-2'],
  },
  {
    id: 'phone.reseals-on-repeated-epoch',
    role: 'phone',
    description:
      'a web.attached repeating the epoch the phone last sealed under (the flush after a reconnect) re-seals the unacknowledged operations from n = 1: nonce reuse (flaw F1, RELAY-14 as of 1.0.1)',
    clauses: ['RELAY-14', 'E2E-12'],
  },
  {
    id: 'phone.accepts-replay',
    role: 'phone',
    description: 'a from_web whose n is at or below the high-water of its epoch is processed again instead of dropped',
    clauses: ['E2E-13', 'PHONE-3'],
  },
  {
    id: 'phone.ignores-queue-full',
    role: 'phone',
    description: 'queue_full is ignored: the phone keeps sealing and sending new relay frames of the session',
    clauses: ['RELAY-15'],
  },
] as const satisfies readonly MutantInfo[];

/** The identifier of a phone mutant. */
export type PhoneMutantId = (typeof catalogue)[number]['id'];

/** Every phone mutant, in catalogue order. */
export const phoneMutants: readonly (MutantInfo & { readonly id: PhoneMutantId; readonly role: 'phone' })[] = catalogue;

/** Every valid phone mutant id, in catalogue order. */
export const phoneMutantIds: readonly PhoneMutantId[] = phoneMutants.map((m) => m.id);

const known: ReadonlySet<string> = new Set(phoneMutantIds);

/** Mutant ids that are not in the phone catalogue (all of them named). */
export class UnknownPhoneMutantError extends TypeError {
  override readonly name = 'UnknownPhoneMutantError';

  constructor(readonly ids: readonly string[]) {
    super(
      `unknown phone mutant${ids.length === 1 ? '' : 's'} ${ids.map((id) => `"${id}"`).join(', ')}; valid mutants: ${phoneMutantIds.join(', ')}`,
    );
  }
}

export function isPhoneMutantId(id: string): id is PhoneMutantId {
  return known.has(id);
}

/** Validates mutant ids (options, the command line); unknown ones throw UnknownPhoneMutantError naming each. */
export function phoneMutantSet(ids: Iterable<string>): ReadonlySet<PhoneMutantId> {
  const out = new Set<PhoneMutantId>();
  const unknown: string[] = [];
  for (const id of ids) {
    if (isPhoneMutantId(id)) out.add(id);
    else unknown.push(id);
  }
  if (unknown.length > 0) throw new UnknownPhoneMutantError(unknown);
  return out;
}

/** The catalogue entry of a phone mutant. */
export function phoneMutant(id: PhoneMutantId): MutantInfo {
  return phoneMutants.find((m) => m.id === id) as MutantInfo;
}

/** The relay faults, read once per session (session-relay.ts). */
export interface RelayFaults {
  /** MUTANT phone.reuses-counter */
  readonly reuseCounter: boolean;
  /** MUTANT phone.reseals-on-repeated-epoch */
  readonly resealRepeated: boolean;
  /** MUTANT phone.accepts-replay */
  readonly acceptReplay: boolean;
  /** MUTANT phone.ignores-queue-full */
  readonly ignoreQueueFull: boolean;
}

export const noRelayFaults: RelayFaults = {
  reuseCounter: false,
  resealRepeated: false,
  acceptReplay: false,
  ignoreQueueFull: false,
};

export function relayFaults(mutants: ReadonlySet<PhoneMutantId>): RelayFaults {
  return {
    reuseCounter: mutants.has('phone.reuses-counter'),
    resealRepeated: mutants.has('phone.reseals-on-repeated-epoch'),
    acceptReplay: mutants.has('phone.accepts-replay'),
    ignoreQueueFull: mutants.has('phone.ignores-queue-full'),
  };
}
