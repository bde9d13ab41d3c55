import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webMutants } from '../../../impl/web/mutants.js';
import { loadClauses } from '../../../model/protocol/clauses.js';
import { clausesOfRole } from '../../engine/clause-roles.js';
import { runSuite } from '../../engine/runner.js';
import type { CaseResult, RunReport } from '../../report/run-report.js';
import { traceFileFor } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import { embeddedClientTarget } from '../driver-target.js';
import { webCharts, webSources, webUnobservableClauses } from './web-catalogue.js';
import { webChecks } from './web-checks.js';
import { explorePaths, webGoals } from './web-paths.js';

const seed = Number(process.env.QRLINK_SEED ?? 20261126);
const cases = () => webSources().flatMap((s) => s.cases({ role: 'web', seed, runs: 8 }));

describe('the web catalogue', () => {
  it('has unique ids, every case of role web, and a path for every non-fault transition of the web chart', () => {
    const all = cases();
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    expect(all.every((c) => c.role === 'web')).toBe(true);
    const paths = explorePaths();
    expect(webGoals().filter((g) => !paths.has(g))).toEqual([]);
    expect(all.filter((c) => c.kind === 'property')).toHaveLength(1);
  });

  it('every unobservable clause is a web clause (no stale entries)', () => {
    const web = new Set(clausesOfRole(loadClauses(), 'web').map((c) => c.id));
    expect([...webUnobservableClauses.keys()].filter((id) => !web.has(id))).toEqual([]);
  });
});

describe('the web catalogue against the reference web client', () => {
  let target: ClientTarget<'web'>;
  let report: RunReport;
  beforeAll(async () => {
    target = await embeddedClientTarget('web');
    console.log(`web catalogue seed ${seed} (QRLINK_SEED replays it)`);
    report = await runSuite({ target, role: 'web', cases: cases(), seed, charts: webCharts });
  }, 60_000);
  afterAll(async () => {
    await target?.close();
  });

  it('passes every case', () => {
    const bad = report.cases.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.reason}`);
    expect(bad).toEqual([]);
  });

  it('covers every state and every (non-fault) transition of the web chart', () => {
    expect(report.coverage.states.missed).toEqual([]);
    expect(report.coverage.transitions.missed).toEqual([]);
    expect(report.coverage.transitions.total).toBe(webGoals().length);
  });

  it('rebuilds a path case and a check from their trace files (--replay), and they pass again', async () => {
    for (const id of ['web-path-09', 'web-E2E-13-replay']) {
      const result = report.cases.find((c) => c.id === id);
      expect(result).toBeDefined();
      const file = traceFileFor(report, result as CaseResult);
      const rebuilt = webSources()
        .map((s) => s.fromTrace?.(file))
        .find((c) => c !== undefined);
      expect(rebuilt?.id).toBe(id);
      const again = await runSuite({ target, role: 'web', cases: [rebuilt as NonNullable<typeof rebuilt>], seed });
      expect(again.cases[0]?.status).toBe('passed');
      expect(again.cases[0]?.trace.filter((t) => t.command !== undefined).length).toBe(
        result?.trace.filter((t) => t.command !== undefined).length,
      );
    }
  });

  it('the property case carries the run seed and counts its steps', () => {
    const p = report.cases.find((c) => c.kind === 'property');
    expect(p?.seed).toBe(seed);
    expect(p?.steps ?? 0).toBeGreaterThan(8);
  });

  it('checks every web clause except the listed unobservable ones', () => {
    const unchecked = report.coverage.clauses.items
      .filter((i) => i.status !== 'passed' && !webUnobservableClauses.has(i.id))
      .map((i) => i.id);
    expect(unchecked).toEqual([]);
  });
});

describe('the web checks against faulty web clients', () => {
  for (const m of webMutants) {
    it(`${m.id}: a check fails naming ${m.clauses.join(' or ')}`, async () => {
      const target = await embeddedClientTarget('web', { mutants: [m.id] });
      try {
        const r = await runSuite({ target, role: 'web', cases: webChecks, seed });
        const failed = r.cases.filter((c) => c.status === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        const naming = failed.filter((c) => m.clauses.some((id) => c.reason?.includes(`[${id}]`)));
        expect(naming.map((c) => c.id)).not.toEqual([]);
        expect(naming[0]?.trace.length).toBeGreaterThan(0);
        expect(naming[0]?.wireLog.length).toBeGreaterThan(0);
      } finally {
        await target.close();
      }
    }, 30_000);
  }
});
