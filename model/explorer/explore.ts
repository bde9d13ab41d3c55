/**
 * The explorer: breadth-first search over the composed system with canonical state keys, every
 * safety invariant checked in every reached state, liveness checked on the explored graph, and the
 * shortest counterexample trace (BFS order) as readable steps.
 */
import { invariants, safetyInvariants } from '../invariants/invariants.js';
import { type Bounds, defaultBounds } from '../system/bounds.js';
import { type FaultId, faultMask } from '../system/faults.js';
import type { SystemState } from '../system/state.js';
import {
  applyEvent,
  describeEvent,
  enabledEvents,
  initialState,
  persistentEvents,
  type SysEvent,
  type SystemConfig,
  systemConfig,
} from '../system/step.js';
import { replayToViolation, shortenTrace } from './shorten.js';
import { StateKeyEncoder } from './state-key.js';

export interface ExploreOptions {
  readonly bounds?: Partial<Bounds>;
  readonly faults?: readonly FaultId[];
  /** Partial-order reduction (default true). Off: every interleaving, traces are BFS-shortest. */
  readonly reduce?: boolean;
  /**
   * Apply the cycle proviso from the start. By default it is applied only when the reduced graph
   * turns out to have a cycle (the bounded system has none while every loop consumes a budget).
   */
  readonly proviso?: boolean;
  /** Stop after this many states (default 2,000,000). */
  readonly maxStates?: number;
  /** Expand states only up to this BFS depth (every state at most this many steps away is checked
   * against the safety invariants; liveness is then not checked). Default: no limit. */
  readonly maxDepth?: number;
}

/**
 * A violation as the JSON output shows it: `{invariant, trace}`. `detail` (what is wrong in the last
 * state) is kept off the JSON (non-enumerable) and printed by `formatExploreResult`.
 */
export interface Violation {
  readonly invariant: string;
  readonly trace: string[];
  readonly detail?: string;
}

function violation(invariant: string, detail: string, trace: string[]): Violation {
  const v = { invariant, trace };
  Object.defineProperty(v, 'detail', { value: detail, enumerable: false });
  return v;
}

export interface ExploreResult {
  readonly roles: ['phone', 'web', 'server'];
  readonly states: number;
  readonly transitions: number;
  readonly durationMs: number;
  readonly statesPerSec: number;
  readonly bounds: Bounds;
  readonly invariants: { id: string; statement: string; clauses: readonly string[]; checked: number }[];
  readonly violations: Violation[];
  /**
   * True when the whole bounded space was explored (no `maxStates` / `maxDepth` cut and no safety
   * violation stopping the search); liveness is checked only then.
   */
  readonly complete: boolean;
  /**
   * How the interleavings were explored (printed by `formatExploreResult`, kept off the JSON):
   * `none`: all of them; `acyclic`: persistent sets, the reduced graph had no cycle so no proviso
   * was needed; `proviso`: persistent sets with the cycle proviso.
   */
  readonly reduction?: 'none' | 'acyclic' | 'proviso';
}

/**
 * The canonical key of a state: its JSON (every list in it is kept in a canonical order). The
 * explorer uses the equivalent, cheaper `StateKeyEncoder` (state-key.ts).
 */
export function stateKey(s: SystemState): string {
  return JSON.stringify(s);
}

const restWeb = new Set(['idle', 'linked', 'revoked', 'loggedOut', 'ended']);
const restPhone = new Set(['offline', 'online']);

/** A quiet state: nothing in flight, no timer running, no client mid-way. */
export function isQuiet(s: SystemState): boolean {
  if (s.chans.some((c) => c.frames.length > 0)) return false;
  if (!s.webs.every((w) => restWeb.has(w.value))) return false;
  if (!s.phones.every((p) => restPhone.has(p.value))) return false;
  return s.server.conns.every(
    (c) => c.state.value === 'closed' || c.state.value === 'attached' || c.state.value === 'admitted',
  );
}

const attemptRunning = (s: SystemState) =>
  s.server.conns.some((c) => ['claimed', 'offered', 'confirmed'].includes(c.state.value));

/** A successor state and its key. */
interface Successor {
  readonly state: SystemState;
  readonly key: string;
}

/**
 * Breadth-first search of the bounded system. With reduction, the persistent sets are first used
 * without a cycle proviso: the proviso exists only to stop an event being ignored around a cycle,
 * and the budgets make most bounded systems acyclic. If the reduced graph then has a cycle, the
 * search runs again with the proviso (`search(options, true)`), so the result is sound either way.
 */
export function explore(options: ExploreOptions = {}): ExploreResult {
  const t0 = performance.now();
  const first = search(options, options.proviso ?? false);
  const r = first.cyclic && (options.reduce ?? true) ? search(options, true).result : first.result;
  const durationMs = Math.round(performance.now() - t0);
  const result = { ...r, durationMs, statesPerSec: Math.round((r.states / Math.max(1, durationMs)) * 1000) };
  const reduction = !(options.reduce ?? true) ? 'none' : options.proviso || first.cyclic ? 'proviso' : 'acyclic';
  Object.defineProperty(result, 'reduction', { value: reduction, enumerable: false });
  return result;
}

/** True when the graph `succ` (over `n` states; missing rows: not expanded) has a cycle (Kahn). */
export function hasCycle(n: number, succ: readonly (readonly number[] | undefined)[]): boolean {
  const indegree = new Int32Array(n);
  for (const out of succ) if (out) for (const j of out) indegree[j] = (indegree[j] as number) + 1;
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) ready.push(i);
  let removed = 0;
  while (ready.length > 0) {
    const i = ready.pop() as number;
    removed++;
    for (const j of succ[i] ?? []) {
      indegree[j] = (indegree[j] as number) - 1;
      if (indegree[j] === 0) ready.push(j);
    }
  }
  return removed < n;
}

function search(options: ExploreOptions, proviso: boolean): { result: ExploreResult; cyclic: boolean } {
  const bounds: Bounds = { ...defaultBounds, ...(options.bounds ?? {}) };
  const cfg = systemConfig(bounds, faultMask(options.faults ?? []));
  const reduce = options.reduce ?? true;
  const maxStates = options.maxStates ?? 2_000_000;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  let cut = false;
  const t0 = performance.now();

  const s0 = initialState(cfg);
  const states: SystemState[] = [s0];
  const parent: number[] = [-1];
  const via: (SysEvent | null)[] = [null];
  const depth: number[] = [0];
  const keys = new StateKeyEncoder();
  const index = new Map<string, number>([[keys.key(s0), 0]]);
  const succ: number[][] = [];
  const firstBad = new Map<string, { at: number; detail: string }>();
  const checked = new Map<string, number>();
  let transitions = 0;
  /** The successor of `s` by each event of `evs`; those of `done` (a subsequence) are `known`. */
  const successors = (
    s: SystemState,
    evs: readonly SysEvent[],
    done: readonly SysEvent[] | null,
    known: readonly (Successor | null)[] | null,
  ): (Successor | null)[] => {
    const list: (Successor | null)[] = [];
    let k = 0;
    for (const ev of evs) {
      if (done !== null && known !== null && done[k] === ev) {
        list.push(known[k] ?? null);
        k++;
        continue;
      }
      const r = applyEvent(s, ev, cfg);
      list.push(r ? { state: r.state, key: keys.key(r.state) } : null);
    }
    return list;
  };
  let stopDepth = Number.POSITIVE_INFINITY;

  // every safety invariant is checked in every reached state (counted once at the end).
  let checkedStates = 0;
  const checkState = (i: number) => {
    const s = states[i] as SystemState;
    checkedStates++;
    for (const inv of safetyInvariants) {
      if (firstBad.size > 0 && firstBad.has(inv.id)) continue;
      const bad = inv.check?.(s, bounds);
      if (bad) {
        firstBad.set(inv.id, { at: i, detail: bad });
        stopDepth = Math.min(stopDepth, depth[i] as number);
      }
    }
  };
  checkState(0);

  for (let i = 0; i < states.length; i++) {
    const d = depth[i] as number;
    if (d >= stopDepth) break;
    if (states.length >= maxStates) break;
    if (d >= maxDepth) {
      cut = true;
      break;
    }
    const s = states[i] as SystemState;
    const all = enabledEvents(s, cfg);
    let evs = reduce ? persistentEvents(s, all, cfg) : all;
    // successors of `evs` (null: not enabled); a persistent subset with no successor at all is
    // expanded to every event, reusing the successors already computed. The cycle proviso (second
    // search only): states are expanded in index order, so on every cycle the state expanded last
    // has an edge back to a state expanded before it (or to itself); a persistent subset with an
    // edge to a state already expanded is expanded to every event. Then every cycle of the
    // reduced graph holds a fully expanded state, and no event is ignored around one.
    let next = successors(s, evs, null, null);
    const back = (x: Successor | null) => x !== null && (index.get(x.key) ?? i + 1) <= i;
    if (evs !== all && (next.every((x) => x === null) || (proviso && next.some(back)))) {
      next = successors(s, all, evs, next);
      evs = all;
    }
    const out: number[] = [];
    for (let e = 0; e < evs.length; e++) {
      const x = next[e];
      if (x === null || x === undefined) continue;
      transitions++;
      let j = index.get(x.key);
      if (j === undefined) {
        j = states.length;
        index.set(x.key, j);
        states.push(x.state);
        parent.push(i);
        via.push(evs[e] as SysEvent);
        depth.push(d + 1);
        checkState(j);
      }
      out.push(j);
    }
    succ[i] = out;
  }

  for (const inv of safetyInvariants) checked.set(inv.id, checkedStates);
  const violations: Violation[] = [];
  const minDepth = Math.min(...[...firstBad.values()].map((b) => depth[b.at] as number));
  for (const inv of safetyInvariants) {
    const b = firstBad.get(inv.id);
    if (!b || depth[b.at] !== minDepth) continue;
    if (!reduce) {
      violations.push(violation(inv.id, b.detail, traceTo(b.at, states, parent, via)));
      continue;
    }
    // the reduced graph's shortest trace, with every step dropped that the violation does not need
    const events = shortenTrace(s0, eventsTo(b.at, parent, via), inv, cfg);
    const run = replayToViolation(s0, events, inv, cfg) as SystemState[];
    const last = run[run.length - 1] as SystemState;
    violations.push(
      violation(
        inv.id,
        inv.check?.(last, bounds) ?? b.detail,
        events.map((ev, k) => describeEvent(run[k] as SystemState, ev)),
      ),
    );
  }
  const complete = violations.length === 0 && states.length < maxStates && !cut;
  if (complete) {
    for (const v of liveness(states, succ, cfg, keys))
      violations.push(violation(v.invariant, v.detail, traceTo(v.at, states, parent, via)));
    for (const inv of invariants) if (inv.kind === 'liveness') checked.set(inv.id, states.length);
  }

  const durationMs = Math.round(performance.now() - t0);
  const cyclic = reduce && !proviso && hasCycle(states.length, succ);
  const result: ExploreResult = {
    roles: ['phone', 'web', 'server'],
    states: states.length,
    transitions,
    durationMs,
    statesPerSec: Math.round((states.length / Math.max(1, durationMs)) * 1000),
    bounds,
    invariants: invariants.map((inv) => ({
      id: inv.id,
      statement: inv.statement,
      clauses: inv.clauses,
      checked: checked.get(inv.id) ?? 0,
    })),
    violations,
    complete,
  };
  return { result, cyclic };
}

function eventsTo(at: number, parent: number[], via: (SysEvent | null)[]): SysEvent[] {
  const path: SysEvent[] = [];
  for (let i = at; i > 0; i = parent[i] as number) path.unshift(via[i] as SysEvent);
  return path;
}

function traceTo(at: number, states: SystemState[], parent: number[], via: (SysEvent | null)[]): string[] {
  const path: number[] = [];
  for (let i = at; i > 0; i = parent[i] as number) path.unshift(i);
  return path.map((i) => describeEvent(states[parent[i] as number] as SystemState, via[i] as SysEvent));
}

/** Liveness on the explored graph; each violation names the first (BFS-shallowest) bad state. */
function liveness(
  states: SystemState[],
  succ: number[][],
  cfg: SystemConfig,
  keys: StateKeyEncoder,
): { invariant: string; detail: string; at: number }[] {
  const found: { invariant: string; detail: string; at: number }[] = [];
  const pred: number[][] = states.map(() => []);
  succ.forEach((out, i) => {
    for (const j of out) (pred[j] as number[]).push(i);
  });
  const canReach = (goal: (s: SystemState) => boolean): Uint8Array => {
    const ok = new Uint8Array(states.length);
    const stack: number[] = [];
    states.forEach((s, i) => {
      if (goal(s)) {
        ok[i] = 1;
        stack.push(i);
      }
    });
    while (stack.length) {
      const j = stack.pop() as number;
      for (const i of pred[j] as number[])
        if (!ok[i]) {
          ok[i] = 1;
          stack.push(i);
        }
    }
    return ok;
  };
  const quiet = canReach(isQuiet);
  const stuck = quiet.indexOf(0);
  if (stuck >= 0) found.push({ invariant: 'NO_STUCK', detail: 'no quiet state is reachable from here', at: stuck });
  const ends = canReach((s) => !attemptRunning(s));
  const hung = states.findIndex((s, i) => attemptRunning(s) && !ends[i]);
  if (hung >= 0)
    found.push({ invariant: 'ATTEMPTS_END', detail: 'a linking attempt can never end from here', at: hung });
  const fairMemo = new Map<string, boolean>();
  const unlinked = states.findIndex((s) => !approvedLinks(s, cfg, keys, fairMemo));
  if (unlinked >= 0)
    found.push({
      invariant: 'APPROVED_CLAIM_LINKS',
      detail: 'fair delivery from here does not link the approved claim',
      at: unlinked,
    });
  return found;
}

/** From a state where the server forwarded an approval (ref offered, phone approving), deliveries alone link the tab. */
function approvedLinks(s: SystemState, cfg: SystemConfig, keys: StateKeyEncoder, memo: Map<string, boolean>): boolean {
  const offered = s.server.conns.find((c) => c.state.value === 'offered');
  if (!offered || !s.phones.some((p) => p.value === 'approving')) return true;
  // a live ref: its web connection is still open on the client side.
  const tab = s.webs.findIndex((w) => `${w.context.tab}${w.context.conn}` === offered.id && w.value !== 'idle');
  if (tab < 0) return true;
  const go = (x: SystemState): boolean => {
    const k = keys.key(x);
    const m = memo.get(k);
    if (m !== undefined) return m;
    const next = enabledEvents(x, cfg).filter((e) => e.kind === 'deliver');
    let ok: boolean;
    if (next.length === 0) ok = x.webs[tab]?.value === 'linked';
    else
      ok = next.every((e) => {
        const r = applyEvent(x, e, cfg);
        return !r || go(r.state);
      });
    memo.set(k, ok);
    return ok;
  };
  return go(s);
}
