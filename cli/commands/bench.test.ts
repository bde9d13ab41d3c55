import { Command } from 'commander';
import { describe, expect, test } from 'vitest';
import { type Benchmark, row } from '../../bench/bench-result.js';
import type { CommandContext } from '../context.js';
import { type ExitCode, UsageError } from '../io.js';
import { runCli } from '../main.js';
import { benchCommand } from './bench.js';

const fake = (id: string, problem?: string): Benchmark => ({
  id,
  title: id,
  async run(options) {
    if (problem) options.problem(problem);
    return [row({ id: `${id}.x`, metric: 'm', ours: 3, baseline: 4, unit: 'msg/s', better: 'higher' })];
  },
});

async function bench(argv: string[], benchmarks: Benchmark[]) {
  const out: string[] = [];
  const err: string[] = [];
  let exit: ExitCode | undefined;
  const ctx: CommandContext = {
    io: { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false },
    setExit: (c) => {
      exit = c;
    },
  };
  const program = new Command('qrlink').exitOverride();
  benchCommand(benchmarks)(program, ctx);
  await program.parseAsync(['bench', ...argv], { from: 'user' });
  return { out: out.join(''), err: err.join(''), exit };
}

describe('qrlink bench', () => {
  test('--json prints exactly one object {machine, benchmarks: [{id, metric, ours, baseline, ratio, unit, notes}]}', async () => {
    const r = await bench(['--json', '--quick'], [fake('a'), fake('b')]);
    expect(r.exit).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const report = JSON.parse(r.out) as { machine: object; benchmarks: Record<string, unknown>[] };
    expect(Object.keys(report)).toEqual(['machine', 'benchmarks']);
    expect(Object.keys(report.machine)).toEqual(['cpus', 'node']);
    expect(report.benchmarks).toHaveLength(2);
    for (const b of report.benchmarks) {
      expect(Object.keys(b)).toEqual(['id', 'metric', 'ours', 'baseline', 'ratio', 'unit', 'notes']);
      expect(b.ratio).toBe(0.75);
    }
    expect(r.err).toContain('bench a: a (quick)'); // progress goes to stderr, never into the JSON
  });
  test('without --json: the table', async () => {
    const r = await bench([], [fake('a')]);
    expect(r.out).toMatch(/^machine: \d+ cpus, node v/);
    expect(r.out).toMatch(/a\.x\s+3\s+4\s+msg\/s\s+0\.75/);
  });
  test('--only runs the named benchmarks; a problem found prints it and exits 1', async () => {
    const r = await bench(['--only', 'b', '--json'], [fake('a'), fake('b', 'lost 2 frames')]);
    expect((JSON.parse(r.out) as { benchmarks: { id: string }[] }).benchmarks.map((b) => b.id)).toEqual(['b.x']);
    expect(r.err).toContain('qrlink bench: lost 2 frames');
    expect(r.exit).toBe(1);
  });
  test('--only with an unknown id is a usage error naming the valid ids', async () => {
    await expect(bench(['--only', 'nope'], [fake('a')])).rejects.toThrow(UsageError);
    const err: string[] = [];
    const code = await runCli(['bench', '--only', 'nope'], { out: () => {}, err: (t) => err.push(t), isTTY: false });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      /unknown benchmark "nope" \(ids: relay, link, sessions, explorer, suite, load-faults\)/,
    );
  });
});
