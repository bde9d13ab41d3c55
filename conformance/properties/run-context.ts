/**
 * The context of one run of a property case: the case's target, coverage and cited clauses, with a
 * trace and wire log of its own, so that the case can keep only the (shrunk) failing run's.
 */
import type { CaseContext } from '../engine/case.js';
import type { TraceStep, WireEntry } from '../report/run-report.js';
import type { Subject } from '../target/target.js';

export function runContext<T extends Subject>(ctx: CaseContext<T>): CaseContext<T> {
  const trace: TraceStep[] = [];
  const wire = { step: 0, entries: [] as WireEntry[] };
  return {
    ...ctx,
    trace,
    wire,
    step(actor, action, frame, command) {
      const index = trace.length;
      trace.push({ index, actor, action, ...(frame === undefined ? {} : { frame }), ...(command ? { command } : {}) });
      wire.step = index;
      return index;
    },
  };
}
