import { describe, expect, test } from 'vitest';
import { type Benchmark, row } from './bench-result.js';
import { allBenchmarks, runBenchmarks, selectBenchmarks, UnknownBenchmarkError } from './run-benchmarks.js';

const fake = (id: string, fail = false): Benchmark => ({
  id,
  title: `fake ${id}`,
  async run(options) {
    if (fail) throw new Error('server did not start');
    if (id === 'leaky') options.problem('stats not back to baseline: timers: 3 -> 4');
    return [
      row({
        id: `${id}.m`,
        metric: 'm',
        ours: options.quick ? 1 : 2,
        baseline: 2,
        unit: 'x/s',
        better: 'higher',
      }),
    ];
  },
});

describe('running benchmarks', () => {
  test('the six benchmarks of issue 9, in run order', () => {
    expect(allBenchmarks.map((b) => b.id)).toEqual(['relay', 'link', 'sessions', 'explorer', 'suite', 'load-faults']);
  });
  test('--only selects by id, in run order; an unknown id names the valid ones', () => {
    const bs = [fake('a'), fake('b'), fake('c')];
    expect(selectBenchmarks('c,a', bs).map((b) => b.id)).toEqual(['a', 'c']);
    expect(selectBenchmarks(undefined, bs)).toHaveLength(3);
    expect(() => selectBenchmarks('a,zz', bs)).toThrow(UnknownBenchmarkError);
    expect(() => selectBenchmarks('zz', bs)).toThrow(/unknown benchmark "zz" \(ids: a, b, c\)/);
    expect(() => selectBenchmarks(' , ', bs)).toThrow(/--only is empty/);
  });
  test('the report is {machine: {cpus, node}, benchmarks: rows}; quick is passed on', async () => {
    const lines: string[] = [];
    const { report, problems } = await runBenchmarks([fake('a'), fake('b')], {
      quick: true,
      say: (l) => lines.push(l),
    });
    expect(Object.keys(report)).toEqual(['machine', 'benchmarks']);
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.node).toMatch(/^v\d+/);
    expect(report.benchmarks.map((b) => [b.id, b.ours, b.ratio])).toEqual([
      ['a.m', 1, 0.5],
      ['b.m', 1, 0.5],
    ]);
    expect(problems).toEqual([]);
    expect(lines.some((l) => l.includes('(quick)'))).toBe(true);
  });
  test('a benchmark that throws or finds a problem is reported; the others still run', async () => {
    const { report, problems } = await runBenchmarks([fake('a', true), fake('leaky'), fake('c')], {
      quick: false,
      say: () => {},
    });
    expect(report.benchmarks.map((b) => b.id)).toEqual(['leaky.m', 'c.m']);
    expect(problems).toEqual(['a failed: server did not start', 'stats not back to baseline: timers: 3 -> 4']);
  });
});
