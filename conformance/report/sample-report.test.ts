import { describe, expect, it } from 'vitest';
import { summarize } from './run-outcome.js';
import type { Verdict } from './run-report.js';
import { hostileReport, hostileText, sampleReport } from './sample-report.js';

describe('sampleReport', () => {
  const report = sampleReport();

  it('has cases of every verdict and a summary that adds up', () => {
    const verdicts: Verdict[] = ['passed', 'failed', 'skipped', 'non-strict', 'expected-failure', 'unexpected-pass'];
    for (const v of verdicts) expect(report.cases.some((c) => c.status === v)).toBe(true);
    expect(report.summary).toEqual(summarize(report.cases, { durationMs: 4213, steps: 22330 }));
  });

  it('has two charts, a failure with a wire log and a failed property case with its seed', () => {
    expect(report.charts).toHaveLength(2);
    expect(report.cases.some((c) => c.status === 'failed' && c.wireLog.length > 0 && c.error?.step !== undefined)).toBe(
      true,
    );
    expect(report.cases.some((c) => c.kind === 'property' && c.status === 'failed' && c.seed !== undefined)).toBe(true);
  });

  it('counts coverage from its own charts and clause items', () => {
    const states = report.charts.flatMap((c) => c.states);
    expect(report.coverage.states).toMatchObject({
      covered: states.filter((s) => s.covered).length,
      total: states.length,
    });
    const items = report.coverage.clauses.items;
    expect(report.coverage.clauses.total).toBe(items.length);
    expect(report.coverage.clauses.missed).toEqual(items.filter((i) => i.status === 'unchecked').map((i) => i.id));
  });

  it('is the same on every call', () => {
    expect(sampleReport()).toEqual(report);
  });

  it('has a hostile twin with hostile text in its strings', () => {
    const hostile = hostileReport();
    expect(hostile.cases.every((c) => c.title.includes(hostileText))).toBe(true);
    expect(hostile.charts.every((c) => c.id.includes(hostileText))).toBe(true);
  });
});
