/**
 * Benchmark `suite`: protocol steps per second of `qrlink check` (the whole server catalogue: model
 * paths in lockstep with the model oracle, transition pairs, property runs, clause checks) against the
 * embedded reference (in this process, 4 lanes as `qrlink check` runs it) and over WebSocket against a
 * reference server in its own process (one lane, as for any `--target`), and the time the model-path
 * cases (state and transition paths) take to reach full transition coverage. Baseline: protocol steps
 * per second of bare clients (lean sockets, real crypto, no oracle, no trace, no barrier) doing link,
 * attach and relay flows against the same kind of server, 4 flows at a time; for the coverage time,
 * the time those bare clients take for as many steps. Goals: >= 5,000 steps/s embedded, full
 * transition coverage under 10 s.
 */
import type { Case } from '../conformance/engine/case.js';
import { runSuite } from '../conformance/engine/runner.js';
import { serverCharts, serverSources } from '../conformance/engine/server-catalogue.js';
import type { RunReport } from '../conformance/report/run-report.js';
import { openControl } from '../conformance/target/control-client.js';
import { embeddedTarget } from '../conformance/target/embedded-target.js';
import { remoteTarget } from '../conformance/target/remote-target.js';
import type { ControlClient, Target } from '../conformance/target/target.js';
import { sealOp } from '../impl/crypto/index.js';
import { startServer } from '../impl/server/index.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { attachWeb, benchPhoneNumber, linkWeb, registerPhone } from './protocol-flow.js';
import { startServerChild } from './server-child.js';

const LANES = 4;
const SEED = 20261126;

function catalogue(runs: number): Case[] {
  return serverSources().flatMap((s) => s.cases({ role: 'server', seed: SEED, runs }));
}

function goals(runs: number): string[] {
  return [
    ...new Set(serverSources().flatMap((s) => s.goals?.({ role: 'server', seed: SEED, runs }).transitionPairs ?? [])),
  ];
}

async function run(targets: Target[], cases: readonly Case[], pairGoals: string[]): Promise<RunReport> {
  const [target, ...lanes] = targets;
  if (target === undefined) throw new Error('no target');
  try {
    return await runSuite({
      role: 'server',
      target,
      lanes,
      cases,
      seed: SEED,
      charts: serverCharts,
      pairGoals,
    });
  } finally {
    await Promise.all(targets.map((t) => t.close()));
  }
}

async function embedded(lanes: number): Promise<Target[]> {
  return Promise.all(Array.from({ length: lanes }, () => embeddedTarget()));
}

/**
 * Bare protocol steps/s against the server at `wsUrl`: `flows` link + attach + relay flows, `parallel`
 * at a time, each frame a client sends one step.
 */
export async function bareSteps(wsUrl: string, control: ControlClient, flows: number, parallel: number) {
  await control.config({ rateMessages: 0 }); // one phone links many times a second: no rate limit [TR-8]
  let steps = 0;
  let left = flows;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async (_, p) => {
      const { peer: phone, account } = await registerPhone(`${wsUrl}/v1/phone`, control, benchPhoneNumber(500 + p));
      steps += 2;
      while (left > 0) {
        left--;
        const s = await linkWeb(`${wsUrl}/v1/web`, phone, account, false);
        const att = await attachWeb(s, phone);
        s.web.send({ t: 'to_phone', e: att.e, n: 1, c: sealOp(att.web.kW2P, 1, { op: 'ping' }) });
        const f = await phone.next('from_web');
        phone.send({ t: 'ack', sessionId: s.sessionId, e: att.e, n: f.n });
        await s.web.next('acked');
        steps += 8; // hello, claim, approve, confirm, finalize, attach, to_phone, ack
        await s.web.close();
      }
      await phone.close();
    }),
  );
  return { stepsPerSec: steps / ((performance.now() - start) / 1000), steps };
}

async function bareEmbedded(flows: number) {
  const server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {} });
  const control = await openControl(server.wsUrl, server.controlToken ?? '');
  try {
    return await bareSteps(server.wsUrl, control, flows, LANES);
  } finally {
    await control.close();
    await server.close();
  }
}

function verdicts(r: RunReport): string {
  const s = r.summary;
  return `${r.cases.length} cases: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped; ${s.steps} steps in ${(s.durationMs / 1000).toFixed(1)} s`;
}

export const suiteBenchmark: Benchmark = {
  id: 'suite',
  title: 'conformance suite steps/s and time to full transition coverage',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const runs = options.quick ? 5 : 100;
    const flows = options.quick ? 30 : 400;
    const catalog = catalogue(runs);
    const pairGoals = goals(runs);
    const paths = catalog.filter((c) => c.kind === 'state-path' || c.kind === 'transition-path');
    // --quick: the model-path cases only (one run serves steps/s and coverage time)
    const all = options.quick ? paths : catalog;
    const scope = options.quick ? 'model-path cases only (--quick)' : `whole catalogue, --runs ${runs}`;

    const bareEmb = await bareEmbedded(flows);
    const emb = await run(await embedded(LANES), all, pairGoals);
    options.say(`suite embedded: ${Math.round(emb.summary.stepsPerSec)} steps/s (${verdicts(emb)})`);

    // over WebSocket: one reference server process serves the suite run, then the bare clients
    const child = await startServerChild('reference');
    let ws: RunReport;
    let bareWs: { stepsPerSec: number };
    try {
      const target = await remoteTarget(child.wsUrl, { controlToken: child.controlToken ?? '' });
      ws = await run([target], all, pairGoals);
      const control = await openControl(child.wsUrl, child.controlToken ?? '');
      try {
        await control.reset();
        bareWs = await bareSteps(child.wsUrl, control, flows, 1);
      } finally {
        await control.close();
      }
    } finally {
      await child.stop();
    }
    options.say(`suite over WebSocket: ${Math.round(ws.summary.stepsPerSec)} steps/s (${verdicts(ws)})`);

    const cov = options.quick ? emb : await run(await embedded(LANES), paths, pairGoals);
    const t = cov.coverage.transitions;
    const covSecs = cov.summary.durationMs / 1000;
    const bareSecs = cov.summary.steps / bareEmb.stepsPerSec;
    options.say(`suite coverage: ${t.covered}/${t.total} transitions in ${covSecs.toFixed(1)} s`);
    const base = `baseline: bare clients (lean sockets, real crypto, no oracle) doing ${flows} link+attach+relay flows`;
    return [
      row({
        id: 'suite.embedded.steps',
        metric: 'qrlink check protocol steps/s, embedded reference (goal >= 5,000)',
        ours: emb.summary.stepsPerSec,
        baseline: bareEmb.stepsPerSec,
        unit: 'steps/s',
        better: 'higher',
        notes: `${scope}: ${verdicts(emb)}, ${LANES} lanes; ${base}, ${LANES} at a time, in this process`,
      }),
      row({
        id: 'suite.websocket.steps',
        metric: 'qrlink check protocol steps/s over WebSocket (server in its own process)',
        ours: ws.summary.stepsPerSec,
        baseline: bareWs.stepsPerSec,
        unit: 'steps/s',
        better: 'higher',
        notes: `${scope}: ${verdicts(ws)}, one lane; ${base}, one at a time, server in its own process`,
      }),
      row({
        id: 'suite.coverage-time',
        metric: `time to full transition coverage (model paths; goal < 10 s): ${t.covered}/${t.total} transitions`,
        ours: covSecs,
        baseline: bareSecs,
        unit: 's',
        better: 'lower',
        notes: `${paths.length} state and transition path cases, ${LANES} lanes, ${cov.summary.steps} steps${t.covered === t.total ? '' : `; NOT full: missed ${(t.missed ?? []).slice(0, 5).join(', ')}`}; baseline: the time the bare clients take for as many steps`,
      }),
    ];
  },
};
