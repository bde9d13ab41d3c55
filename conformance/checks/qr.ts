/**
 * Clause-targeted checks of a server's QR refs (docs/protocol.md section 6): issue, `n` of `of`,
 * TTLs from configuration, rotation at exactly the TTL, exhaustion, claimed refs not rotating,
 * tombstones, and `status`.
 */
import { fromB64u } from '../../model/protocol/encoding.js';
import type { Case, CaseContext } from '../engine/case.js';
import {
  advance,
  claim,
  configure,
  expect,
  linkWeb,
  nextQr,
  openWeb,
  phoneNumber,
  registerPhone,
  resume,
  serverCheck,
  showQr,
  stats,
  type WebConn,
} from './flow.js';

const SECTION = '6 QR refs';

async function status(ctx: CaseContext, web: WebConn, ref: string, state: string, clause: string, why: string) {
  await web.peer.send({ t: 'status', ref }, `sends status (${why})`);
  const r = await web.peer.next('status.result', clause, why);
  expect(ctx, r.ref === ref && r.state === state, clause, `status.result must be ${state} (${why})`, { ref, state }, r);
}

export const qrChecks: Case[] = [
  serverCheck({
    id: 'check.qr.first-ref',
    title: 'hello is answered by ref 1 of qrMaxRefs with ttlMs qrFirstTtlMs and 16..32 random bytes',
    section: SECTION,
    clauses: ['QR-1', 'ENC-2'],
    requirement:
      'After a valid `hello`, the server MUST issue ref 1 bound to this connection and send `qr {ref, ttlMs: qrFirstTtlMs, n: 1, of: qrMaxRefs}`',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 4, qrFirstTtlMs: 7_000, qrTtlMs: 3_000 });
      const web = await openWeb(ctx, 'web1');
      const bytes = fromB64u(web.qr.ref);
      expect(ctx, bytes !== undefined && bytes.length >= 16 && bytes.length <= 32, 'ENC-2', 'ref is not 16..32 bytes');
      expect(
        ctx,
        web.qr.n === 1 && web.qr.of === config.qrMaxRefs && web.qr.ttlMs === config.qrFirstTtlMs,
        'QR-1',
        'the first qr must be n 1 of qrMaxRefs with ttlMs qrFirstTtlMs',
        { n: 1, of: 4, ttlMs: 7_000 },
        web.qr,
      );
    },
  }),

  serverCheck({
    id: 'check.qr.first-rotation-exact',
    title: 'ref 1 rotates exactly at qrFirstTtlMs, not a millisecond earlier; ref 2 has ttlMs qrTtlMs',
    section: SECTION,
    clauses: ['QR-3', 'QR-1', 'QR-2'],
    requirement:
      'When a pending ref has been pending for its `ttlMs`, the server MUST kill it (reason `expired`) and, if its `n` is less than `of`, issue ref `n + 1` with a `qr` frame',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 3, qrFirstTtlMs: 9_000, qrTtlMs: 4_000 });
      const web = await openWeb(ctx, 'web1');
      const ref1 = web.qr.ref;
      await advance(ctx, config.qrFirstTtlMs - 1, 'qrFirstTtlMs - 1');
      await web.peer.nothing('QR-3', 'ref 1 is still pending 1 ms before its TTL');
      await advance(ctx, 1, 'qrFirstTtlMs reached');
      const q2 = await nextQr(web, 'QR-3', 'ref 1 reached its TTL');
      expect(
        ctx,
        q2.n === 2 && q2.of === 3 && q2.ttlMs === config.qrTtlMs && q2.ref !== ref1,
        'QR-1',
        'ref 2 must be a new ref, n 2, with ttlMs qrTtlMs',
        { n: 2, of: 3, ttlMs: config.qrTtlMs },
        q2,
      );
      await web.peer.nothing('QR-2', 'exactly one new qr');
      const s = await stats(ctx);
      expect(ctx, s.refs.live === 1, 'QR-2', 'a web connection holds one live ref at a time', 1, s.refs);
    },
  }),

  serverCheck({
    id: 'check.qr.later-rotation-exact',
    title: 'later refs rotate exactly at qrTtlMs',
    section: SECTION,
    clauses: ['QR-3', 'QR-1'],
    requirement: 'and MUST give every later ref of the connection `ttlMs: qrTtlMs`.',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 3, qrFirstTtlMs: 5_000, qrTtlMs: 2_000 });
      const web = await openWeb(ctx, 'web1');
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      await nextQr(web, 'QR-3', 'ref 1 expired');
      await advance(ctx, config.qrTtlMs - 1, 'qrTtlMs - 1');
      await web.peer.nothing('QR-3', 'ref 2 is pending 1 ms before its TTL');
      await advance(ctx, 1, 'qrTtlMs reached');
      const q3 = await nextQr(web, 'QR-3', 'ref 2 reached its TTL');
      expect(ctx, q3.n === 3 && q3.ttlMs === config.qrTtlMs, 'QR-1', 'ref 3 must be n 3, ttlMs qrTtlMs', 3, q3);
    },
  }),

  serverCheck({
    id: 'check.qr.exhausted',
    title: 'after the last ref dies the connection gets qr.exhausted and close 4008',
    section: SECTION,
    clauses: ['QR-3', 'ERR-7'],
    requirement: 'or else send `qr.exhausted` and close the connection with 4008.',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 2, qrFirstTtlMs: 3_000, qrTtlMs: 1_000 });
      const web = await openWeb(ctx, 'web1');
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      await nextQr(web, 'QR-3', 'ref 1 expired');
      await advance(ctx, config.qrTtlMs - 1, 'just before the last TTL');
      await web.peer.nothing('QR-3', 'the last ref is still pending');
      await advance(ctx, 1, 'the last ref expires');
      await web.peer.next('qr.exhausted', 'QR-3', 'ref 2 of 2 expired');
      await web.peer.closedWith(4008, 'QR-3', 'after qr.exhausted');
    },
  }),

  serverCheck({
    id: 'check.qr.one-advance-fires-all',
    title: 'one clock advance past every TTL fires each rotation in order, ending in qr.exhausted',
    section: SECTION,
    clauses: ['QR-3', 'CTL-4'],
    requirement:
      'on `clock` it MUST fire, before answering `clock.ok {now}`, every timer whose deadline is at most the new time, in deadline order',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 3, qrFirstTtlMs: 6_000, qrTtlMs: 2_000 });
      const web = await openWeb(ctx, 'web1');
      await advance(ctx, config.qrFirstTtlMs + 2 * config.qrTtlMs, 'past every TTL at once');
      const q2 = await nextQr(web, 'QR-3', 'ref 1 expired within the advance');
      const q3 = await nextQr(web, 'QR-3', 'ref 2 expired within the advance');
      expect(ctx, q2.n === 2 && q3.n === 3, 'QR-3', 'refs must come in order', [2, 3], [q2.n, q3.n]);
      await web.peer.next('qr.exhausted', 'QR-3', 'ref 3 of 3 expired within the advance');
      await web.peer.closedWith(4008, 'QR-3', 'after qr.exhausted');
    },
  }),

  serverCheck({
    id: 'check.qr.of-fixed',
    title: 'of is fixed when ref 1 is issued; a later qrMaxRefs change does not alter it',
    section: SECTION,
    clauses: ['QR-1', 'QR-4'],
    requirement:
      '`of` is fixed for a connection when ref 1 is issued; a later `config` change of `qrMaxRefs` does not change it (section 13).',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 2, qrFirstTtlMs: 1_000, qrTtlMs: 1_000 });
      const web = await openWeb(ctx, 'web1');
      await configure(ctx, { qrMaxRefs: 5 });
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      const q2 = await nextQr(web, 'QR-1', 'ref 1 expired');
      expect(ctx, q2.of === 2, 'QR-1', 'of changed after a config change', 2, q2.of);
      await advance(ctx, config.qrTtlMs, 'ref 2 expires');
      await web.peer.next('qr.exhausted', 'QR-3', 'ref 2 of 2 expired');
      await web.peer.closedWith(4008, 'QR-3', 'after qr.exhausted');
    },
  }),

  serverCheck({
    id: 'check.qr.claim-stops-ttl',
    title: 'a claimed ref is never rotated by its TTL',
    section: SECTION,
    clauses: ['QR-8', 'QR-6'],
    requirement:
      'The server MUST stop the TTL timer of a ref when it is claimed: a claimed ref is never rotated and never expires by TTL while its attempt runs',
    async run(ctx) {
      const config = await configure(ctx, { qrFirstTtlMs: 5_000, consentMs: 60_000 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      await advance(ctx, config.qrFirstTtlMs * 3, 'three TTLs while claimed');
      await web.peer.nothing('QR-8', 'a claimed ref does not rotate');
      await phone.peer.nothing('QR-8', 'the attempt still runs');
      await status(ctx, web, shown.ref, 'scanned', 'QR-6', 'the claimed ref is live, in an attempt');
    },
  }),

  serverCheck({
    id: 'check.qr.status-states',
    title: 'status answers pending, scanned, expired for the refs of the connection',
    section: SECTION,
    clauses: ['QR-6'],
    requirement:
      'where `state` is `pending` (live, unclaimed), `scanned` (live, in an attempt), `expired` (dead without a link), `used` (admitted) or `unknown` (never issued to this connection, or forgotten)',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 3, qrFirstTtlMs: 2_000 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const ref1 = web.qr.ref;
      await status(ctx, web, ref1, 'pending', 'QR-6', 'ref 1 just issued');
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      await nextQr(web, 'QR-3', 'ref 1 expired');
      await status(ctx, web, ref1, 'expired', 'QR-6', 'ref 1 expired');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      await status(ctx, web, shown.ref, 'scanned', 'QR-6', 'ref 2 claimed');
      const stranger = await openWeb(ctx, 'web2');
      await status(ctx, stranger, shown.ref, 'unknown', 'QR-6', "another connection's live ref");
      await status(ctx, web, stranger.qr.ref, 'unknown', 'QR-6', "another connection's pending ref");
    },
  }),

  serverCheck({
    id: 'check.qr.status-reveals-nothing',
    title: 'status.result carries only ref and state, nothing about account, device or address',
    section: SECTION,
    clauses: ['QR-6'],
    requirement: 'and MUST reveal nothing else (no account, device, phone, address or time).',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      await web.peer.send({ t: 'status', ref: shown.ref });
      await web.peer.settle();
      const raw = web.peer.unread[0];
      const frame = raw?.kind === 'frame' ? (raw.frame as Record<string, unknown>) : undefined;
      const keys = frame === undefined ? [] : Object.keys(frame).sort();
      expect(
        ctx,
        JSON.stringify(keys) === JSON.stringify(['ref', 'state', 't']),
        'QR-6',
        'status.result must carry t, ref and state only',
        ['ref', 'state', 't'],
        frame,
      );
      const text = JSON.stringify(frame);
      for (const leak of [phone.account.accountId, phone.account.phone, phone.account.identityKey]) {
        expect(ctx, !text.includes(leak), 'QR-6', 'status.result reveals account data', 'nothing', frame);
      }
    },
  }),

  serverCheck({
    id: 'check.qr.status-after-linked',
    title: 'status crossing linked is answered (used), never punished',
    section: SECTION,
    clauses: ['QR-6', 'LATE-1'],
    requirement:
      'On `status {ref}` the server MUST answer `status.result {ref, state}` on every web connection that has sent `hello` or `resume`, whatever its state',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1', { keep: false });
      const ref = web.qr.ref;
      await linkWeb(ctx, phone, web, { attach: false });
      await status(ctx, web, ref, 'used', 'QR-6', 'the ref was admitted');
      await web.peer.send({ t: 'attach', e: 'AAAAAAAAAAAAAAAAAAAAAA' });
      await web.peer.nothing('LATE-1', 'the session lives on after a status crossing linked');
    },
  }),

  serverCheck({
    id: 'check.qr.status-on-resumed',
    title: 'status on a resumed connection is answered unknown, even for the ref that made the session',
    section: SECTION,
    clauses: ['QR-6', 'LATE-1'],
    requirement: 'A resumed connection has no refs of its own, so every `status` on it answers `unknown`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1', { keep: true });
      const ref = web.qr.ref;
      const session = await linkWeb(ctx, phone, web);
      await web.peer.close();
      await resume(ctx, session, 'web2');
      const resumed: WebConn = session.web;
      await status(ctx, resumed, ref, 'unknown', 'QR-6', 'the ref belonged to another connection');
      await resumed.peer.nothing('LATE-1', 'status never closes the connection');
    },
  }),

  serverCheck({
    id: 'check.qr.decline-counts',
    title: 'a ref issued after a decline counts toward of: declining the last ref exhausts the connection',
    section: SECTION,
    clauses: ['QR-4', 'LINK-4'],
    requirement:
      'The server MUST count every ref issued on a connection toward `of`, including the refs issued after a decline, a lapse or a departed phone; a new ref after an attempt that ended on ref `n` is ref `n + 1`, or `qr.exhausted` and close 4008 when `n` equals `of`.',
    async run(ctx) {
      await configure(ctx, { qrMaxRefs: 2 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      for (const n of [1, 2]) {
        const shown = await showQr(web);
        await claim(ctx, phone.peer, web, shown);
        await phone.peer.send({ t: 'link.decline', ref: shown.ref });
        const d = await web.peer.next('declined', 'LINK-4', `ref ${n} declined`);
        expect(ctx, d.reason === 'declined' && d.ref === shown.ref, 'LINK-4', 'wrong declined', 'declined', d);
        if (n === 1) {
          const q = await nextQr(web, 'QR-4', 'a fresh qr after decline');
          expect(ctx, q.n === 2, 'QR-4', 'the ref after a decline on ref 1 must be ref 2', 2, q.n);
        }
      }
      await web.peer.next('qr.exhausted', 'QR-4', 'the decline ended ref 2 of 2');
      await web.peer.closedWith(4008, 'QR-4', 'after qr.exhausted');
    },
  }),

  serverCheck({
    id: 'check.qr.refs-unique',
    title: 'refs are never re-issued: every ref across rotations and connections is distinct',
    section: SECTION,
    clauses: ['QR-9', 'ENC-2'],
    requirement: 'The server MUST NOT issue a ref value it still remembers (live or tombstoned, clause QR-7)',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 5, qrFirstTtlMs: 1_000, qrTtlMs: 1_000 });
      const seen = new Set<string>();
      const webs: WebConn[] = [];
      for (const name of ['web1', 'web2', 'web3']) webs.push(await openWeb(ctx, name));
      for (const w of webs) seen.add(w.qr.ref);
      for (let i = 0; i < config.qrMaxRefs - 1; i++) {
        await advance(ctx, 1_000, 'every ref expires');
        for (const w of webs) seen.add((await nextQr(w, 'QR-3', 'rotation')).ref);
      }
      const issued = webs.length * config.qrMaxRefs;
      expect(ctx, seen.size === issued, 'QR-9', `${issued - seen.size} ref(s) were issued twice`, issued, seen.size);
    },
  }),

  serverCheck({
    id: 'check.qr.tombstone-forgotten',
    title: 'a dead ref is remembered for refMemoryMs (expired_ref), then forgotten (unknown_ref, unknown)',
    section: SECTION,
    clauses: ['QR-7', 'LINK-2'],
    requirement:
      'The server MUST remember each dead ref (its death reason and its web connection) for `refMemoryMs` after its death, answering claims and `status` from this tombstone, and then forget it, after which the ref counts as never issued (`unknown_ref`, `unknown`).',
    async run(ctx) {
      const config = await configure(ctx, { qrMaxRefs: 3, qrFirstTtlMs: 1_000, qrTtlMs: 500_000, refMemoryMs: 20_000 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const ref1 = web.qr.ref;
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      await nextQr(web, 'QR-3', 'ref 1 expired');
      await advance(ctx, config.refMemoryMs - 1, 'refMemoryMs - 1 after the death');
      await phone.peer.send({ t: 'link.claim', ref: ref1 }, 'sends link.claim on the tombstone');
      const e1 = await phone.peer.next('link.error', 'QR-7', 'the tombstone is remembered');
      expect(ctx, e1.reason === 'expired_ref', 'QR-7', 'a remembered expired ref', 'expired_ref', e1);
      await status(ctx, web, ref1, 'expired', 'QR-7', 'the tombstone answers status');
      // the spec does not say whether a tombstone is still remembered at exactly refMemoryMs: check just past it
      await advance(ctx, 2, 'refMemoryMs + 1 after the death');
      await phone.peer.send({ t: 'link.claim', ref: ref1 }, 'sends link.claim on the forgotten ref');
      const e2 = await phone.peer.next('link.error', 'QR-7', 'the ref is forgotten');
      expect(ctx, e2.reason === 'unknown_ref', 'QR-7', 'a forgotten ref is unknown', 'unknown_ref', e2);
      await status(ctx, web, ref1, 'unknown', 'QR-7', 'the ref is forgotten');
    },
  }),
];
