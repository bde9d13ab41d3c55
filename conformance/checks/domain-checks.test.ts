/**
 * Runs every clause-targeted check of the domain files (registration, QR refs, linking, E2E, relay,
 * sessions) against the embedded reference server, one target per file, resetting it and setting
 * the suite configuration before each case. A failing case prints its CaseFailure (clause, what
 * was expected, what came, and the trace tail).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClauses } from '../../model/protocol/clauses.js';
import { type Case, CaseFailure } from '../engine/case.js';
import { clauseRoles } from '../engine/clause-roles.js';
import { runCase } from '../engine/test-context.harness.js';
import { embeddedTarget } from '../target/embedded-target.js';
import type { Target } from '../target/target.js';
import { e2eChecks } from './e2e.js';
import { linkChecks } from './link.js';
import { qrChecks } from './qr.js';
import { registrationChecks } from './registration.js';
import { relayChecks } from './relay.js';
import { sessionChecks } from './session.js';

/** Known defects of the reference server: case id -> the clause it breaks (see the report). */
const knownDefects: Readonly<Record<string, string>> = {};

function explain(c: Case, err: unknown): Error {
  if (!(err instanceof CaseFailure)) return err instanceof Error ? err : new Error(String(err));
  const parts = [`${c.id}: ${err.message}`];
  if (err.expected !== undefined) parts.push(`expected: ${JSON.stringify(err.expected)}`);
  if (err.actual !== undefined) parts.push(`actual: ${JSON.stringify(err.actual)?.slice(0, 1500)}`);
  return new Error(parts.join('\n'));
}

function suite(file: string, cases: readonly Case[]): void {
  describe(file, () => {
    let target: Target;
    beforeAll(async () => {
      target = await embeddedTarget();
    });
    afterAll(async () => {
      await target.close();
    });
    for (const c of cases) {
      const title = `${c.id} [${c.clauses.join(', ')}]`;
      const body = async () => {
        try {
          await runCase(target, c);
        } catch (err) {
          throw explain(c, err);
        }
      };
      if (knownDefects[c.id] !== undefined) it.fails(`${title} (reference defect: ${knownDefects[c.id]})`, body);
      else it(title, body);
    }
  });
}

const files: readonly (readonly [string, readonly Case[]])[] = [
  ['registration.ts', registrationChecks],
  ['qr.ts', qrChecks],
  ['link.ts', linkChecks],
  ['e2e.ts', e2eChecks],
  ['relay.ts', relayChecks],
  ['session.ts', sessionChecks],
];

describe('the domain checks as cases', () => {
  const spec = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const flat = spec.replace(/\s+/g, ' ');
  const all = files.flatMap(([, cases]) => cases);
  const clauses = new Map(parseClauses(spec).map((c) => [c.id, c]));

  it('quote their requirement from docs/protocol.md and name a section heading of it', () => {
    for (const c of all) {
      expect(spec, `${c.id}: section`).toContain(`\n## ${c.section.replace(' ', '. ')}\n`);
      for (const part of (c.requirement ?? '').split(' [...] ')) {
        expect(flat, `${c.id}: requirement`).toContain(part.replace(/\s+/g, ' '));
      }
    }
  });

  it('cite server clauses of docs/protocol.md, with unique ids of the form check.<area>.<name>', () => {
    const ids = new Set<string>();
    for (const c of all) {
      expect(c.id).toMatch(/^check\.(reg|qr|link|e2e|relay|sess)\.[a-z0-9-]+$/);
      expect(ids.has(c.id), c.id).toBe(false);
      ids.add(c.id);
      expect(c.kind).toBe('check');
      expect(c.role).toBe('server');
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
    }
    expect(all.length).toBeGreaterThanOrEqual(45);
  });
});

suite('registration.ts', registrationChecks);
suite('qr.ts', qrChecks);
suite('link.ts', linkChecks);
suite('e2e.ts', e2eChecks);
suite('relay.ts', relayChecks);
suite('session.ts', sessionChecks);
