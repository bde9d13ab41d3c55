import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PhoneMutantId, phoneMutants } from '../../../impl/phone/mutants.js';
import { loadClauses } from '../../../model/protocol/clauses.js';
import { clausesOfRole } from '../../engine/clause-roles.js';
import { clauseCounts } from '../../engine/run-coverage.js';
import { runSuite } from '../../engine/runner.js';
import type { RunReport } from '../../report/run-report.js';
import { traceFileFor } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import { embeddedClientTarget } from '../driver-target.js';
import { phoneCharts, phoneSources, phoneUnobservableClauses } from './phone-catalogue.js';
import { chartFrames, phonePaths } from './phone-paths.js';
import { phonePropertySource } from './phone-property.js';

const SEED = Number(process.env.QRLINK_SEED ?? 20261126);
const options = { role: 'phone' as const, seed: SEED, runs: 15 };
const allCases = () => phoneSources().flatMap((s) => s.cases(options));

async function run(target: ClientTarget<'phone'>, filter?: string): Promise<RunReport> {
  return runSuite({
    target,
    role: 'phone',
    cases: allCases(),
    seed: SEED,
    charts: phoneCharts,
    ...(filter === undefined ? {} : { filter }),
  });
}

describe('phone chart paths', () => {
  it('read the frames each transition sends from the chart (compared with what the phone sends)', () => {
    expect(chartFrames('unregistered --USER.REGISTER--> registering')).toEqual(['register']);
    expect(chartFrames('offline --USER.REREGISTER--> registering')).toEqual(['register', 'register.verify']);
    expect(chartFrames('approving --link.confirm [isOurRef]--> online')).toEqual(['link.decline']);
    expect(chartFrames('online --from_web [relayOpens]--> online')).toEqual(['ack']);
    expect(phonePaths().paths.length).toBeGreaterThan(50);
  });
});

describe('phone catalogue against the reference phone', () => {
  let target: ClientTarget<'phone'>;
  let report: RunReport;
  beforeAll(async () => {
    target = await embeddedClientTarget('phone');
    report = await run(target);
  }, 120_000);
  afterAll(async () => {
    await target.close();
  });

  it('every case passes (checks, chart paths, property runs)', () => {
    const bad = report.cases.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.reason}`);
    expect(bad).toEqual([]);
    expect(report.summary.passed).toBe(report.cases.length);
    expect(new Set(report.cases.map((c) => c.id)).size).toBe(report.cases.length);
    expect(report.cases.filter((c) => c.kind === 'check').length).toBeGreaterThan(60);
    expect(report.cases.filter((c) => c.kind === 'transition-path').length).toBeGreaterThan(50);
    expect(report.cases.filter((c) => c.kind === 'property')).toHaveLength(1);
  });

  it('covers every state and every transition of the phone chart', () => {
    expect(report.coverage.states.missed ?? []).toEqual([]);
    expect(report.coverage.states.covered).toBe(9);
    expect(report.coverage.transitions.missed ?? []).toEqual([]);
    expect(report.coverage.transitions.covered).toBe(report.coverage.transitions.total);
    expect(phonePaths().unreachable).toEqual([]);
  });

  it('covers every phone clause except the listed unobservable ones', () => {
    const evidence = report.cases.map((c) => ({
      result: { id: c.id, status: c.status },
      clauses: new Set(c.clauses),
    }));
    const clauses = clausesOfRole(loadClauses(), 'phone');
    const counts = clauseCounts(clauses, evidence, phoneUnobservableClauses);
    expect(counts.missed).toEqual([]);
    for (const id of phoneUnobservableClauses.keys()) expect(clauses.some((c) => c.id === id)).toBe(true);
  });
});

/** For each mutant: the case that must catch it. */
const catches: Readonly<Record<PhoneMutantId, string>> = {
  'phone.approves-without-user': 'phone-PHONE-1-no-approval-without-user',
  'phone.approves-rotated-ref': 'phone-CONS-2-link-error-expired_ref',
  'phone.reuses-counter': 'phone-E2E-12-counters',
  'phone.skips-confirm-check': 'phone-E2E-8-forged-tag',
  'phone.leaks-link-secret': 'phone-LINK-happy',
  'phone.reseals-on-repeated-epoch': 'phone-RELAY-14-repeated-epoch',
  'phone.accepts-replay': 'phone-E2E-13-replay',
  'phone.ignores-queue-full': 'phone-RELAY-15-queue-full',
};

describe('phone catalogue against faulty phones (impl/phone/mutants.ts)', () => {
  for (const m of phoneMutants) {
    it(`${m.id} fails ${catches[m.id]} with a trace naming ${m.clauses.join(' or ')}`, async () => {
      const target = await embeddedClientTarget('phone', { mutants: [m.id] });
      try {
        const report = await run(target, catches[m.id]);
        const failed = report.cases.filter((c) => c.status === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        const c = failed[0];
        expect(c?.trace.length).toBeGreaterThan(3);
        expect(c?.wireLog.length).toBeGreaterThan(3);
        const named = m.clauses.some((id) => c?.reason?.includes(`[${id}]`));
        expect(named, c?.reason).toBe(true);
      } finally {
        await target.close();
      }
    }, 30_000);
  }

  it('the property run finds a relay fault, shrinks it and prints the seed that replays it', async () => {
    const target = await embeddedClientTarget('phone', { mutants: ['phone.accepts-replay'] });
    try {
      const report = await run(target, 'phone-property-relay');
      const c = report.cases[0];
      expect(c?.status).toBe('failed');
      expect(c?.reason).toMatch(
        /\[E2E-13\].*fast-check seed -?\d+, shrunk to \[[a-z_, ]+\].*replay: qrlink check --role phone --seed/,
      );
      // The trace file of the failure replays the shrunk sequence (qrlink check --replay).
      const file = traceFileFor(report, c as NonNullable<typeof c>);
      const again = phonePropertySource.fromTrace?.(file);
      expect(again).toBeDefined();
      const replayed = await runSuite({ target, role: 'phone', cases: again ? [again] : [], seed: file.seed });
      expect(replayed.cases[0]?.status).toBe('failed');
      expect(replayed.cases[0]?.reason).toMatch(/\[E2E-13\]/);
    } finally {
      await target.close();
    }
  }, 60_000);
});
