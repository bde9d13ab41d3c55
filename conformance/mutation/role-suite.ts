/**
 * What the kill matrix needs of one role to test its suite against that role's mutants: the catalogue
 * of mutants (deliberate faults of the role's reference implementation), a way to start that
 * reference in this process with a set of mutants switched on, as the suite's `Subject`, and the
 * role's case sources. Optionally, a way to start it over the wire (a separate process reached only
 * through the network), for the sample of mutants the matrix runs that way.
 */
import type { MutantInfo } from '../../impl/server/mutants.js';
import type { CaseSource } from '../engine/catalogue.js';
import type { AnyChart } from '../engine/run-coverage.js';
import type { Role } from '../report/run-report.js';
import type { Subject } from '../target/target.js';

/** How a mutant's subjects were reached. */
export type Reach = 'in-process' | 'over-the-wire';

export interface RoleSuite<T extends Subject> {
  readonly role: Role;
  /** The role's mutants, in catalogue order. */
  readonly mutants: readonly MutantInfo[];
  /**
   * Starts the role's reference implementation in this process with `mutants` switched on (none: the
   * reference behaviour, the matrix's baseline), ready for the runner. `close()` stops it.
   */
  start(mutants: readonly string[]): Promise<T>;
  /** The role's case sources (what `qrlink check --role <role>` runs). */
  sources(): readonly CaseSource<T>[];
  /** The role's statecharts (coverage; the matrix itself does not count coverage). */
  readonly charts: readonly AnyChart[];
  /**
   * Starts the reference with `mutant` on as a separate process reached over the network only, as a
   * third-party implementation would be. Absent: the role has no over-the-wire sample.
   */
  startOverWire?(mutant: string): Promise<T>;
  /** The mutants run over the wire (through `startOverWire`) instead of in process. */
  readonly wireSample?: readonly string[];
}
