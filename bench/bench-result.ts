/**
 * What every benchmark reports: one row per measured metric, with our number, the baseline measured in
 * the same run, and their ratio. `ratio` always reads "fraction of the baseline's performance": for a
 * metric where more is better (messages/s) it is ours / baseline, for one where less is better
 * (latency, bytes per session) it is baseline / ours. So 1 means "as good as the baseline", 0.5 "half as
 * good", whatever the unit.
 */

/** Whether a bigger number is better (throughput) or a smaller one (latency, memory, time). */
export type Better = 'higher' | 'lower';

export interface BenchRow {
  /** e.g. `relay.1k.throughput`. */
  readonly id: string;
  /** What was measured, in words. */
  readonly metric: string;
  readonly ours: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly unit: string;
  readonly notes: string;
}

export interface BenchReport {
  readonly machine: { readonly cpus: number; readonly node: string };
  readonly benchmarks: readonly BenchRow[];
}

export interface RowInput {
  readonly id: string;
  readonly metric: string;
  readonly ours: number;
  readonly baseline: number;
  readonly unit: string;
  readonly better: Better;
  readonly notes?: string;
}

/** Performance as a fraction of the baseline's (see the module comment); NaN when undefined. */
export function ratioOf(ours: number, baseline: number, better: Better): number {
  const r = better === 'higher' ? ours / baseline : baseline / ours;
  return Number.isFinite(r) ? r : Number.NaN;
}

/** Rounds to 3 significant digits (numbers in the report, not in the arithmetic). */
export function round3(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 6)));
}

/** One row, with the ratio computed and the direction spelled out in the notes. */
export function row(input: RowInput): BenchRow {
  const direction = input.better === 'higher' ? 'ratio = ours/baseline' : 'lower is better, ratio = baseline/ours';
  const notes = input.notes === undefined || input.notes === '' ? direction : `${direction}; ${input.notes}`;
  return {
    id: input.id,
    metric: input.metric,
    ours: round3(input.ours),
    baseline: round3(input.baseline),
    ratio: round3(ratioOf(input.ours, input.baseline, input.better)),
    unit: input.unit,
    notes,
  };
}

/** A benchmark's measure options: `quick` for CI-sized runs. */
export interface BenchOptions {
  readonly quick: boolean;
  /** Progress lines for people (stderr); never part of the result. */
  readonly say: (line: string) => void;
  /** A correctness problem found while measuring (lost frame, leak): the run fails (exit 1). */
  readonly problem: (text: string) => void;
}

/** One benchmark: an id (for `--only`) and a run that returns its rows. */
export interface Benchmark {
  readonly id: string;
  readonly title: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}
