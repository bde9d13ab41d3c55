/**
 * Runs the benchmarks (all, or those `--only` names) one after the other and collects their rows into
 * the report `{machine: {cpus, node}, benchmarks: [...]}`. A benchmark that throws is reported as a
 * problem and the others still run; problems make the command exit 1.
 */
import { cpus } from 'node:os';
import type { Benchmark, BenchReport, BenchRow } from './bench-result.js';
import { explorerBenchmark } from './explorer.js';
import { linkBenchmark } from './link.js';
import { loadFaultsBenchmark } from './load-faults.js';
import { relayBenchmark } from './relay.js';
import { sessionsBenchmark } from './sessions.js';
import { suiteBenchmark } from './suite.js';

/** Every benchmark, in the order they run. */
export const allBenchmarks: readonly Benchmark[] = [
  relayBenchmark,
  linkBenchmark,
  sessionsBenchmark,
  explorerBenchmark,
  suiteBenchmark,
  loadFaultsBenchmark,
];

/** `--only` named a benchmark that does not exist. */
export class UnknownBenchmarkError extends Error {
  override name = 'UnknownBenchmarkError';
}

/** The benchmarks a comma-separated `--only` list names (all when undefined), in run order. */
export function selectBenchmarks(only: string | undefined, from: readonly Benchmark[] = allBenchmarks): Benchmark[] {
  if (only === undefined) return [...from];
  const ids = only
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) throw new UnknownBenchmarkError(`--only is empty (ids: ${from.map((b) => b.id).join(', ')})`);
  for (const id of ids) {
    if (!from.some((b) => b.id === id)) {
      throw new UnknownBenchmarkError(
        `unknown benchmark ${JSON.stringify(id)} (ids: ${from.map((b) => b.id).join(', ')})`,
      );
    }
  }
  return from.filter((b) => ids.includes(b.id));
}

export interface RunBenchOptions {
  readonly quick: boolean;
  readonly say: (line: string) => void;
}

export interface BenchOutcome {
  readonly report: BenchReport;
  /** Correctness problems and benchmarks that failed: non-empty means exit 1. */
  readonly problems: readonly string[];
}

export function machine(): BenchReport['machine'] {
  return { cpus: cpus().length, node: process.version };
}

export async function runBenchmarks(benchmarks: readonly Benchmark[], options: RunBenchOptions): Promise<BenchOutcome> {
  const rows: BenchRow[] = [];
  const problems: string[] = [];
  for (const b of benchmarks) {
    options.say(`bench ${b.id}: ${b.title}${options.quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      rows.push(...(await b.run({ quick: options.quick, say: options.say, problem: (p) => problems.push(p) })));
    } catch (err) {
      problems.push(`${b.id} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    options.say(`bench ${b.id}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { report: { machine: machine(), benchmarks: rows }, problems };
}
