/**
 * The vitest harness every test file of a list of clause-targeted checks shares. Three helpers:
 *
 * - `describeChecksAgainstReference(title, cases, options)`: one embedded reference server for the
 *   block; every case runs on it with `runCase` (reset and the suite configuration first, as the
 *   runner does [CTL-3, CTL-6]) and must pass, cite every clause it names, and leave a trace. A
 *   failure prints the CaseFailure (clause, what was expected, what came). `knownDefects` marks the
 *   cases the reference is known to fail (`it.fails`, so fixing the defect turns the test red).
 * - `describeCheckMetadata(cases, options)`: what a check claims about itself, checked against
 *   docs/protocol.md and the server catalogue. Always: every id is unique in the list and appears
 *   once in the server catalogue (`qrlink check --role server`); every case is a server check whose
 *   section is a real `## N. Title` heading; every clause cited exists and binds the server; a MUST
 *   check cites a MUST clause; the `requirement` is quoted verbatim from docs/protocol.md (`[...]`
 *   marks an elision; whitespace runs count as one space; markdown may be stripped as the clause
 *   parser strips it, unless `requirementAsWritten`).
 *   The options add what one list promises beyond that: the id pattern, the sections allowed, which
 *   cases need control, the level being the first clause's, the requirement being quoted from the
 *   first or any cited clause, extra quotes that must stand in a clause, a minimum count of cases.
 * - `caseById(cases)`: finds a case of the list by id (throws naming the id if there is none), for
 *   the tests each file runs against deliberately wrong servers, which stay in that file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClauses, loadProtocolText, stripMarkdown } from '../../model/protocol/clauses.js';
import { type Case, CaseFailure } from '../engine/case.js';
import { clauseRoles } from '../engine/clause-roles.js';
import { serverSources } from '../engine/server-catalogue.js';
import { runCase } from '../engine/test-context.harness.js';
import { embeddedTarget } from '../target/embedded-target.js';
import type { Target } from '../target/target.js';

/** How a list runs against the embedded reference. */
export interface ReferenceRunOptions {
  /** Case id -> the clause the reference server breaks: that case must fail (`it.fails`). */
  readonly knownDefects?: Readonly<Record<string, string>>;
}

/** Where a check's `requirement` must be quoted from, beyond docs/protocol.md as a whole. */
export type RequirementSource = 'first-clause' | 'a-cited-clause';

/** What one list of checks promises about its metadata beyond what every list does. */
export interface CheckMetadataOptions {
  /** The title of the describe block (default `check metadata`). */
  readonly title?: string;
  /** Every id matches this. */
  readonly idPattern?: RegExp;
  /** The sections (`N Title`) case `c` may sit in. */
  readonly sections?: (c: Case) => readonly string[];
  /** Whether case `c` needs control: it needs exactly `['control']` if so, nothing otherwise. */
  readonly needsControl?: (c: Case) => boolean;
  /** Why `needsControl` says what it says (the test title names it). */
  readonly needsControlWhy?: string;
  /** The level of a check is the level of its first clause. */
  readonly levelOfFirstClause?: boolean;
  /** The requirement is quoted as written in docs/protocol.md, markdown included (not only as the
   * clause parser strips it). */
  readonly requirementAsWritten?: boolean;
  /** The requirement is quoted from the clause text (markdown stripped) of this clause. */
  readonly requirementFrom?: RequirementSource;
  /** Clause id -> a text the clause must contain (requirements the list quotes outside its cases). */
  readonly clauseQuotes?: Readonly<Record<string, string>>;
  /** The list holds at least this many cases. */
  readonly minCases?: number;
}

/** A lookup of the case of `cases` with a given id; an unknown id throws naming it. */
export function caseById(cases: readonly Case[]): (id: string) => Case {
  return (id) => {
    const c = cases.find((x) => x.id === id);
    if (!c) throw new Error(`no case ${id}`);
    return c;
  };
}

/** `err` as an Error whose message names the case, the clause, what was expected and what came. */
function explain(c: Case, err: unknown): Error {
  if (!(err instanceof CaseFailure)) return err instanceof Error ? err : new Error(String(err));
  const parts = [`${c.id}: ${err.message}`];
  if (err.expected !== undefined) parts.push(`expected: ${JSON.stringify(err.expected)}`);
  if (err.actual !== undefined) parts.push(`actual: ${JSON.stringify(err.actual)?.slice(0, 1500)}`);
  return new Error(parts.join('\n'));
}

/** Runs every case of `cases` against one embedded reference server; each must pass. */
export function describeChecksAgainstReference(
  title: string,
  cases: readonly Case[],
  options: ReferenceRunOptions = {},
): void {
  const knownDefects = options.knownDefects ?? {};
  describe(title, () => {
    let target: Target;
    beforeAll(async () => {
      target = await embeddedTarget();
    });
    afterAll(async () => {
      await target.close();
    });

    for (const c of cases) {
      const name = `${c.id} [${c.clauses.join(', ')}] passes`;
      const body = async () => {
        const ctx = await runCase(target, c).catch((err: unknown) => {
          throw explain(c, err);
        });
        expect(ctx.cited, `${c.id}: clauses cited`).toEqual(expect.arrayContaining([...c.clauses]));
        expect(ctx.trace.length, `${c.id}: trace`).toBeGreaterThan(0);
      };
      const defect = knownDefects[c.id];
      if (defect !== undefined) it.fails(`${name} (reference defect: ${defect})`, body);
      else it(name, body);
    }
  });
}

/** The sections of docs/protocol.md as cases name them: `## 3. Transport` -> `3 Transport`. */
function sectionHeadings(spec: string): Set<string> {
  return new Set(
    spec.split('\n').flatMap((l) => {
      const m = /^## (\d+)\. (.+)$/.exec(l);
      return m ? [`${m[1]} ${m[2]}`] : [];
    }),
  );
}

/** Whitespace runs as one space, as a clause's text is. */
const flatten = (text: string): string => text.replace(/\s+/g, ' ');

/** Checks what every case of `cases` claims about itself against docs/protocol.md and the catalogue. */
export function describeCheckMetadata(cases: readonly Case[], options: CheckMetadataOptions = {}): void {
  describe(options.title ?? 'check metadata', () => {
    const spec = loadProtocolText();
    const flatSpec = flatten(spec);
    const strippedSpec = flatten(stripMarkdown(spec));
    const clauses = new Map(loadClauses().map((c) => [c.id, c]));
    const headings = sectionHeadings(spec);

    it('ids are unique in the list and appear once in the server catalogue', () => {
      expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
      const checks = serverSources().find((s) => s.name === 'checks');
      const catalogue = checks?.cases({ role: 'server', seed: 1, runs: 1 }) ?? [];
      for (const c of cases) {
        expect(
          catalogue.filter((x) => x.id === c.id),
          c.id,
        ).toHaveLength(1);
        if (options.idPattern) expect(c.id).toMatch(options.idPattern);
      }
      if (options.minCases !== undefined) expect(cases.length).toBeGreaterThanOrEqual(options.minCases);
    });

    it('every case is a server check in a section heading of docs/protocol.md', () => {
      for (const c of cases) {
        expect(c.kind, c.id).toBe('check');
        expect(c.role, c.id).toBe('server');
        expect(headings.has(c.section), `${c.id}: section ${c.section}`).toBe(true);
        expect(spec, `${c.id}: section`).toContain(`\n## ${c.section.replace(' ', '. ')}\n`);
        if (options.sections) expect(options.sections(c), `${c.id}: section`).toContain(c.section);
      }
    });

    const { needsControl } = options;
    if (needsControl) {
      it(`a case needs control exactly when ${options.needsControlWhy ?? 'the list says so'}`, () => {
        for (const c of cases) expect(c.needs, c.id).toEqual(needsControl(c) ? ['control'] : []);
      });
    }

    it('every clause cited exists and binds the server; a MUST check cites a MUST clause', () => {
      for (const c of cases) {
        expect(c.clauses.length, `${c.id}: no clause`).toBeGreaterThan(0);
        for (const id of c.clauses) {
          const clause = clauses.get(id);
          expect(clause, `${c.id}: ${id} is not a clause of docs/protocol.md`).toBeDefined();
          if (clause) expect(clauseRoles(clause), `${c.id}: ${id} does not bind the server`).toContain('server');
        }
        if (c.level === 'MUST') {
          expect(
            c.clauses.some((id) => clauses.get(id)?.level === 'MUST'),
            `${c.id}: no MUST clause`,
          ).toBe(true);
        }
        if (options.levelOfFirstClause) expect(c.level, c.id).toBe(clauses.get(c.clauses[0] ?? '')?.level);
      }
      for (const [id, quote] of Object.entries(options.clauseQuotes ?? {})) {
        expect(clauses.get(id)?.text, `${id} quote`).toContain(quote);
      }
    });

    it('the requirement is quoted verbatim from docs/protocol.md', () => {
      for (const c of cases) {
        expect(c.requirement, `${c.id}: requirement`).toBeDefined();
        for (const part of (c.requirement ?? '').split(' [...] ')) {
          const quote = flatten(part);
          if (options.requirementAsWritten) expect(flatSpec, `${c.id}: requirement`).toContain(quote);
          else
            expect(
              flatSpec.includes(quote) || strippedSpec.includes(quote),
              `${c.id}: requirement not in docs/protocol.md: ${quote}`,
            ).toBe(true);
        }
        const from = options.requirementFrom;
        if (from === 'first-clause') {
          expect(clauses.get(c.clauses[0] ?? '')?.text, c.id).toContain(c.requirement ?? '<none>');
        } else if (from === 'a-cited-clause') {
          const texts = c.clauses.map((id) => clauses.get(id)?.text ?? '');
          expect(
            texts.some((t) => t.includes(c.requirement ?? '<none>')),
            `${c.id}: requirement not quoted from ${c.clauses.join(', ')}`,
          ).toBe(true);
        }
      }
    });
  });
}
