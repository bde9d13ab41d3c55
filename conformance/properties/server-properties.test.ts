import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../impl/server/index.js';
import { CaseFailure } from '../engine/case.js';
import { runCase } from '../engine/test-context.harness.js';
import { connectTarget } from '../target/remote-target.js';
import type { Target } from '../target/target.js';
import { propertySource } from './server-properties.js';

const seed = Number(process.env.QRLINK_SEED ?? 20261125);
const runs = 15;

async function serve(mutants: ['server.admits-before-approve'] | [] = []): Promise<[RunningServer, Target]> {
  const server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {}, mutants });
  return [server, await connectTarget(server.wsUrl, server.wsUrl, server.controlToken)];
}

describe(`property runs against a server (seed ${seed}, replay with QRLINK_SEED=${seed})`, () => {
  let good: [RunningServer, Target];
  let bad: [RunningServer, Target];
  beforeAll(async () => {
    good = await serve();
    bad = await serve(['server.admits-before-approve']);
  });
  afterAll(async () => {
    for (const [server, target] of [good, bad]) {
      await target.close();
      await server.close();
    }
  });

  it('every property holds against the reference server', async () => {
    for (const c of propertySource.cases({ role: 'server', seed, runs })) await runCase(good[1], c);
  });

  it('[LINK-11] a server that admits before approval fails, shrunk, with a seed that reproduces the failure', async () => {
    const c = propertySource.cases({ role: 'server', seed: 1, runs: 200 })[0];
    if (!c) throw new Error('no property case');
    const failure = async () => {
      try {
        await runCase(bad[1], c);
      } catch (err) {
        if (err instanceof CaseFailure) return err;
        throw err;
      }
      return undefined;
    };
    const first = await failure();
    expect(first?.message).toMatch(/fast-check seed 1, shrunk to \d+ steps/);
    expect(first?.message).toMatch(/replay: qrlink check --seed 1 --filter property\.server\.honest-peers/);
    const again = await failure();
    expect(again?.step).toBe(first?.step);
    const shape = (m = '') => m.replace(/[A-Za-z0-9_-]{16,}/g, '<v>').replace(/after \d+ runs/, '');
    expect(shape(again?.message)).toBe(shape(first?.message));
  });
});
