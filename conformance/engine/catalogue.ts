/**
 * Where cases come from. Each source (clause-targeted checks, model paths, property runs) builds its
 * cases for a run and can rebuild one case from a saved trace file (`--replay`). The runner asks
 * every source of the role and never knows how a case was made.
 */
import type { Role } from '../report/run-report.js';
import type { TraceFile } from '../report/trace-file.js';
import type { Subject, Target } from '../target/target.js';
import type { Case } from './case.js';

export interface CatalogueOptions {
  readonly role: Role;
  /** The run's seed (property runs derive theirs from it). */
  readonly seed: number;
  /** Number of property-based runs (`--runs`). */
  readonly runs: number;
}

/** Coverage goals a source knows about (the model's charts give states, transitions and pairs). */
export interface CoverageGoals {
  /** Transition pairs reachable in the bounded test graph, as `chartId: first => second`. */
  readonly transitionPairs: readonly string[];
}

export interface CaseSource<T extends Subject = Target> {
  readonly name: string;
  cases(options: CatalogueOptions): Case<T>[];
  /** The case a trace file was written for, rebuilt to re-run exactly its steps; undefined if not ours. */
  fromTrace?(file: TraceFile): Case<T> | undefined;
  /** Coverage goals this source adds (only the model-path source has some). */
  goals?(options: CatalogueOptions): CoverageGoals;
}
