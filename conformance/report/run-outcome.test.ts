import { describe, expect, it } from 'vitest';
import { failsRun, runPassed, summarize } from './run-outcome.js';
import type { Verdict } from './run-report.js';

const all: Verdict[] = ['passed', 'passed', 'failed', 'skipped', 'non-strict', 'expected-failure', 'unexpected-pass'];

describe('summarize', () => {
  it('counts each verdict and the step rate', () => {
    const s = summarize(
      all.map((status) => ({ status })),
      { durationMs: 2000, steps: 10_000 },
    );
    expect(s).toEqual({
      passed: 2,
      failed: 1,
      skipped: 1,
      nonStrict: 1,
      expectedFailures: 1,
      unexpectedPasses: 1,
      durationMs: 2000,
      steps: 10_000,
      stepsPerSec: 5000,
    });
  });

  it('gives 0 steps/s for a run of no duration', () => {
    expect(summarize([], { durationMs: 0, steps: 5 }).stepsPerSec).toBe(0);
  });
});

describe('runPassed', () => {
  const summary = (failed: number, nonStrict: number) => ({
    ...summarize([], { durationMs: 1, steps: 0 }),
    failed,
    nonStrict,
  });

  it('fails on any failed case', () => {
    expect(runPassed({ strict: false, summary: summary(1, 0) })).toBe(false);
  });

  it('fails on non-strict only under --strict', () => {
    expect(runPassed({ strict: false, summary: summary(0, 2) })).toBe(true);
    expect(runPassed({ strict: true, summary: summary(0, 2) })).toBe(false);
  });

  it('does not fail on expected failures, unexpected passes or skips', () => {
    expect(failsRun('expected-failure', true)).toBe(false);
    expect(failsRun('unexpected-pass', true)).toBe(false);
    expect(failsRun('skipped', true)).toBe(false);
    expect(failsRun('failed', false)).toBe(true);
    expect(failsRun('non-strict', false)).toBe(false);
    expect(failsRun('non-strict', true)).toBe(true);
  });
});
