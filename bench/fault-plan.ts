/**
 * The seeded fault plan of the fault injector: for each frame, pass, drop or cut, as a pure function
 * of (seed, connection label, direction, frame index). The same seed gives the same decisions for the
 * same connection whatever the order in which connections and frames interleave, so a run is
 * reproduced by its seed and its labels.
 */

export type FaultAction = 'pass' | 'drop' | 'cut';
/** `up`: client -> server; `down`: server -> client. */
export type Direction = 'up' | 'down';

export interface FaultPlan {
  readonly seed: number;
  /** Fraction of frames faulted, 0..1: half of them dropped, half cutting the connection. */
  readonly rate: number;
}

/** A bad plan (rate outside 0..1, seed not a 32-bit integer). */
export class FaultPlanError extends RangeError {
  override name = 'FaultPlanError';
}

export function checkPlan(plan: FaultPlan): FaultPlan {
  if (!(plan.rate >= 0 && plan.rate <= 1)) throw new FaultPlanError(`fault rate must be in 0..1, got ${plan.rate}`);
  if (!Number.isInteger(plan.seed) || plan.seed < 0 || plan.seed > 0xffffffff) {
    throw new FaultPlanError(`fault seed must be an integer 0..2^32-1, got ${plan.seed}`);
  }
  return plan;
}

/** FNV-1a of a string, 32 bits. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit avalanche mix (murmur3 finaliser). */
function mix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for (seed, label, direction, index). */
export function faultDraw(seed: number, label: string, dir: Direction, index: number): number {
  const h = mix(mix(seed ^ fnv1a(`${label}/${dir}`)) ^ mix(index + 0x9e3779b9));
  return h / 0x100000000;
}

/** What happens to frame `index` (0-based) in direction `dir` of the connection `label`. */
export function faultFor(plan: FaultPlan, label: string, dir: Direction, index: number): FaultAction {
  const x = faultDraw(plan.seed, label, dir, index);
  if (x >= plan.rate) return 'pass';
  return x < plan.rate / 2 ? 'drop' : 'cut';
}
