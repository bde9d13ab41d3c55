/**
 * What a run's verdicts add up to: the summary counts, and whether the run passed (exit 0).
 *
 * A run passes iff no case `failed` and, with `--strict`, no case is `non-strict`. An
 * `expected-failure` does not fail the run (it was listed in --expect-failures); neither does an
 * `unexpected-pass` (the target now does better than the list says: the report says so, the
 * implementer updates the list). `skipped` never fails a run and never counts as passed.
 */
import type { CaseResult, RunReport, RunSummary, Verdict } from './run-report.js';

/** Every verdict, in the order the reports list them (worst first). */
export const verdictOrder: readonly Verdict[] = [
  'failed',
  'non-strict',
  'unexpected-pass',
  'expected-failure',
  'skipped',
  'passed',
];

/** The counts of `cases` per verdict, with the run's duration and the protocol steps driven. */
export function summarize(
  cases: readonly Pick<CaseResult, 'status'>[],
  run: { readonly durationMs: number; readonly steps: number },
): RunSummary {
  const count = (v: Verdict) => cases.filter((c) => c.status === v).length;
  return {
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    nonStrict: count('non-strict'),
    expectedFailures: count('expected-failure'),
    unexpectedPasses: count('unexpected-pass'),
    durationMs: run.durationMs,
    steps: run.steps,
    stepsPerSec: run.durationMs > 0 ? Math.round((run.steps * 1000) / run.durationMs) : 0,
  };
}

/** Whether a case's verdict fails the run under `strict`. */
export function failsRun(status: Verdict, strict: boolean): boolean {
  return status === 'failed' || (strict && status === 'non-strict');
}

/** Whether the run passed: exit 0. */
export function runPassed(report: Pick<RunReport, 'summary' | 'strict'>): boolean {
  return report.summary.failed === 0 && (!report.strict || report.summary.nonStrict === 0);
}
