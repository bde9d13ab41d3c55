/**
 * A minimal CaseContext for tests that run cases directly against a target (no runner): a trace, a
 * wire log, the clauses cited, and a coverage sink that records nothing. `runCase` resets the
 * target and sets the suite configuration first, as the runner does before every case [CTL-3, CTL-6].
 */
import { type Config, defaultConfig } from '../../model/protocol/config.js';
import type { TraceStep } from '../report/run-report.js';
import type { Target, WireLog } from '../target/target.js';
import type { Case, CaseContext, CoverageSink } from './case.js';
import { suiteConfig } from './suite-config.js';

export interface TestCaseContext extends CaseContext {
  /** Every clause `cite` was called with, in order, without repeats. */
  readonly cited: readonly string[];
}

const noCoverage: CoverageSink = {
  transition() {},
  state() {},
  pair() {},
};

export interface TestContextOptions {
  readonly config?: Config;
  readonly seed?: number;
}

/** A fresh context on `target` (its control, if any, is the case's control). */
export function testContext(target: Target, options: TestContextOptions = {}): TestCaseContext {
  const trace: TraceStep[] = [];
  const wire: WireLog = { step: 0, entries: [] };
  const cited: string[] = [];
  return {
    target,
    control: target.control,
    config: options.config ?? defaultConfig,
    wire,
    seed: options.seed ?? 1,
    trace,
    coverage: noCoverage,
    cited,
    step(actor, action, frame) {
      const index = trace.length;
      trace.push(frame === undefined ? { index, actor, action } : { index, actor, action, frame });
      wire.step = index;
      return index;
    },
    cite(clauses) {
      for (const c of clauses) if (!cited.includes(c)) cited.push(c);
    },
  };
}

/**
 * Runs `c` on `target` as the runner would: with control, reset and the suite configuration first.
 * Resolves with the context (trace, wire log, cited clauses); rejects with what the case threw.
 */
export async function runCase(target: Target, c: Case, options: TestContextOptions = {}): Promise<TestCaseContext> {
  let config = options.config ?? defaultConfig;
  if (target.control) {
    await target.control.reset();
    config = await target.control.config(options.config ?? suiteConfig);
  }
  const ctx = testContext(target, { ...options, config });
  await c.run(ctx);
  return ctx;
}
