/**
 * Benchmark `link`: complete link handshakes per second through the reference server (hello to
 * linked, real crypto on both clients: X25519, HKDF, the approval box and the confirm tag checked by
 * the phone), with p50/p99 of one handshake, against the bare crypto of one link alone (makeQr ->
 * approve -> acceptOffer -> verifyConfirm: the key agreements, HKDF, seal and open) in a loop.
 */

import { openControl } from '../conformance/target/control-client.js';
import { type AccountData, acceptOffer, approve, makeQr, verifyConfirm } from '../impl/crypto/index.js';
import { randomBytes } from '../impl/crypto/random.js';
import { toB64u } from '../model/protocol/encoding.js';
import { parseQr } from '../model/protocol/qr-payload.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { percentile } from './percentile.js';
import { benchPhoneNumber, FlowError, linkWeb, registerPhone } from './protocol-flow.js';
import { startServerChild } from './server-child.js';

/** Phones linking at once (each links one web client at a time). */
const PHONES = 8;

export interface LinkRun {
  readonly perSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** `links` handshakes through a reference server process, PHONES at a time; each web closes after linked. */
export async function linkThroughServer(links: number): Promise<LinkRun> {
  const child = await startServerChild('reference', { rateMessages: 0 });
  const control = await openControl(child.wsUrl, child.controlToken ?? '');
  try {
    const phones = await Promise.all(
      Array.from({ length: PHONES }, (_, i) =>
        registerPhone(`${child.wsUrl}/v1/phone`, control, benchPhoneNumber(100 + i)),
      ),
    );
    const times: number[] = [];
    let left = links;
    const start = performance.now();
    await Promise.all(
      phones.map(async ({ peer, account }) => {
        while (left > 0) {
          left--;
          const s = await linkWeb(`${child.wsUrl}/v1/web`, peer, account, false);
          times.push(s.linkMs);
          await s.web.close();
        }
      }),
    );
    const secs = (performance.now() - start) / 1000;
    await Promise.all(phones.map((p) => p.peer.close()));
    return { perSec: times.length / secs, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
  } finally {
    await control.close().catch(() => {});
    await child.stop();
  }
}

/** The crypto of `links` links alone, one after the other. */
export async function bareLinkCrypto(links: number): Promise<LinkRun> {
  const ref = toB64u(randomBytes(16));
  const account: AccountData = {
    accountId: 'acct',
    phone: benchPhoneNumber(1),
    name: 'Bench',
    identityKey: toB64u(randomBytes(32)),
  };
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < links; i++) {
    const t0 = performance.now();
    const { qr, secrets } = await makeQr(ref);
    const payload = parseQr(qr);
    const a = await approve(payload, account);
    const accepted = await acceptOffer(secrets, payload.ref, { pub: a.pub, box: a.box });
    if (!verifyConfirm(a.keys, a.T, a.box, accepted.tag)) throw new FlowError('bare link crypto: tag does not verify');
    times.push(performance.now() - t0);
  }
  const secs = (performance.now() - start) / 1000;
  return { perSec: links / secs, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99) };
}

export const linkBenchmark: Benchmark = {
  id: 'link',
  title: 'link handshakes (hello to linked, real crypto)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const links = options.quick ? 100 : 2000;
    await bareLinkCrypto(50); // warm the crypto up for both
    const base = await bareLinkCrypto(links);
    const ours = await linkThroughServer(links);
    options.say(`link: ${Math.round(ours.perSec)} vs bare crypto ${Math.round(base.perSec)} links/s`);
    const notes = `${links} links, ${PHONES} phones linking at once (server in its own process); baseline: the same crypto (makeQr, approve, acceptOffer, verifyConfirm) in a loop`;
    return [
      row({
        id: 'link.throughput',
        metric: 'complete link handshakes per second (hello to linked)',
        ours: ours.perSec,
        baseline: base.perSec,
        unit: 'links/s',
        better: 'higher',
        notes,
      }),
      row({
        id: 'link.p50',
        metric: 'one handshake, p50 (baseline: the crypto of one link)',
        ours: ours.p50Ms,
        baseline: base.p50Ms,
        unit: 'ms',
        better: 'lower',
        notes,
      }),
      row({
        id: 'link.p99',
        metric: 'one handshake, p99 (baseline: the crypto of one link)',
        ours: ours.p99Ms,
        baseline: base.p99Ms,
        unit: 'ms',
        better: 'lower',
        notes,
      }),
    ];
  },
};
