import { describe, expect, it } from 'vitest';
import { isFaultOnly, transitionsOf } from '../../model/chart/chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import { type AnyChart, CoverageRecorder, chartCoverage, clauseCounts, stateTransitionCounts } from './run-coverage.js';

describe('chart coverage', () => {
  const chart = webConnChart as unknown as AnyChart;

  it('leaves out the transitions that exist only to plant a fault in the model', () => {
    const all = transitionsOf(chart);
    const faultOnly = all.filter(isFaultOnly);
    expect(faultOnly.length).toBeGreaterThan(0);
    const [cov] = chartCoverage('server', [chart], new CoverageRecorder());
    expect(cov?.transitions.length).toBe(all.length - faultOnly.length);
    expect(cov?.transitions.some((t) => faultOnly.some((f) => f.name === t.id))).toBe(false);
  });

  it('counts a transition a case recorded, and the states it joins', () => {
    const rec = new CoverageRecorder();
    const first = transitionsOf(chart).find((t) => !isFaultOnly(t) && t.from !== t.to);
    if (!first) throw new Error('no transition');
    rec.sink(() => {}).transition(chart.id, first.name, first.clauses);
    const counts = stateTransitionCounts(chartCoverage('server', [chart], rec));
    expect(counts.transitions.covered).toBe(1);
    expect(counts.states.covered).toBe(2);
  });
});

describe('clause coverage', () => {
  const clause = (id: string) => ({
    id,
    area: id.split('-')[0] ?? '',
    number: 1,
    level: 'MUST' as const,
    text: id,
    section: '',
  });
  it('leaves clauses no run can check out of the figure, with the reason, unless a case checked them', () => {
    const evidence = [{ result: { id: 'c1', status: 'passed' as const }, clauses: new Set(['QR-1']) }];
    const cov = clauseCounts(
      [clause('QR-1'), clause('QR-2'), clause('TR-9')],
      evidence,
      new Map([['TR-9', 'deployment']]),
    );
    expect([cov.covered, cov.total]).toEqual([1, 2]);
    expect(cov.missed).toEqual(['QR-2']);
    expect(cov.items.find((i) => i.id === 'TR-9')?.note).toMatch(/not checkable over the wire: deployment/);
  });
});
