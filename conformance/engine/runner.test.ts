import { describe, expect, it } from 'vitest';
import { defineChart, transitionsOf } from '../../model/chart/chart.js';
import type { Clause } from '../../model/protocol/clauses.js';
import { type Config, type ConfigPatch, defaultConfig } from '../../model/protocol/config.js';
import { runPassed } from '../report/run-outcome.js';
import type { Verdict } from '../report/run-report.js';
import { type ControlClient, type Target, TargetError } from '../target/target.js';
import { type Case, type CaseContext, CaseFailure, CaseSkip } from './case.js';
import type { AnyChart } from './run-coverage.js';
import { type CaseTimers, NoCaseMatched, type RunOptions, runSuite } from './runner.js';
import { suiteConfig } from './suite-config.js';

/** A control endpoint that records what the runner asked of it. */
function fakeControl(calls: string[]): ControlClient {
  return {
    reset: async () => {
      calls.push('reset');
    },
    advance: async (ms) => ms,
    sms: async () => null,
    config: async (set?: ConfigPatch) => {
      calls.push(`config ${JSON.stringify(set)}`);
      return { ...defaultConfig, ...set } as Config;
    },
    stats: async () => {
      throw new Error('not used');
    },
    close: async () => {},
  };
}

function fakeTarget(control: ControlClient | undefined): Target {
  return {
    description: 'fake target',
    wsUrl: 'ws://127.0.0.1:9',
    control,
    ...(control === undefined ? { controlMissing: 'no control token (--control-token or QRLINK_CONTROL_TOKEN)' } : {}),
    openPeer: async () => {
      throw new TargetError('the fake target has no peers');
    },
    close: async () => {},
  };
}

function fakeCase(id: string, run: (ctx: CaseContext) => Promise<void> | void, extra: Partial<Case> = {}): Case {
  return {
    id,
    title: `case ${id}`,
    section: '7 Linking',
    kind: 'check',
    role: 'server',
    clauses: [],
    level: 'MUST',
    needs: [],
    run: async (ctx) => run(ctx),
    ...extra,
  };
}

const clauses: Clause[] = [
  { id: 'A-1', area: 'A', number: 1, level: 'MUST', text: 'The server MUST do one.', section: 'A' },
  { id: 'A-2', area: 'A', number: 2, level: 'MUST', text: 'The server MUST do two.', section: 'A' },
  { id: 'A-3', area: 'A', number: 3, level: 'MUST', text: 'The server MUST do three.', section: 'A' },
  { id: 'A-4', area: 'A', number: 4, level: 'MUST', text: 'The server MUST do four.', section: 'A' },
  { id: 'A-5', area: 'A', number: 5, level: 'SHOULD', text: 'The web client SHOULD do five.', section: 'A' },
];

function run(cases: Case[], extra: Partial<RunOptions> = {}) {
  return runSuite({
    target: fakeTarget(fakeControl([])),
    role: 'server',
    cases,
    seed: 7,
    clauses,
    now: () => 0,
    date: () => new Date('2026-11-26T00:00:00Z'),
    ...extra,
  });
}

function statuses(report: Awaited<ReturnType<typeof runSuite>>): Record<string, Verdict> {
  return Object.fromEntries(report.cases.map((c) => [c.id, c.status]));
}

describe('runSuite verdicts', () => {
  it('maps a return to passed, CaseFailure to failed (non-strict for SHOULD), CaseSkip to skipped, anything else to an internal error', async () => {
    const report = await run([
      fakeCase('ok', () => {}),
      fakeCase('bad', () => {
        throw new CaseFailure('expected link.error expired_ref, got link.claimed', 3, { t: 'link.error' }, { t: 'x' });
      }),
      fakeCase(
        'should',
        () => {
          throw new CaseFailure('no Origin check');
        },
        { level: 'SHOULD' },
      ),
      fakeCase('skip', () => {
        throw new CaseSkip('the target has no SMS gateway');
      }),
      fakeCase('bug', () => {
        throw new TypeError('x is undefined');
      }),
    ]);
    expect(statuses(report)).toEqual({
      ok: 'passed',
      bad: 'failed',
      should: 'non-strict',
      skip: 'skipped',
      bug: 'failed',
    });
    const [ok, bad, should, skip, bug] = report.cases;
    expect(ok?.reason).toBeUndefined();
    expect(bad?.reason).toBe('expected link.error expired_ref, got link.claimed');
    expect(bad?.error).toEqual({
      message: 'expected link.error expired_ref, got link.claimed',
      step: 3,
      expected: { t: 'link.error' },
      actual: { t: 'x' },
    });
    expect(should?.reason).toBe('no Origin check');
    expect(skip?.reason).toBe('the target has no SMS gateway');
    expect(bug?.reason).toBe('internal error: x is undefined');
    expect(report.summary).toMatchObject({ passed: 1, failed: 2, skipped: 1, nonStrict: 1 });
    expect(runPassed(report)).toBe(false);
  });

  it('a missed SHOULD fails the run only with --strict', async () => {
    const cases = [
      fakeCase('ok', () => {}),
      fakeCase(
        'should',
        () => {
          throw new CaseFailure('missed');
        },
        { level: 'SHOULD' },
      ),
    ];
    const lax = await run(cases);
    const strict = await run(cases, { strict: true });
    expect(lax.strict).toBe(false);
    expect(runPassed(lax)).toBe(true);
    expect(strict.strict).toBe(true);
    expect(runPassed(strict)).toBe(false);
  });

  it('[CTL-3] [CTL-6] resets the target and sets the suite configuration before every case', async () => {
    const calls: string[] = [];
    const seen: { control: boolean; config: Config }[] = [];
    const record = (ctx: CaseContext) => {
      calls.push('run');
      seen.push({ control: ctx.control !== undefined, config: ctx.config });
    };
    await run([fakeCase('a', record), fakeCase('b', record, { needs: ['control'] })], {
      target: fakeTarget(fakeControl(calls)),
    });
    const configCall = `config ${JSON.stringify(suiteConfig)}`;
    expect(calls).toEqual(['reset', configCall, 'run', 'reset', configCall, 'run']);
    // Only a case that declared the need gets the control client.
    expect(seen.map((s) => s.control)).toEqual([false, true]);
    expect(seen[0]?.config).toEqual(suiteConfig);
  });

  it('skips a case that needs control on a target without it, with the reason, and runs the others with the defaults', async () => {
    let ran = 0;
    let config: Config | undefined;
    const report = await run(
      [
        fakeCase(
          'needs',
          () => {
            ran++;
          },
          { needs: ['control'] },
        ),
        fakeCase('plain', (ctx) => {
          config = ctx.config;
        }),
      ],
      { target: fakeTarget(undefined) },
    );
    expect(ran).toBe(0);
    expect(statuses(report)).toEqual({ needs: 'skipped', plain: 'passed' });
    expect(report.cases[0]?.reason).toBe(
      'needs the control endpoint: no control token (--control-token or QRLINK_CONTROL_TOKEN)',
    );
    expect(config).toEqual(defaultConfig);
  });

  it('skips a case that needs the driver endpoint on a subject that lacks it, with the reason', async () => {
    let ran = 0;
    const target: Target = { ...fakeTarget(undefined), missing: () => 'a browser page has no driver endpoint' };
    const report = await run(
      [
        fakeCase(
          'drv',
          () => {
            ran++;
          },
          { needs: ['driver'] },
        ),
        fakeCase('plain', () => {}),
      ],
      { target },
    );
    expect(ran).toBe(0);
    expect(statuses(report)).toEqual({ drv: 'skipped', plain: 'passed' });
    expect(report.cases[0]?.reason).toBe('needs the driver endpoint: a browser page has no driver endpoint');
  });

  it('applies --expect-failures both ways: failed -> expected-failure, passed -> unexpected-pass', async () => {
    const report = await run(
      [
        fakeCase('known-bad', () => {
          throw new CaseFailure('queue_full missing');
        }),
        fakeCase('fixed', () => {}),
        fakeCase('skip', () => {
          throw new CaseSkip('no control');
        }),
        fakeCase('other', () => {}),
      ],
      {
        expectFailures: new Map([
          ['known-bad', 'custody bound not implemented'],
          ['fixed', 'idle limit missing'],
          ['skip', 'listed but skipped'],
        ]),
      },
    );
    expect(statuses(report)).toEqual({
      'known-bad': 'expected-failure',
      fixed: 'unexpected-pass',
      skip: 'skipped',
      other: 'passed',
    });
    expect(report.cases[0]?.reason).toBe('queue_full missing (expected: custody bound not implemented)');
    expect(report.cases[0]?.error?.message).toBe('queue_full missing');
    expect(report.cases[1]?.reason).toBe('listed in --expect-failures ("idle limit missing") but passed');
    expect(report.summary).toMatchObject({ passed: 1, failed: 0, expectedFailures: 1, unexpectedPasses: 1 });
    expect(runPassed(report)).toBe(true);
  });

  it('a TargetError (the target went away) aborts the run: later cases do not run', async () => {
    let later = false;
    const cases = [
      fakeCase('lost', () => {
        throw new TargetError('cannot reach ws://127.0.0.1:9: ECONNREFUSED');
      }),
      fakeCase('later', () => {
        later = true;
      }),
    ];
    await expect(run(cases)).rejects.toThrow(TargetError);
    expect(later).toBe(false);
  });

  it('refuses a run that would execute no case, and applies --filter on id or title, ignoring case', async () => {
    const cases = [
      fakeCase('LINK-2/1', () => {}, { title: 'Claims a ref after its TTL' }),
      fakeCase('QR-1/1', () => {}),
    ];
    await expect(run(cases, { filter: 'nothing-like-this' })).rejects.toThrow(NoCaseMatched);
    await expect(run(cases, { filter: 'nothing-like-this' })).rejects.toThrow(
      'no case matched --filter nothing-like-this',
    );
    await expect(run([])).rejects.toThrow('no case matched');
    expect((await run(cases, { filter: 'link-2' })).cases.map((c) => c.id)).toEqual(['LINK-2/1']);
    expect((await run(cases, { filter: 'AFTER ITS ttl' })).cases.map((c) => c.id)).toEqual(['LINK-2/1']);
  });

  it('fails a case that outlives its time limit', async () => {
    // The limit passes as soon as it is set, while the case waits forever.
    const limits: number[] = [];
    const timers: CaseTimers = {
      set: (fire, ms) => {
        limits.push(ms);
        queueMicrotask(fire);
        return ms;
      },
      clear: () => {},
    };
    const never = fakeCase('hangs', (ctx) => {
      ctx.step('web1', 'web1 waits forever');
      return new Promise<void>(() => {});
    });
    const report = await run([never], { caseTimeoutMs: 5000, timers });
    expect(report.cases[0]?.status).toBe('failed');
    expect(report.cases[0]?.reason).toBe('the case did not finish within 5000 ms');
    expect(report.cases[0]?.trace).toHaveLength(1);
    expect(limits).toEqual([5000]);
  });
});

describe('runSuite traces, timing and seeds', () => {
  it('keeps each case its own trace and wire log, counts steps and rates them on the injected clock', async () => {
    let t = 1000;
    const report = await run(
      [
        fakeCase('two-steps', (ctx) => {
          expect(ctx.step('web1', 'web1 sends hello', { t: 'hello' })).toBe(0);
          ctx.wire.entries.push({ step: ctx.wire.step, peer: 'web1', dir: 'out', frame: { t: 'hello' } });
          expect(ctx.step('clock', 'clock passes 60000 ms', undefined, { advance: 60000 })).toBe(1);
          ctx.wire.entries.push({ step: ctx.wire.step, peer: 'web1', dir: 'in', frame: { t: 'qr' } });
          t += 200;
        }),
        fakeCase('one-step', (ctx) => {
          ctx.step('phone1', 'phone1 registers');
          t += 300;
        }),
      ],
      { now: () => t },
    );
    const [a, b] = report.cases;
    expect(a?.trace).toEqual([
      { index: 0, actor: 'web1', action: 'web1 sends hello', frame: { t: 'hello' } },
      { index: 1, actor: 'clock', action: 'clock passes 60000 ms', command: { advance: 60000 } },
    ]);
    expect(a?.wireLog.map((w) => [w.step, w.dir])).toEqual([
      [0, 'out'],
      [1, 'in'],
    ]);
    expect(b?.wireLog).toEqual([]);
    expect(a?.durationMs).toBe(200);
    expect(b?.durationMs).toBe(300);
    expect(report.summary).toMatchObject({ steps: 3, durationMs: 500, stepsPerSec: 6 });
    expect(report).toMatchObject({ target: 'fake target', role: 'server', seed: 7 });
    expect(report.generatedAt).toBe('2026-11-26T00:00:00.000Z');
  });

  it("gives a case its own seed when it has one, else the run's", async () => {
    const seeds: number[] = [];
    const report = await run([
      fakeCase('run-seed', (ctx) => {
        seeds.push(ctx.seed);
      }),
      fakeCase(
        'own-seed',
        (ctx) => {
          seeds.push(ctx.seed);
        },
        { seed: 99, kind: 'property' },
      ),
    ]);
    expect(seeds).toEqual([7, 99]);
    expect(report.cases[1]?.seed).toBe(99);
  });
});

type Ev = { type: 'go' } | { type: 'stop' };
const tinyChart = defineChart<{ n: number }, Ev, { type: string }, never, never>({
  id: 'tiny',
  initial: 'idle',
  context: { n: 0 },
  states: {
    idle: { on: { go: [{ target: 'busy', clauses: ['A-1'] }] } },
    busy: { on: { stop: [{ target: 'done', clauses: ['A-2'] }], go: [{ clauses: ['A-3'] }] } },
    done: { final: true },
  },
  guards: {},
  effects: {},
}) as unknown as AnyChart;

describe('runSuite coverage', () => {
  const [go, stop, again] = transitionsOf(tinyChart).map((t) => t.name) as [string, string, string];

  it('marks the transitions and states cases reached and counts the goal pairs they took', async () => {
    expect(go).toBe('idle --go--> busy');
    const report = await run(
      [
        fakeCase('path', (ctx) => {
          ctx.coverage.state('tiny', 'idle');
          ctx.coverage.transition('tiny', go, ['A-1']);
          ctx.coverage.transition('tiny', again, ['A-3']);
          ctx.coverage.pair('tiny', go, again);
          ctx.coverage.transition('other-chart', 'x --y--> z', []);
        }),
      ],
      {
        charts: [tinyChart],
        pairGoals: [`tiny: ${go} => ${again}`, `tiny: ${go} => ${stop}`, `tiny: ${go} => ${again}`],
      },
    );
    const [chart] = report.charts;
    expect(chart).toMatchObject({ role: 'server', id: 'tiny', initial: 'idle' });
    expect(chart?.states).toEqual([
      { id: 'idle', covered: true },
      { id: 'busy', covered: true },
      { id: 'done', final: true, covered: false },
    ]);
    expect(chart?.transitions.map((t) => [t.id, t.covered])).toEqual([
      [go, true],
      [stop, false],
      [again, true],
    ]);
    expect(chart?.transitions[1]).toMatchObject({ from: 'busy', to: 'done', event: 'stop', clauses: ['A-2'] });
    expect(report.coverage.states).toEqual({ covered: 2, total: 3, missed: ['tiny.done'] });
    expect(report.coverage.transitions).toEqual({ covered: 2, total: 3, missed: [`tiny: ${stop}`] });
    expect(report.coverage.transitionPairs).toEqual({ covered: 1, total: 2, missed: [`tiny: ${go} => ${stop}`] });
  });

  it('counts 0 of 0 when there are no charts and no pair goals', async () => {
    const report = await run([fakeCase('ok', () => {})]);
    expect(report.charts).toEqual([]);
    expect(report.coverage.states).toEqual({ covered: 0, total: 0, missed: [] });
    expect(report.coverage.transitionPairs).toEqual({ covered: 0, total: 0, missed: [] });
  });

  it("clause coverage: the role's clauses only, each passed, failed, skipped or unchecked from the cases that list or cite it", async () => {
    const report = await run(
      [
        fakeCase('lists-A1', () => {}, { clauses: ['A-1'] }),
        fakeCase('cites-A1-A2', (ctx) => {
          ctx.cite(['A-2']);
          ctx.coverage.transition('tiny', 'idle --go--> busy', ['A-1']);
        }),
        fakeCase(
          'fails-A2',
          () => {
            throw new CaseFailure('no');
          },
          { clauses: ['A-2'] },
        ),
        fakeCase(
          'skips-A3',
          () => {
            throw new CaseSkip('no control');
          },
          { clauses: ['A-3'] },
        ),
      ],
      { charts: [tinyChart] },
    );
    const items = report.coverage.clauses.items;
    // A-5 binds the web client: not part of a server run.
    expect(items.map((i) => [i.id, i.status, i.cases])).toEqual([
      ['A-1', 'passed', ['lists-A1', 'cites-A1-A2']],
      ['A-2', 'failed', ['cites-A1-A2', 'fails-A2']],
      ['A-3', 'skipped', ['skips-A3']],
      ['A-4', 'unchecked', []],
    ]);
    expect(items[0]).toMatchObject({ level: 'MUST', text: 'The server MUST do one.' });
    expect(report.coverage.clauses).toMatchObject({ covered: 2, total: 4, missed: ['A-3', 'A-4'] });
  });

  it('counts a clause whose only case is an expected failure as failed, and an unexpected pass as passed', async () => {
    const report = await run(
      [
        fakeCase(
          'xfail',
          () => {
            throw new CaseFailure('no');
          },
          { clauses: ['A-1'] },
        ),
        fakeCase('xpass', () => {}, { clauses: ['A-2'] }),
      ],
      {
        expectFailures: new Map([
          ['xfail', 'known'],
          ['xpass', 'known'],
        ]),
      },
    );
    expect(report.coverage.clauses.items.slice(0, 2).map((i) => i.status)).toEqual(['failed', 'passed']);
  });
});

describe('runSuite with lanes (several targets of one implementation)', () => {
  it('runs cases on every lane, each case on one target, and reports them in catalogue order', async () => {
    const seen = new Map<string, Target>();
    const lanes = [fakeTarget(fakeControl([])), fakeTarget(fakeControl([]))];
    let waiting: (() => void) | undefined;
    const cases = ['a', 'b', 'c', 'd'].map((id) =>
      fakeCase(id, async (ctx) => {
        seen.set(id, ctx.target);
        // 'a' finishes only after 'b' started on another lane: the lanes really overlap.
        if (id === 'a') await new Promise<void>((resolve) => (waiting = resolve));
        if (id === 'b') waiting?.();
      }),
    );
    const report = await run(cases, { lanes });
    expect(report.cases.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(seen.values()).size).toBeGreaterThan(1);
  });

  it('a lost target on one lane ends the whole run', async () => {
    const lanes = [fakeTarget(fakeControl([]))];
    const cases = ['a', 'b', 'c'].map((id) =>
      fakeCase(id, () => {
        if (id === 'b') throw new TargetError('gone');
      }),
    );
    await expect(run(cases, { lanes })).rejects.toThrow(TargetError);
  });
});

describe('steps counted outside the trace', () => {
  it('adds the steps a case drove beyond its trace (property runs) to the case and the summary', async () => {
    const report = await run([
      fakeCase('p', (ctx) => {
        ctx.step('web1', 'one step kept in the trace');
        ctx.countSteps?.(5);
      }),
    ]);
    expect(report.cases[0]?.steps).toBe(6);
    expect(report.summary.steps).toBe(6);
  });
});
