/**
 * The catalogue of web client mutants: deliberately broken variants of the reference web client, each
 * a realistic fault switched on by a flag (`WebOptions.mutants`, `qrlink web --mutant ID`), so that the
 * web client checks of the conformance suite can prove they notice them. Each fault is one guarded
 * branch at the place the web core enforces the rule, marked `MUTANT <id>` there; the first clause
 * listed is the one a check names. With no mutant on, every guard reads a boolean computed once.
 * No Node imports: the web core is browser-bound.
 */
import type { MutantInfo } from '../server/mutants.js';

const catalogue = [
  {
    id: 'web.accepts-forged-offer',
    role: 'web',
    description: 'an offer whose box does not open (forged, or sealed for another key) is confirmed instead of aborted',
    clauses: ['E2E-6', 'E2E-17'],
  },
  {
    id: 'web.accepts-replay',
    role: 'web',
    description: 'a from_phone whose counter is at or below the high-water is processed again (no replay window)',
    clauses: ['E2E-13'],
  },
  {
    id: 'web.ignores-account-mismatch',
    role: 'web',
    description:
      "linked is accepted whatever its accountId: the box's account is shown although the server named another",
    clauses: ['E2E-9', 'WEB-2'],
  },
  {
    id: 'web.shows-account-before-linked',
    role: 'web',
    description: 'the account from the box is shown as soon as the box opens, before linked confirmed it',
    clauses: ['WEB-2'],
  },
  {
    id: 'web.keeps-token-without-keep',
    role: 'web',
    description: 'a resume token in linked is stored even though the user did not ask to stay signed in',
    clauses: ['E2E-15'],
  },
  {
    id: 'web.reuses-qr-key',
    role: 'web',
    description: 'every QR of a connection shows the key pair and linkSecret of the first one',
    clauses: ['E2E-1'],
  },
  {
    id: 'web.accepts-second-offer',
    role: 'web',
    description:
      'a second offer after the accepted one is ignored instead of ending the attempt with abort second_offer',
    clauses: ['E2E-6'],
  },
  {
    id: 'web.wipes-on-conflict',
    role: 'web',
    description: 'revoked conflict deletes the stored record that the tab which took over now owns',
    clauses: ['SESS-14'],
  },
  {
    id: 'web.no-ack',
    role: 'web',
    description: 'relay frames from the phone are processed but never acknowledged',
    clauses: ['RELAY-18'],
  },
] as const satisfies readonly MutantInfo[];

/** The identifier of a web client mutant. */
export type WebMutantId = (typeof catalogue)[number]['id'];

/** Every web client mutant, in catalogue order. */
export const webMutants: readonly (MutantInfo & { readonly id: WebMutantId; readonly role: 'web' })[] = catalogue;

/** Every valid web mutant id, in catalogue order. */
export const webMutantIds: readonly WebMutantId[] = webMutants.map((m) => m.id);

const known: ReadonlySet<string> = new Set(webMutantIds);

/** Mutant ids that are not in the web catalogue. */
export class UnknownWebMutantError extends TypeError {
  override readonly name = 'UnknownWebMutantError';

  constructor(readonly ids: readonly string[]) {
    super(
      `unknown web mutant${ids.length > 1 ? 's' : ''} ${ids.map((i) => `"${i}"`).join(', ')}; valid mutants: ${webMutantIds.join(', ')}`,
    );
  }
}

export function isWebMutantId(id: string): id is WebMutantId {
  return known.has(id);
}

/** Validates mutant ids (from options or a command line); throws UnknownWebMutantError naming every unknown one. */
export function webMutantSet(ids: Iterable<string>): ReadonlySet<WebMutantId> {
  const list = [...ids];
  const unknown = list.filter((id) => !isWebMutantId(id));
  if (unknown.length > 0) throw new UnknownWebMutantError(unknown);
  return new Set(list as WebMutantId[]);
}

/** The catalogue entry of a web mutant. */
export function webMutant(id: WebMutantId): MutantInfo {
  return webMutants.find((m) => m.id === id) as MutantInfo;
}
