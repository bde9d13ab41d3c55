/**
 * One chart definition, two runners: `defineChart` builds the XState v5 machine (the source of the
 * docs, of `xstate/graph` paths and of the unit tests) and a compiled step (`stepChart`) that the
 * explorer runs. The compiled step reads the machine's own config (`machine.config.states`) and the
 * very guard/effect functions handed to `setup()`, so there is no second copy of the logic;
 * `model/explorer/agreement.test.ts` checks that both runners agree on every explored transition.
 *
 * Charts are flat (no nesting, no parallel regions), time is explicit `CLOCK.*` events, and every
 * transition carries `meta: {clauses}` with the clause IDs of docs/protocol.md it implements.
 */
import { type AnyStateMachine, enqueueActions, setup } from 'xstate';

/** A guard: a pure predicate over context and event. */
export type Guard<C, E> = (context: C, event: E) => boolean;
/** An effect: a pure function returning the next context and pushing emitted events to `out`. */
export type Effect<C, E, O> = (context: C, event: E, out: O[]) => C;

/** One transition of a chart. */
export interface TransitionDef<G extends string, A extends string> {
  readonly target?: string;
  /** One guard, or several that must all hold (named `a&b` in the machine). */
  readonly guard?: G | readonly G[];
  readonly actions?: readonly A[];
  readonly clauses: readonly string[];
  readonly description?: string;
}

/** A chart: flat states, each with its transitions by event type. */
export interface ChartDef<C, E extends { type: string }, O, G extends string, A extends string> {
  readonly id: string;
  readonly initial: string;
  readonly context: C;
  readonly states: Readonly<
    Record<
      string,
      {
        readonly description?: string;
        readonly final?: boolean;
        readonly on?: Readonly<Record<string, readonly TransitionDef<G, A>[]>>;
      }
    >
  >;
  readonly guards: Readonly<Record<G, Guard<C, E>>>;
  readonly effects: Readonly<Record<A, Effect<C, E, O>>>;
}

/** A compiled chart snapshot: the state name and the context. */
export interface ChartState<C> {
  readonly value: string;
  readonly context: C;
}

/** The result of one compiled step, or `undefined` when no transition handles the event. */
export interface ChartStep<C, O> {
  readonly state: ChartState<C>;
  readonly out: O[];
  readonly clauses: readonly string[];
  /** `${state} --${event}--> ${target}`: the transition's name (coverage key). */
  readonly transition: string;
}

interface CompiledTransition<C, E, O> {
  readonly target: string | undefined;
  readonly guard: Guard<C, E> | undefined;
  readonly effects: readonly Effect<C, E, O>[];
  readonly clauses: readonly string[];
  readonly name: string;
}

/** A chart compiled for the explorer, together with its XState machine. */
export interface Chart<C, E extends { type: string }, O> {
  readonly id: string;
  readonly machine: AnyStateMachine;
  readonly initial: ChartState<C>;
  /** Compiled table: state -> event type -> transitions in document order. */
  readonly table: ReadonlyMap<string, ReadonlyMap<string, readonly CompiledTransition<C, E, O>[]>>;
  /** Which states are final. */
  readonly finals: ReadonlySet<string>;
}

/** Builds the XState machine and the compiled step table from one definition. */
export function defineChart<
  C extends object,
  E extends { type: string },
  O extends { type: string },
  G extends string,
  A extends string,
>(def: ChartDef<C, E, O, G, A>): Chart<C, E, O> {
  const guards: Record<string, (args: { context: C; event: E }) => boolean> = {};
  for (const [name, g] of Object.entries(def.guards) as [string, Guard<C, E>][]) {
    guards[name] = ({ context, event }) => g(context, event);
  }
  const actions: Record<string, ReturnType<typeof enqueueActions>> = {};
  for (const [name, f] of Object.entries(def.effects) as [string, Effect<C, E, O>][]) {
    actions[name] = enqueueActions(({ context, event, enqueue }) => {
      const out: O[] = [];
      const next = f(context as C, event as E, out);
      if (next !== context) enqueue.assign(() => next as Record<string, unknown>);
      for (const o of out) enqueue.emit(o as never);
    });
  }
  const states: Record<string, unknown> = {};
  const allGuards: Record<string, Guard<C, E>> = { ...(def.guards as Record<string, Guard<C, E>>) };
  for (const [name, s] of Object.entries(def.states)) {
    const on: Record<string, unknown[]> = {};
    for (const [ev, ts] of Object.entries(s.on ?? {})) {
      on[ev] = ts.map((t) => ({
        ...(t.target ? { target: t.target } : {}),
        ...(t.guard ? { guard: guardName(t.guard, allGuards, guards) } : {}),
        actions: [...(t.actions ?? [])],
        meta: { clauses: [...t.clauses] },
        ...(t.description ? { description: t.description } : {}),
      }));
    }
    states[name] = {
      ...(s.description ? { description: s.description } : {}),
      ...(s.final ? { type: 'final' } : {}),
      on,
    };
  }
  const machine = setup({
    types: { context: {} as C, events: {} as E, emitted: {} as O },
    guards: guards as never,
    actions: actions as never,
  }).createMachine({
    id: def.id,
    initial: def.initial,
    context: def.context,
    states,
  } as never) as unknown as AnyStateMachine;
  return {
    id: def.id,
    machine,
    initial: { value: def.initial, context: def.context },
    table: compile(machine, allGuards, def.effects as Record<string, Effect<C, E, O>>),
    finals: finalsOf(def),
  };
}

/** Names a guard; a conjunction `[a, b]` becomes the guard `a&b`, registered in both runners. */
function guardName<C, E>(
  g: string | readonly string[],
  all: Record<string, Guard<C, E>>,
  xs: Record<string, (args: { context: C; event: E }) => boolean>,
): string {
  if (typeof g === 'string') return g;
  const name = g.join('&');
  if (!all[name]) {
    const parts = g.map((p) => all[p] as Guard<C, E>);
    const f: Guard<C, E> = (c, e) => parts.every((p) => p(c, e));
    all[name] = f;
    xs[name] = ({ context, event }) => f(context, event);
  }
  return name;
}

function finalsOf(def: { states: Readonly<Record<string, { final?: boolean }>> }): Set<string> {
  return new Set(
    Object.entries(def.states)
      .filter(([, s]) => s.final)
      .map(([n]) => n),
  );
}

/** Reads the transitions back from `machine.config` (the single source) and binds the functions. */
function compile<C, E extends { type: string }, O>(
  machine: AnyStateMachine,
  guards: Record<string, Guard<C, E>>,
  effects: Record<string, Effect<C, E, O>>,
): Map<string, Map<string, CompiledTransition<C, E, O>[]>> {
  const table = new Map<string, Map<string, CompiledTransition<C, E, O>[]>>();
  const config = machine.config as { states: Record<string, { on?: Record<string, ConfigTransition[]> }> };
  for (const [state, node] of Object.entries(config.states)) {
    const byEvent = new Map<string, CompiledTransition<C, E, O>[]>();
    for (const [ev, ts] of Object.entries(node.on ?? {})) {
      byEvent.set(
        ev,
        ts.map((t) => ({
          target: t.target,
          guard: t.guard ? guards[t.guard] : undefined,
          effects: (t.actions ?? []).map((a) => effects[a] as Effect<C, E, O>),
          clauses: t.meta.clauses,
          name: `${state} --${ev}${t.guard ? ` [${t.guard}]` : ''}--> ${t.target ?? state}`,
        })),
      );
    }
    table.set(state, byEvent);
  }
  return table;
}

interface ConfigTransition {
  target?: string;
  guard?: string;
  actions?: string[];
  meta: { clauses: string[] };
  description?: string;
}

/** Sees every compiled step (the agreement test replays each one through XState). */
export type StepObserver = (
  chart: Chart<unknown, { type: string }, unknown>,
  state: ChartState<unknown>,
  event: { type: string },
  result: ChartStep<unknown, unknown> | undefined,
) => void;
let observer: StepObserver | null = null;

/** Installs (or, with null, removes) the step observer. */
export function observeSteps(f: StepObserver | null): void {
  observer = f;
}

/** Whether a step observer is installed (callers that cache steps must then run every step). */
export function observingSteps(): boolean {
  return observer !== null;
}

/** Runs one event through the compiled chart: the first transition whose guard holds wins. */
export function stepChart<C, E extends { type: string }, O>(
  chart: Chart<C, E, O>,
  state: ChartState<C>,
  event: E,
): ChartStep<C, O> | undefined {
  const r = compiledStep(chart, state, event);
  if (observer) observer(chart as never, state, event, r as never);
  return r;
}

function compiledStep<C, E extends { type: string }, O>(
  chart: Chart<C, E, O>,
  state: ChartState<C>,
  event: E,
): ChartStep<C, O> | undefined {
  const ts = chart.table.get(state.value)?.get(event.type);
  if (!ts) return undefined;
  for (const t of ts) {
    if (t.guard && !t.guard(state.context, event)) continue;
    const out: O[] = [];
    let context = state.context;
    for (const f of t.effects) context = f(context, event, out);
    return { state: { value: t.target ?? state.value, context }, out, clauses: t.clauses, transition: t.name };
  }
  return undefined;
}

/** One transition of a chart as docs and coverage list it. */
export interface ChartTransition {
  readonly name: string;
  readonly from: string;
  readonly event: string;
  readonly to: string;
  readonly guard?: string;
  readonly clauses: readonly string[];
  /** `fault <ID>` marks a transition that exists only to plant a fault in the model. */
  readonly description?: string;
}

/** Whether a transition exists only under a planted fault (not a goal for a conformant target). */
export function isFaultOnly(t: Pick<ChartTransition, 'description'>): boolean {
  return t.description?.startsWith('fault ') ?? false;
}

/** Every transition of a chart with its clauses, for docs and coverage. */
export function transitionsOf(chart: Chart<unknown, { type: string }, unknown>): ChartTransition[] {
  const config = chart.machine.config as { states: Record<string, { on?: Record<string, ConfigTransition[]> }> };
  const list: ChartTransition[] = [];
  for (const [from, node] of Object.entries(config.states)) {
    for (const [event, ts] of Object.entries(node.on ?? {})) {
      for (const t of ts) {
        list.push({
          name: `${from} --${event}${t.guard ? ` [${t.guard}]` : ''}--> ${t.target ?? from}`,
          from,
          event,
          to: t.target ?? from,
          ...(t.guard ? { guard: t.guard } : {}),
          clauses: t.meta.clauses,
          ...(t.description ? { description: t.description } : {}),
        });
      }
    }
  }
  return list;
}
