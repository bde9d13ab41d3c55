/**
 * The end of a failed property case: its shrunk counterexample is run again on the case's own
 * context, so that the case's trace and wire log are exactly the minimal failing run's, and the
 * failure is reported with the fast-check seed, the shrinking and the command that replays it.
 */
import type fc from 'fast-check';
import { CaseFailure } from '../engine/case.js';

export interface Counterexample<C> {
  /** What fast-check found (a failed check). */
  readonly details: fc.RunDetails<[C]>;
  /** The command that replays the property, as the failure message prints it. */
  readonly replay: string;
  /** Runs the counterexample on the case's context; throws CaseFailure when it fails again. */
  rerun(counterexample: C): Promise<void>;
  /** The shrunk run in words, read after it failed again (e.g. `[1, 4]` or `8 steps`). */
  shrunk(counterexample: C): string;
}

/** Always throws: the CaseFailure of the re-run, or one saying the shrunk run passed when run again. */
export async function failWithCounterexample<C>(o: Counterexample<C>): Promise<never> {
  const { details, replay } = o;
  const counterexample = details.counterexample?.[0];
  if (counterexample !== undefined) {
    try {
      await o.rerun(counterexample);
    } catch (err) {
      if (!(err instanceof CaseFailure)) throw err;
      throw new CaseFailure(
        `${err.message} (fast-check seed ${details.seed}, shrunk to ${o.shrunk(counterexample)} after ${details.numRuns} runs; replay: ${replay})`,
        err.step,
        err.expected,
        err.actual,
      );
    }
  }
  const cause = details.errorInstance;
  throw new CaseFailure(
    `fast-check seed ${details.seed} failed (${cause instanceof Error ? cause.message : String(cause)}) but its shrunk run passed when run again; replay: ${replay}`,
  );
}
