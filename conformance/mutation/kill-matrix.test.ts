/**
 * The kill-matrix engine on fake subjects and fake cases (no server, no timer): which cases kill a
 * mutant, the first kill, the shortest failing trace, a survivor, a baseline failure, --first-kill
 * with the mutant's clauses first, a mutant that cannot start and a subject lost mid-case; and the
 * renderings (--json shape, table, HTML) of a matrix with a survivor.
 */
import { describe, expect, test } from 'vitest';
import type { MutantInfo } from '../../impl/server/mutants.js';
import { type Case, type CaseContext, CaseFailure } from '../engine/case.js';
import type { CaseTimers } from '../engine/runner.js';
import { type Subject, TargetError } from '../target/target.js';
import { type KillMatrix, killMatrix, matrixPassed, prioritized } from './kill-matrix.js';
import { listLines, matrixJson, matrixLines, scoreLine } from './matrix-text.js';
import { mutationHtml } from './mutation-report.js';
import type { RoleSuite } from './role-suite.js';

/** A fake implementation: which mutants are on, and how many are open. */
interface Fake extends Subject {
  readonly mutants: ReadonlySet<string>;
}

const noTimers: CaseTimers = { set: () => 0, clear: () => {} };

/** A case that takes `steps` steps and fails when `fails(mutants)` says so. */
function fakeCase(
  id: string,
  clauses: string[],
  steps: number,
  fails: (on: ReadonlySet<string>) => boolean | 'lost',
): Case<Fake> {
  return {
    id,
    title: `case ${id}`,
    section: '1 Fake',
    kind: 'check',
    role: 'server',
    clauses,
    level: 'MUST',
    needs: [],
    async run(ctx: CaseContext<Fake>) {
      for (let i = 0; i < steps; i++) ctx.step('web1', `step ${i}`);
      const verdict = fails(ctx.target.mutants);
      if (verdict === 'lost') throw new TargetError('connection refused');
      if (verdict) throw new CaseFailure(`${id} caught it`, steps - 1);
    },
  };
}

const mutant = (id: string, clauses: string[]): MutantInfo => ({
  id,
  role: 'server',
  description: `fault ${id}`,
  clauses,
});

const catalogue: MutantInfo[] = [
  mutant('server.a', ['A-1']),
  mutant('server.b', ['B-1']),
  mutant('server.survivor', ['C-1']),
];

function suite(mutants: MutantInfo[], opened: string[][] = []): RoleSuite<Fake> {
  return {
    role: 'server',
    mutants,
    charts: [],
    sources: () => [],
    async start(on) {
      if (on.includes('server.broken')) throw new Error('no such build');
      opened.push([...on]);
      return { description: 'fake', control: undefined, mutants: new Set(on), close: async () => {} };
    },
  };
}

/** A clock that moves 10 ms on every reading. */
function ticking(): () => number {
  let t = 0;
  return () => (t += 10);
}

const cases: Case<Fake>[] = [
  fakeCase('c1', ['A-1'], 3, (on) => on.has('server.a')),
  fakeCase('c2', ['X-1'], 5, (on) => on.has('server.b')),
  fakeCase('c3', ['X-1'], 2, (on) => on.has('server.b')),
  fakeCase('c4', ['B-1'], 4, () => false),
];

function run(
  extra: Partial<Parameters<typeof killMatrix<Fake>>[0]> & { mutants?: MutantInfo[] } = {},
): Promise<KillMatrix> {
  return killMatrix<Fake>({
    suite: suite(extra.mutants ?? catalogue),
    seed: 1,
    runs: 1,
    cases,
    now: ticking(),
    timers: noTimers,
    lanes: 1,
    ...extra,
  });
}

describe('the kill matrix engine', () => {
  test('records the cases that kill each mutant, the shortest failing trace, and a survivor as killed: false', async () => {
    const m = await run();
    const byId = new Map(m.mutants.map((r) => [r.id, r]));
    expect(byId.get('server.a')).toMatchObject({ killed: true, killedBy: ['c1'], reach: 'in-process', casesRun: 4 });
    const b = byId.get('server.b');
    expect(b?.killedBy).toEqual(['c2', 'c3']);
    expect(b?.shortest).toMatchObject({ caseId: 'c3', steps: 2, reason: 'c3 caught it', failingStep: 1 });
    // a kill with no step at all (a case that timed out) is shown only when there is no other
    const empty = fakeCase('empty', ['B-1'], 0, (on) => on.has('server.b'));
    const again = await run({ mutants: [catalogue[1] as MutantInfo], cases: [empty, ...cases] });
    expect(again.mutants[0]?.killedBy).toEqual(['empty', 'c2', 'c3']);
    expect(again.mutants[0]?.shortest?.caseId).toBe('c3');
    expect(b?.firstKillMs).toBeGreaterThan(0);
    const survivor = byId.get('server.survivor');
    expect(survivor).toMatchObject({ killed: false, killedBy: [], firstKillMs: null, shortest: null, casesRun: 4 });
    expect(m.baseline).toMatchObject({ scope: 'all', casesRun: 4, failures: [] });
    expect(matrixPassed(m)).toBe(false);
  });

  test('every mutant killed and a clean baseline: the matrix passes', async () => {
    const m = await run({ mutants: catalogue.slice(0, 2) });
    expect(m.mutants.every((r) => r.killed)).toBe(true);
    expect(matrixPassed(m)).toBe(true);
  });

  test('a case failing on the unmutated reference is a baseline error: the matrix does not pass', async () => {
    const flaky = fakeCase('flaky', ['Z-1'], 1, () => true);
    const m = await run({ mutants: catalogue.slice(0, 2), cases: [...cases, flaky] });
    expect(m.baseline.failures).toEqual([{ caseId: 'flaky', status: 'failed', reason: 'flaky caught it' }]);
    expect(matrixPassed(m)).toBe(false);
  });

  test('--first-kill: the cases citing the mutant clauses run first and the run stops at the first kill; the baseline re-runs the killers', async () => {
    const late = fakeCase('late-b', ['B-1'], 1, (on) => on.has('server.b'));
    const m = await run({ mutants: [catalogue[1] as MutantInfo], cases: [...cases, late], firstKill: true });
    const b = m.mutants[0];
    // c4 and late-b cite B-1 and run first; c4 passes, late-b kills: nothing more runs
    expect(b).toMatchObject({ killed: true, killedBy: ['late-b'], casesRun: 2 });
    expect(m.baseline).toMatchObject({ scope: 'killers', casesRun: 1, failures: [] });
    expect(m.firstKill).toBe(true);
  });

  test('prioritized keeps catalogue order inside each group', () => {
    expect(prioritized(cases, ['X-1', 'B-1']).map((c) => c.id)).toEqual(['c2', 'c3', 'c4', 'c1']);
  });

  test('a mutant that cannot start is reported with the error and not killed', async () => {
    const m = await run({ mutants: [mutant('server.broken', ['A-1'])] });
    expect(m.mutants[0]).toMatchObject({ killed: false, casesRun: 0 });
    expect(m.mutants[0]?.error).toMatch(/could not start the mutant: no such build/);
    expect(matrixPassed(m)).toBe(false);
  });

  test('a subject lost mid-case (the mutant made it unreachable) counts as a kill by that case and ends the run', async () => {
    const crash = fakeCase('crash', ['A-1'], 1, (on) => (on.has('server.a') ? 'lost' : false));
    const m = await run({ mutants: [catalogue[0] as MutantInfo], cases: [crash, ...cases] });
    expect(m.mutants[0]).toMatchObject({ killed: true, killedBy: ['crash'], casesRun: 0 });
    expect(m.mutants[0]?.shortest?.reason).toBe('connection refused');
  });

  test('lanes: a mutant runs on that many subjects of its own, each started with only that mutant on', async () => {
    const opened: string[][] = [];
    await killMatrix<Fake>({
      suite: suite(catalogue.slice(0, 1), opened),
      seed: 1,
      runs: 1,
      cases,
      timers: noTimers,
      lanes: 3,
    });
    expect(opened.filter((o) => o.length === 0)).toHaveLength(3); // the baseline
    expect(opened.filter((o) => o[0] === 'server.a' && o.length === 1)).toHaveLength(3);
  });

  test('the wire sample starts through startOverWire and is marked over-the-wire', async () => {
    const s = suite(catalogue.slice(0, 1));
    const wired: string[] = [];
    const m = await killMatrix<Fake>({
      suite: {
        ...s,
        wireSample: ['server.a'],
        async startOverWire(id) {
          wired.push(id);
          return s.start([id]);
        },
      },
      seed: 1,
      runs: 1,
      cases,
      timers: noTimers,
      lanes: 1,
    });
    expect(wired).toEqual(['server.a']);
    expect(m.mutants[0]).toMatchObject({ reach: 'over-the-wire', killed: true });
  });
});

describe('rendering a matrix', () => {
  test('--json holds exactly id, role, description, clauses, killed, killedBy, firstKillMs per mutant', async () => {
    const json = matrixJson([await run()]);
    expect(Object.keys(json)).toEqual(['mutants']);
    for (const r of json.mutants) {
      expect(Object.keys(r)).toEqual(['id', 'role', 'description', 'clauses', 'killed', 'killedBy', 'firstKillMs']);
    }
    expect(json.mutants.find((r) => r.id === 'server.survivor')).toMatchObject({ killed: false, firstKillMs: null });
  });

  test('the table names the survivor, the list puts the id first, the score line says FAIL', async () => {
    const m = await run();
    const lines = matrixLines(m);
    expect(lines.some((l) => /^server\.b\s+server\s+yes\s.*2: c2, c3$/.test(l))).toBe(true);
    expect(lines).toContain('  SURVIVED server.survivor [C-1]: fault server.survivor');
    expect(listLines(catalogue)[0]).toMatch(/^server\.a\s+server\s+fault server\.a$/);
    expect(scoreLine([m], false, 1234)).toBe(
      'qrlink mutants: 2 of 3 killed (mutation score 66.6%), baseline passed: FAIL (1.2 s)',
    );
  });

  test('the HTML report shows the score, each mutant with its shortest trace, and escapes what it prints', async () => {
    const m = await run({ mutants: [...catalogue, mutant('server.<script>', ['A-1'])] });
    const html = mutationHtml([m], '2026-11-26T00:00:00.000Z');
    expect(html).toContain('FAIL');
    expect(html).toContain('2 of 4 mutants killed (50.0%)');
    expect(html).toContain('id="mutant-server-b"');
    expect(html).toContain('c3 caught it');
    expect(html).toContain('server.&lt;script&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain('Content-Security-Policy');
  });
});
