/**
 * Counterexample shortening. With partial-order reduction the breadth-first search finds the
 * shortest trace within the reduced graph, which can be a few steps longer than the shortest in the
 * whole system (the reduction fixes which of two independent events runs first, and a detour the
 * full graph would skip may stay in). This drops steps from a trace as long as what is left is still
 * a run of the system (every step enabled where it is taken) that ends violating the same invariant,
 * until no single step can be dropped. Every trace it returns is replayed from the initial state.
 */
import type { Invariant } from '../invariants/invariants.js';
import type { SystemState } from '../system/state.js';
import { applyEvent, enabledEvents, type SysEvent, type SystemConfig } from '../system/step.js';

const sameEvent = (a: SysEvent, b: SysEvent): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The states `events` visits from `s0` (the first is `s0`), cut at the first state violating
 * `invariant`; `undefined` when some step is not enabled where it comes or no state violates it.
 */
export function replayToViolation(
  s0: SystemState,
  events: readonly SysEvent[],
  invariant: Invariant,
  cfg: SystemConfig,
): SystemState[] | undefined {
  const visited = [s0];
  let s = s0;
  if (invariant.check?.(s, cfg.bounds)) return visited;
  for (const ev of events) {
    if (!enabledEvents(s, cfg).some((e) => sameEvent(e, ev))) return undefined;
    const r = applyEvent(s, ev, cfg);
    if (r === undefined) return undefined;
    s = r.state;
    visited.push(s);
    if (invariant.check?.(s, cfg.bounds)) return visited;
  }
  return undefined;
}

/** The shortest trace found by dropping steps of `events` (a run from `s0` violating `invariant`). */
export function shortenTrace(
  s0: SystemState,
  events: readonly SysEvent[],
  invariant: Invariant,
  cfg: SystemConfig,
): SysEvent[] {
  let best = [...events];
  for (let i = best.length - 1; i >= 0; i--) {
    const candidate = [...best.slice(0, i), ...best.slice(i + 1)];
    const run = replayToViolation(s0, candidate, invariant, cfg);
    if (run === undefined) continue;
    best = candidate.slice(0, run.length - 1);
    i = best.length; // start over from the end of the shorter trace
  }
  return best;
}
