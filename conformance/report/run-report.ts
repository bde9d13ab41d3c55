/**
 * The result of one conformance run: what `report.json` holds and what the JUnit and HTML writers
 * render. This is the contract between the engine (which fills it) and the writers (which only read
 * it). Verdicts follow Autobahn|Testsuite and h2spec: beyond pass and fail, a case can be skipped
 * (the target lacks a capability: the reason says which), non-strict (a SHOULD was missed: fails the
 * run only with --strict), an expected failure (listed in --expect-failures), or an unexpected pass
 * (listed there, but it passed now).
 */

export type Verdict = 'passed' | 'failed' | 'skipped' | 'non-strict' | 'expected-failure' | 'unexpected-pass';

export type Role = 'server' | 'web' | 'phone';

/** How a case was made: a model path, a transition pair, a property run or a clause-targeted check. */
export type CaseKind = 'state-path' | 'transition-path' | 'transition-pair' | 'property' | 'check';

/** One step of a case, as the engine drove it. */
export interface TraceStep {
  readonly index: number;
  /** Who acted: a simulated peer (`web1`, `phone2`), `clock`, `control` or `suite`. */
  readonly actor: string;
  /** The model event or abstract command, e.g. `web1 sends hello`, `clock passes qrFirstTtl`. */
  readonly action: string;
  /** The frame sent, if the step sent one. */
  readonly frame?: unknown;
  /** The abstract command of a model case or property run, which `--replay` runs again. */
  readonly command?: unknown;
}

/** One entry of a case's wire log: a frame or close seen on one simulated peer's connection. */
export interface WireEntry {
  /** Index of the trace step during which it happened. */
  readonly step: number;
  readonly peer: string;
  /** `out`: the suite sent it to the target; `in`: the target sent it to the suite. */
  readonly dir: 'in' | 'out';
  readonly frame?: unknown;
  /** A frame that was not JSON (kept as text, truncated). */
  readonly text?: string;
  readonly close?: { readonly code: number; readonly reason: string };
}

/** Why a case failed: the step, what the model predicted, what the target did. */
export interface CaseError {
  readonly message: string;
  readonly step?: number;
  readonly expected?: unknown;
  readonly actual?: unknown;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  /** The spec section the case belongs to (one JUnit test suite per section), e.g. `7 Linking`. */
  readonly section: string;
  readonly kind: CaseKind;
  readonly clauses: readonly string[];
  /** The requirement checked, quoted from docs/protocol.md (h2spec's `Requirement`). */
  readonly requirement?: string;
  readonly status: Verdict;
  /** One line saying why, for every verdict but `passed`. */
  readonly reason?: string;
  readonly durationMs: number;
  readonly trace: readonly TraceStep[];
  readonly error?: CaseError;
  readonly wireLog: readonly WireEntry[];
  /** The seed that replays a property case. */
  readonly seed?: number;
  /** Protocol steps the case drove, when its trace shows only part of them (a property case keeps only the failing run). */
  readonly steps?: number;
  /** Path of the replayable trace file written for a failure, relative to the report directory. */
  readonly replayFile?: string;
}

export interface CoverageCount {
  readonly covered: number;
  readonly total: number;
  /** What was not covered (state ids, transition ids, clause ids). */
  readonly missed?: readonly string[];
}

export interface ClauseCoverage extends CoverageCount {
  /** Every clause of docs/protocol.md, with the cases that check it and their combined verdict. */
  readonly items: readonly {
    readonly id: string;
    readonly level: 'MUST' | 'SHOULD';
    readonly text: string;
    readonly cases: readonly string[];
    readonly status: 'passed' | 'failed' | 'unchecked' | 'skipped';
    /** Why no run over the wire can check it (such clauses are left out of covered/total). */
    readonly note?: string;
  }[];
}

export interface Coverage {
  readonly states: CoverageCount;
  readonly transitions: CoverageCount;
  readonly transitionPairs: CoverageCount;
  readonly clauses: ClauseCoverage;
}

/** A statechart with what the run covered, for the HTML drawing. */
export interface ChartCoverage {
  readonly role: Role;
  /** Chart id, e.g. `server.ref`. */
  readonly id: string;
  readonly initial: string;
  readonly states: readonly { readonly id: string; readonly final?: boolean; readonly covered: boolean }[];
  readonly transitions: readonly {
    readonly id: string;
    readonly from: string;
    readonly to: string;
    readonly event: string;
    readonly clauses: readonly string[];
    readonly covered: boolean;
  }[];
}

export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly nonStrict: number;
  readonly expectedFailures: number;
  readonly unexpectedPasses: number;
  readonly durationMs: number;
  /** Protocol steps driven against the target, and their rate. */
  readonly steps: number;
  readonly stepsPerSec: number;
}

export interface RunReport {
  readonly summary: RunSummary;
  /** `embedded reference` or the target URL. */
  readonly target: string;
  readonly role: Role;
  readonly seed: number;
  readonly strict: boolean;
  readonly coverage: Coverage;
  readonly cases: readonly CaseResult[];
  readonly charts: readonly ChartCoverage[];
  readonly generatedAt: string;
  readonly qrlinkVersion: string;
}
