/**
 * Which roles each clause of docs/protocol.md binds: the server, the web client, the phone, or
 * several. A run's clause coverage counts the clauses of the role it tested, so a server run is not
 * charged with the phone's consent screen, and a server clause without a check shows as uncovered.
 *
 * The role comes from the clause's grammatical subject: the words just before each requirement
 * keyword ("the server MUST", "a web client MUST", "The phone (...) MUST", "A phone or web client
 * MUST", "every receiver MUST"). Two areas are fixed to their roles: DRV (the driver endpoint a
 * client implementation offers: web and phone, narrowed to one when the subject names it, as in "a
 * phone driver MUST") and CTL (the control endpoint: server).
 * Where the wording misleads the heuristic (a "receiver" of relay frames is always a client), the
 * override table below says so; a test pins every override and spot-checks the heuristic.
 */
import type { Clause } from '../../model/protocol/clauses.js';
import type { Role } from '../report/run-report.js';

/** Every role, in report order. */
export const allRoles: readonly Role[] = ['server', 'web', 'phone'];

/** Areas whose clauses bind the same roles whatever their subject says. */
const areaRoles: Readonly<Record<string, readonly Role[]>> = {
  // [DRV-1..] the driver endpoint is offered by client implementations under test.
  DRV: ['web', 'phone'],
  // [CTL-1..] the control endpoint is a server's (conformance mode).
  CTL: ['server'],
};

/** Clauses whose subject the heuristic reads wrongly, with the roles they bind and why. */
export const clauseRoleOverrides: Readonly<Record<string, { readonly roles: readonly Role[]; readonly why: string }>> =
  {
    'TR-9': { roles: ['server', 'web', 'phone'], why: 'TLS binds every end of a deployment' },
    'ENC-4': { roles: ['server', 'web', 'phone'], why: 'counters are made by clients and validated by the server' },
    'E2E-12': { roles: ['web', 'phone'], why: 'relay senders are the two clients; the server only copies' },
    'E2E-13': { roles: ['web', 'phone'], why: 'relay receivers are the two clients' },
    'E2E-18': { roles: ['web', 'phone'], why: 'only the clients open relay plaintext' },
    'RELAY-15': { roles: ['web', 'phone'], why: 'the sender after queue_full is a client' },
    'RELAY-18': { roles: ['web', 'phone'], why: 'the receiver that acks is a client' },
    'SEC-1': { roles: ['server', 'phone'], why: 'procedural defences: server limits and the phone consent screen' },
  };

/** Subject words and the roles they name. Order does not matter: every match in the subject counts. */
const subjects: readonly { readonly pattern: RegExp; readonly roles: readonly Role[] }[] = [
  { pattern: /\bservers?\b/i, roles: ['server'] },
  { pattern: /\bdeployments?\b/i, roles: ['server'] },
  { pattern: /\bweb clients?\b/i, roles: ['web'] },
  { pattern: /(?<![/\w.])phones?\b(?!\s*(?:connection|number))/i, roles: ['phone'] },
  { pattern: /(?<!web )\bclients?\b/i, roles: ['web', 'phone'] },
  { pattern: /\b(?:receivers?|senders?|peers?)\b/i, roles: ['server', 'web', 'phone'] },
];

const KEYWORD = /\b(?:MUST|SHOULD|SHALL|REQUIRED|RECOMMENDED)\b/g;

/** `text` with every parenthesised aside blanked (nested ones too), keeping offsets. */
function withoutAsides(text: string): string {
  let out = '';
  let depth = 0;
  for (const ch of text) {
    if (ch === '(') depth++;
    out += depth > 0 ? ' ' : ch;
    if (ch === ')' && depth > 0) depth--;
  }
  return out;
}

/**
 * The subject of each requirement keyword in `text`: the words between the previous clause break
 * (`,` `;` `:` or the start, asides in parentheses ignored) and the keyword. A keyword with an
 * empty subject ("..., and MUST") continues the previous one; a pronoun ("..., it MUST") stands for
 * the previous subject, or for the whole text before it when it is the first.
 */
export function requirementSubjects(text: string): string[] {
  const plain = withoutAsides(text);
  const out: string[] = [];
  for (const match of plain.matchAll(KEYWORD)) {
    const before = plain.slice(0, match.index);
    const cut = Math.max(before.lastIndexOf(','), before.lastIndexOf(';'), before.lastIndexOf(':'));
    const subject = before
      .slice(cut + 1)
      .replace(/^\s*(?:and|or|but|then)\b/i, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (subject === '') continue;
    if (!/(?:^|\s)(?:it|they)$/i.test(subject)) out.push(subject);
    else out.push(out.at(-1) ?? before.replace(/\s+/g, ' ').trim());
  }
  return out;
}

/** The roles the subjects of `text` name, by the heuristic alone (no area rule, no override). */
export function rolesBySubject(text: string): Role[] {
  const found = new Set<Role>();
  for (const subject of requirementSubjects(text)) {
    for (const { pattern, roles } of subjects) {
      if (pattern.test(subject)) for (const r of roles) found.add(r);
    }
  }
  return allRoles.filter((r) => found.has(r));
}

/** A clause whose roles cannot be told: no subject the heuristic knows and no override. */
export class ClauseRoleError extends Error {
  override readonly name = 'ClauseRoleError';
  constructor(readonly clauseId: string) {
    super(`clause ${clauseId}: cannot tell which role it binds (add it to clauseRoleOverrides)`);
  }
}

/** The roles `clause` binds (at least one; throws `ClauseRoleError` otherwise). */
export function clauseRoles(clause: Pick<Clause, 'id' | 'area' | 'text'>): readonly Role[] {
  const override = clauseRoleOverrides[clause.id];
  if (override) return override.roles;
  const byArea = areaRoles[clause.area];
  if (byArea) {
    // Within a fixed area, a subject naming some of its roles narrows it ("a phone driver MUST").
    const named = rolesBySubject(clause.text).filter((r) => byArea.includes(r));
    return named.length > 0 && named.length < byArea.length ? named : byArea;
  }
  const roles = rolesBySubject(clause.text);
  if (roles.length === 0) throw new ClauseRoleError(clause.id);
  return roles;
}

/** The clauses of `clauses` that bind `role`, in document order. */
export function clausesOfRole<C extends Pick<Clause, 'id' | 'area' | 'text'>>(clauses: readonly C[], role: Role): C[] {
  return clauses.filter((c) => clauseRoles(c).includes(role));
}
