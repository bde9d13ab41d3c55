/**
 * The suite against deliberately broken servers (the reference server with one fault switched on,
 * impl/server/mutants.ts): the cases that check the clause a fault breaks must catch it, failing
 * with a trace. (Running the whole catalogue against every mutant is `qrlink mutants`' job.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../impl/server/index.js';
import { type ServerMutantId, serverMutant } from '../../impl/server/mutants.js';
import { connectTarget } from '../target/remote-target.js';
import type { Target } from '../target/target.js';
import { CaseFailure } from './case.js';
import { serverSources } from './server-catalogue.js';
import { runCase } from './test-context.harness.js';

const broken: readonly ServerMutantId[] = [
  'server.accepts-expired-ref',
  'server.admits-before-approve',
  'server.relay-duplicates',
  'server.no-replace-on-new-link',
  'server.resume-token-reusable',
  'server.keeps-unkept-session',
  'server.wrong-close-code',
];

const cases = serverSources().flatMap((s) => s.cases({ role: 'server', seed: 7, runs: 20 }));

describe.each(broken)('the suite against %s', (id) => {
  let server: RunningServer;
  let target: Target;
  beforeAll(async () => {
    server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {}, mutants: [id] });
    target = await connectTarget(server.wsUrl, server.wsUrl, server.controlToken);
  });
  afterAll(async () => {
    await target.close();
    await server.close();
  });

  it(`fails a case that checks ${serverMutant(id).clauses.join(' or ')}, with a trace`, async () => {
    const clauses = serverMutant(id).clauses;
    const failures: string[] = [];
    for (const c of cases.filter((x) => x.clauses.some((k) => clauses.includes(k)))) {
      try {
        await runCase(target, c);
      } catch (err) {
        if (!(err instanceof CaseFailure)) throw err;
        expect(err.message.length).toBeGreaterThan(0);
        failures.push(`${c.id}: ${err.message}`);
      }
    }
    expect(failures.length, `no case checking ${clauses.join(', ')} failed`).toBeGreaterThan(0);
  });
});
