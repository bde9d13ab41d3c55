/**
 * A conformance case as the runner sees it: identity, the clauses it checks, what it needs from the
 * target, and `run`, which drives the target through a `CaseContext` and throws `CaseFailure` (the
 * target did something the spec forbids) or `CaseSkip` (the target lacks a capability). Every kind
 * of case (model paths, transition pairs, property runs, clause-targeted checks) is one of these.
 */
import type { Config } from '../../model/protocol/config.js';
import type { CaseError, CaseKind, Role, TraceStep } from '../report/run-report.js';
import type { ControlClient, Subject, Target, WireLog } from '../target/target.js';

/** What a case may need beyond plain WebSocket access. */
export type Capability =
  /** The control endpoint: reset, clock, SMS codes, configuration [CTL-1]. */
  | 'control'
  /**
   * The client's own driver endpoint (DRV-*): checks of the driver protocol itself, meaningless
   * when the suite drives a browser page through its DOM hooks.
   */
  | 'driver';

/** What the case reached in the model, for coverage: chart transitions and states, as chart ids. */
export interface CoverageSink {
  /** `chartId` e.g. `server-conn`; `transition` e.g. `pending --phone.link.claim--> claimed`. */
  transition(chartId: string, transition: string, clauses: readonly string[]): void;
  state(chartId: string, state: string): void;
  /** Two transitions of one entity taken one after the other. */
  pair(chartId: string, first: string, second: string): void;
}

/** `T`: the implementation under test (a server `Target`, or a client role's subject). */
export interface CaseContext<T extends Subject = Target> {
  readonly target: T;
  /** The control endpoint; present whenever the case declared `needs: ['control']`. */
  readonly control: ControlClient | undefined;
  /** The configuration in force on the target after the suite's reset (defaults without control). */
  readonly config: Config;
  readonly wire: WireLog;
  readonly seed: number;
  /**
   * Records one trace step and points the wire log at it; returns the step's index. `command` is
   * the abstract command of a model case, kept in the trace so that `--replay` can run it again.
   */
  step(actor: string, action: string, frame?: unknown, command?: unknown): number;
  readonly trace: readonly TraceStep[];
  readonly coverage: CoverageSink;
  /** Counts protocol steps driven outside `trace` (the runs of a property case), for the run's steps/s. */
  countSteps?(n: number): void;
  /** Clauses actually exercised by this run (model cases add the clauses of the transitions fired). */
  cite(clauses: readonly string[]): void;
}

export interface Case<T extends Subject = Target> {
  readonly id: string;
  readonly title: string;
  /** The spec section, e.g. `7 Linking` (one JUnit suite per section). */
  readonly section: string;
  readonly kind: CaseKind;
  readonly role: Role;
  readonly clauses: readonly string[];
  /** The requirement checked, quoted from docs/protocol.md. */
  readonly requirement?: string;
  /** `SHOULD`: a failure is reported `non-strict` (fails the run only with --strict). */
  readonly level: 'MUST' | 'SHOULD';
  readonly needs: readonly Capability[];
  /** The seed that replays a property case (else the run's seed is used). */
  readonly seed?: number;
  run(ctx: CaseContext<T>): Promise<void>;
}

/** The target broke the spec: message, and where possible the step, what was expected and what came. */
export class CaseFailure extends Error implements CaseError {
  override name = 'CaseFailure';
  constructor(
    message: string,
    readonly step?: number,
    readonly expected?: unknown,
    readonly actual?: unknown,
  ) {
    super(message);
  }
}

/** The target lacks what the case needs (the reason is reported; the case is never counted as passed). */
export class CaseSkip extends Error {
  override name = 'CaseSkip';
}
