/**
 * Clause-targeted checks of a server's linking (docs/protocol.md section 7): claims and their
 * errors, races, consent and its timer, approve/confirm/finalize phases, aborts, departed peers and
 * late frames, each driven with the real crypto of impl/crypto.
 */
import { acceptOffer } from '../../impl/crypto/index.js';
import type { Case, CaseContext } from '../engine/case.js';
import {
  advance,
  approveClaim,
  authPhone,
  claim,
  configure,
  confirmOffer,
  expect,
  finalize,
  freshB64u,
  linkWeb,
  nextQr,
  now,
  openWeb,
  openWebPeer,
  type PhoneConn,
  type PhonePeer,
  phoneNumber,
  registerPhone,
  type Shown,
  sendApprove,
  serverCheck,
  showQr,
  stats,
  type WebConn,
} from './flow.js';

const SECTION = '7 Linking';

type LinkErrorReason = 'unknown_ref' | 'expired_ref' | 'used_ref' | 'web_gone' | 'unauthorized' | 'lapsed' | 'aborted';

async function linkError(
  ctx: CaseContext,
  phone: PhonePeer,
  ref: string,
  reason: LinkErrorReason,
  clause: string,
  why: string,
): Promise<void> {
  const e = await phone.next('link.error', clause, why);
  expect(
    ctx,
    e.ref === ref && e.reason === reason,
    clause,
    `expected link.error ${reason} (${why})`,
    { ref, reason },
    e,
  );
}

async function claimFails(
  ctx: CaseContext,
  phone: PhonePeer,
  ref: string,
  reason: LinkErrorReason,
  clause: string,
  why: string,
): Promise<void> {
  await phone.send({ t: 'link.claim', ref }, `sends link.claim (${why})`);
  await linkError(ctx, phone, ref, reason, clause, why);
}

async function declined(
  ctx: CaseContext,
  web: WebConn,
  ref: string,
  reason: 'declined' | 'lapsed' | 'phone_gone',
  clause: string,
  why: string,
): Promise<void> {
  const d = await web.peer.next('declined', clause, why);
  expect(ctx, d.ref === ref && d.reason === reason, clause, `expected declined ${reason} (${why})`, { ref, reason }, d);
  const n = web.qr.n;
  const q = await nextQr(web, 'QR-4', `a fresh qr follows declined ${reason}`);
  expect(ctx, q.n === n + 1 && q.ref !== ref, 'QR-4', 'the fresh qr must be ref n + 1', n + 1, q);
}

/** A registered phone and a web client whose QR the phone has claimed. */
async function claimed(ctx: CaseContext): Promise<{ phone: PhoneConn; web: WebConn; shown: Shown }> {
  const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
  const web = await openWeb(ctx, 'web1');
  const shown = await showQr(web);
  await claim(ctx, phone.peer, web, shown);
  return { phone, web, shown };
}

export const linkChecks: Case[] = [
  serverCheck({
    id: 'check.link.happy-path',
    title: 'a full link: link.claimed carries device, address, requestedAt and keep; everything relayed unchanged',
    section: SECTION,
    clauses: ['LINK-1', 'LINK-5', 'LINK-8', 'LINK-9', 'LINK-10', 'LINK-11'],
    requirement:
      "On `link.claim {ref}` from an authenticated phone connection for a pending live ref, the server MUST in one step mark the ref claimed by that connection, stop its TTL timer, start its consent timer, send the phone `link.claimed {ref, device, address, requestedAt}` and send the ref's web connection `scanned {ref}`",
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      await advance(ctx, 1234, 'the clock moves before hello');
      const helloAt = await now(ctx);
      const device = { name: 'Firefox 140', platform: 'Windows' };
      const web = await openWeb(ctx, 'web1', { device, keep: true });
      await advance(ctx, 500, 'the phone scans half a second later');
      const shown = await showQr(web);
      const c = await claim(ctx, phone.peer, web, shown);
      expect(
        ctx,
        c.device.name === device.name && c.device.platform === device.platform,
        'LINK-1',
        'link.claimed.device must be hello.device unchanged',
        device,
        c.device,
      );
      expect(ctx, c.requestedAt === helloAt, 'LINK-1', 'requestedAt must be the server clock at hello', helloAt, c);
      expect(ctx, c.keep, 'LINK-1', 'link.claimed.keep must be hello.keep (true)', true, c.keep);
      if (new URL(ctx.target.wsUrl).hostname === '127.0.0.1') {
        expect(ctx, c.address === '127.0.0.1', 'LINK-1', 'address must be the IPv4 the server saw', '127.0.0.1', c);
      }
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const accepted = await confirmOffer(ctx, web, phone.peer, shown, approval);
      await web.peer.nothing('LINK-11', 'no admission before link.finalize');
      const s = await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted);
      expect(ctx, accepted.account.accountId === s.accountId, 'LINK-9', 'linked.accountId differs from the box');
    },
  }),

  serverCheck({
    id: 'check.link.keep-false-no-token',
    title: 'linked carries no token when hello.keep was false',
    section: SECTION,
    clauses: ['LINK-10', 'LINK-1'],
    requirement:
      "The server MUST include `token` in `linked` if and only if the web connection's `hello` had `keep: true`",
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1', { keep: false });
      const shown = await showQr(web);
      const c = await claim(ctx, phone.peer, web, shown);
      expect(ctx, !c.keep, 'LINK-1', 'link.claimed.keep must be hello.keep (false)', false, c.keep);
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const accepted = await confirmOffer(ctx, web, phone.peer, shown, approval);
      await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted); // checks LINK-10
    },
  }),

  serverCheck({
    id: 'check.link.unknown-ref-claim',
    title: 'a claim on a ref never issued answers unknown_ref',
    section: SECTION,
    clauses: ['LINK-2'],
    requirement: '`unknown_ref` (never issued, or forgotten)',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      await claimFails(ctx, phone.peer, freshB64u(16), 'unknown_ref', 'LINK-2', 'a random ref');
      await claimFails(ctx, phone.peer, freshB64u(32), 'unknown_ref', 'LINK-2', 'a random 32-byte ref');
    },
  }),

  serverCheck({
    id: 'check.link.expired-ref-claim',
    title: 'a claim on a ref that rotated away answers expired_ref',
    section: SECTION,
    clauses: ['LINK-2', 'QR-3', 'QR-5', 'LINK-1'],
    requirement: '`expired_ref` (dead: expired, declined, lapsed, aborted or phone_gone)',
    async run(ctx) {
      const config = await configure(ctx, { qrFirstTtlMs: 3_000 });
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const helloAt = await now(ctx);
      const web = await openWeb(ctx, 'web1');
      const ref1 = web.qr.ref;
      await advance(ctx, config.qrFirstTtlMs, 'ref 1 expires');
      await nextQr(web, 'QR-3', 'rotation');
      await claimFails(ctx, phone.peer, ref1, 'expired_ref', 'LINK-2', 'the rotated ref');
      await web.peer.nothing('QR-5', 'a dead ref is never claimed again');
      const c = await claim(ctx, phone.peer, web, await showQr(web));
      expect(ctx, c.requestedAt === helloAt, 'LINK-1', 'requestedAt is the time of hello, not of ref 2', helloAt, c);
    },
  }),

  serverCheck({
    id: 'check.link.used-ref-claim',
    title: 'a claim on a claimed ref (same phone) or a used ref answers used_ref',
    section: SECTION,
    clauses: ['LINK-2', 'QR-5'],
    requirement: '`used_ref` (live and already claimed by any phone connection, this one included, or used)',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await claim(ctx, phone.peer, web, shown);
      await claimFails(ctx, phone.peer, shown.ref, 'used_ref', 'LINK-2', 'the same phone claims again');
      await web.peer.nothing('LINK-2', 'a failed claim leaves the ref unchanged (no second scanned)');
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const accepted = await confirmOffer(ctx, web, phone.peer, shown, approval);
      await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted);
      const other = await registerPhone(ctx, 'phone2', phoneNumber(2));
      await claimFails(ctx, other.peer, shown.ref, 'used_ref', 'LINK-2', 'the ref was used');
    },
  }),

  serverCheck({
    id: 'check.link.claim-race',
    title: 'two phones racing for one ref: the first processed wins, the other gets used_ref',
    section: SECTION,
    clauses: ['LINK-1', 'LINK-2', 'LINK-14'],
    requirement: 'of two claims on one ref only the first the server processes succeeds.',
    async run(ctx) {
      const a = await registerPhone(ctx, 'phoneA', phoneNumber(1));
      const b = await registerPhone(ctx, 'phoneB', phoneNumber(2));
      const web = await openWeb(ctx, 'web1');
      const ref = web.qr.ref;
      a.peer.sendNow({ t: 'link.claim', ref }, 'sends link.claim (in flight with phoneB)');
      b.peer.sendNow({ t: 'link.claim', ref }, 'sends link.claim (in flight with phoneA)');
      const ua = await a.peer.settle();
      const ub = await b.peer.settle();
      const typeIs = (x: readonly { kind: string; frame?: unknown }[], t: string) =>
        x.length === 1 && x[0]?.kind === 'frame' && (x[0].frame as { t?: string }).t === t;
      const aWon = typeIs(ua, 'link.claimed');
      const bWon = typeIs(ub, 'link.claimed');
      expect(ctx, aWon !== bWon, 'LINK-1', 'exactly one claim must succeed', 'one link.claimed', { ua, ub });
      const loser = aWon ? b.peer : a.peer;
      await linkError(ctx, loser, ref, 'used_ref', 'LINK-2', 'the second claim on a claimed ref');
      await web.peer.next('scanned', 'LINK-1', 'the winning claim');
      await web.peer.nothing('LINK-1', 'exactly one scanned');
    },
  }),

  serverCheck({
    id: 'check.link.web-gone',
    title: 'the web connection closing kills its ref: the claimer gets web_gone, a later claim web_gone',
    section: SECTION,
    clauses: ['LINK-13', 'LINK-2'],
    requirement:
      'When a web connection closes while it holds a live ref, the server MUST kill the ref (reason `web_gone`), cancel every timer of that connection, and, if the ref was claimed, send the claiming phone `link.error {ref, reason: "web_gone"}`.',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await web.peer.close();
      await linkError(ctx, phone.peer, shown.ref, 'web_gone', 'LINK-13', 'the web connection of the attempt closed');
      await claimFails(ctx, phone.peer, shown.ref, 'web_gone', 'LINK-2', 'the ref died with its web connection');
      const web2 = await openWeb(ctx, 'web2');
      await web2.peer.close();
      await claimFails(ctx, phone.peer, web2.qr.ref, 'web_gone', 'LINK-2', 'a pending ref whose web closed');
      const s = await stats(ctx);
      expect(ctx, s.refs.live === 0 && s.timers === 0, 'LINK-13', 'refs or timers leaked', { live: 0, timers: 0 }, s);
    },
  }),

  serverCheck({
    id: 'check.link.decline',
    title: 'decline: the web gets declined and a fresh qr; the declined ref is dead (expired_ref)',
    section: SECTION,
    clauses: ['LINK-4', 'LINK-2'],
    requirement:
      'On `link.decline {ref}` from the phone connection that claimed `ref`, in any phase from claim until admission, the server MUST kill the ref (reason `declined`), cancel the consent timer and send the web connection `declined {ref, reason: "declined"}` followed by a fresh `qr`',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await phone.peer.send({ t: 'link.decline', ref: shown.ref });
      await declined(ctx, web, shown.ref, 'declined', 'LINK-4', 'the phone declined');
      await phone.peer.nothing('LINK-4', 'nothing more for the phone');
      await claimFails(ctx, phone.peer, shown.ref, 'expired_ref', 'LINK-2', 'the ref was declined');
      const s = await stats(ctx);
      expect(ctx, s.refs.claimed === 0 && s.refs.live === 1, 'LINK-4', 'one pending ref must remain', 1, s.refs);
    },
  }),

  serverCheck({
    id: 'check.link.decline-after-approve',
    title: 'decline abandons an approved attempt too',
    section: SECTION,
    clauses: ['LINK-4'],
    requirement: 'in any phase from claim until admission',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await phone.peer.send({ t: 'link.decline', ref: shown.ref }, 'sends link.decline after approving');
      await declined(ctx, web, shown.ref, 'declined', 'LINK-4', 'declined in phase approved');
    },
  }),

  serverCheck({
    id: 'check.link.second-approve',
    title: 'a second approve for the same ref is bad_state; the attempt ends phone_gone',
    section: SECTION,
    clauses: ['LINK-7', 'LINK-15'],
    requirement:
      'On the connection\'s own live claim, the server MUST answer a `link.approve` in any phase but `claimed`, and a `link.finalize` in any phase but `confirmed`, with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await sendApprove(phone.peer, phone.account, shown);
      await phone.peer.error('bad_state', 'LINK-7', 'a second link.approve');
      await declined(ctx, web, shown.ref, 'phone_gone', 'LINK-15', 'the claiming phone connection closed');
      await web.peer.nothing('LINK-7', 'no second offer');
    },
  }),

  serverCheck({
    id: 'check.link.approve-not-claimer',
    title: 'approve, decline or finalize by a phone that did not claim: unauthorized, nothing changes',
    section: SECTION,
    clauses: ['LINK-6', 'TR-7'],
    requirement:
      'On `link.approve`, `link.decline` or `link.finalize` for a live ref that this phone connection has not claimed (pending, or claimed by another connection), the server MUST answer `link.error {ref, reason: "unauthorized"}` and change nothing',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      const other = await registerPhone(ctx, 'phone2', phoneNumber(2));
      await sendApprove(other.peer, other.account, shown);
      await linkError(ctx, other.peer, shown.ref, 'unauthorized', 'LINK-6', 'approve of a ref another phone claimed');
      await other.peer.send({ t: 'link.decline', ref: shown.ref });
      await linkError(ctx, other.peer, shown.ref, 'unauthorized', 'LINK-6', 'decline of a ref another phone claimed');
      await web.peer.nothing('LINK-6', 'nothing reaches the web client');
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const accepted = await confirmOffer(ctx, web, phone.peer, shown, approval);
      await other.peer.send({ t: 'link.finalize', ref: shown.ref });
      await linkError(ctx, other.peer, shown.ref, 'unauthorized', 'LINK-6', 'finalize of a ref another phone claimed');
      await web.peer.nothing('LINK-11', 'no admission by a phone that did not claim');
      const s = await finalize(ctx, phone.peer, web, shown, phone.account, approval, accepted);
      expect(ctx, s.accountId === phone.account.accountId, 'LINK-11', 'admitted to the wrong account');
    },
  }),

  serverCheck({
    id: 'check.link.approve-pending-unknown',
    title: 'approve or decline on a pending ref is unauthorized, finalize on a ref never issued unknown_ref',
    section: SECTION,
    clauses: ['LINK-6'],
    requirement: 'and for a ref never issued or forgotten it MUST answer `link.error {ref, reason: "unknown_ref"}`.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      const shown = await showQr(web);
      await sendApprove(phone.peer, phone.account, shown);
      await linkError(ctx, phone.peer, shown.ref, 'unauthorized', 'LINK-6', 'approve of a pending ref');
      await phone.peer.send({ t: 'link.decline', ref: shown.ref }, 'sends link.decline on a pending ref');
      await linkError(ctx, phone.peer, shown.ref, 'unauthorized', 'LINK-6', 'decline of a pending ref');
      await web.peer.nothing('LINK-6', 'no offer, no declined for an unclaimed ref');
      const ref = freshB64u(16);
      await phone.peer.send({ t: 'link.finalize', ref }, 'sends link.finalize on a ref never issued');
      await linkError(ctx, phone.peer, ref, 'unknown_ref', 'LINK-6', 'finalize of a ref never issued');
      await claim(ctx, phone.peer, web, shown); // the pending ref is unchanged
    },
  }),

  serverCheck({
    id: 'check.link.consent-timeout',
    title: 'the consent timer lapses exactly at consentMs: declined lapsed and a fresh qr, link.error lapsed',
    section: SECTION,
    clauses: ['LINK-3'],
    requirement:
      'When the consent timer of an attempt expires (`consentMs` after the claim, before admission), the server MUST kill the ref (reason `lapsed`), send the web connection `declined {ref, reason: "lapsed"}` followed by a fresh `qr` [...] and send the claiming phone `link.error {ref, reason: "lapsed"}`.',
    async run(ctx) {
      const config = await configure(ctx, { consentMs: 7_000 });
      const { phone, web, shown } = await claimed(ctx);
      await advance(ctx, config.consentMs - 1, 'consentMs - 1');
      await web.peer.nothing('LINK-3', 'the attempt runs until consentMs');
      await phone.peer.nothing('LINK-3', 'the attempt runs until consentMs');
      await advance(ctx, 1, 'consentMs reached');
      await declined(ctx, web, shown.ref, 'lapsed', 'LINK-3', 'the consent timer expired');
      await linkError(ctx, phone.peer, shown.ref, 'lapsed', 'LINK-3', 'the consent timer expired');
      await claimFails(ctx, phone.peer, shown.ref, 'expired_ref', 'LINK-2', 'the ref lapsed');
    },
  }),

  serverCheck({
    id: 'check.link.consent-covers-attempt',
    title: 'the consent timer covers approve and confirm too; a finalize after the lapse is ignored',
    section: SECTION,
    clauses: ['LINK-3', 'LATE-1', 'LATE-2', 'QR-5'],
    requirement:
      "The consent timer covers the whole attempt (approve, offer, confirm, finalize), not only the user's decision: an attempt that stalls anywhere ends after `consentMs`.",
    async run(ctx) {
      const config = await configure(ctx, { consentMs: 5_000 });
      const { phone, web, shown } = await claimed(ctx);
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await advance(ctx, config.consentMs - 1, 'consentMs - 1 while approved');
      await confirmOffer(ctx, web, phone.peer, shown, approval);
      await advance(ctx, 1, 'consentMs reached while confirmed');
      await declined(ctx, web, shown.ref, 'lapsed', 'LINK-3', 'the consent timer expired in phase confirmed');
      await linkError(ctx, phone.peer, shown.ref, 'lapsed', 'LINK-3', 'the consent timer expired');
      await phone.peer.send({ t: 'link.finalize', ref: shown.ref }, 'sends link.finalize after the lapse (late)');
      await phone.peer.nothing('LATE-1', 'a finalize on a tombstone is ignored');
      await web.peer.nothing('QR-5', 'a lapsed ref is never admitted');
    },
  }),

  serverCheck({
    id: 'check.link.forged-tag',
    title: 'a forged confirm tag is relayed unchanged, the phone declines, nothing is admitted',
    section: SECTION,
    clauses: ['LINK-8', 'LINK-11', 'LINK-4'],
    requirement:
      "On `confirm {ref, tag}` for this connection's live ref in phase `approved`, the server MUST move the attempt to phase `confirmed` and send the claiming phone `link.confirm {ref, tag}` with `tag` unchanged.",
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const forged = freshB64u(16);
      await web.peer.send({ t: 'confirm', ref: shown.ref, tag: forged }, 'sends confirm with a forged tag');
      const lc = await phone.peer.next('link.confirm', 'LINK-8', 'the server cannot check the tag');
      expect(ctx, lc.tag === forged, 'LINK-8', 'the tag must be relayed unchanged', forged, lc.tag);
      await web.peer.nothing('LINK-11', 'a confirm alone admits nothing');
      // the honest phone's tag check fails [E2E-8]: it declines
      await phone.peer.send({ t: 'link.decline', ref: shown.ref }, 'sends link.decline (the tag does not verify)');
      await declined(ctx, web, shown.ref, 'declined', 'LINK-4', 'the phone declined the forged tag');
      const s = await stats(ctx);
      expect(ctx, s.sessions.live === 0, 'LINK-11', 'a session exists without finalize', 0, s.sessions);
    },
  }),

  serverCheck({
    id: 'check.link.finalize-before-confirm',
    title: 'finalize before confirm is bad_state and the attempt ends phone_gone, never admitted',
    section: SECTION,
    clauses: ['LINK-7', 'LINK-15', 'LINK-11'],
    requirement: 'and a `link.finalize` in any phase but `confirmed`, with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      await configure(ctx, { qrMaxRefs: 2 });
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await phone.peer.send({ t: 'link.finalize', ref: shown.ref }, 'sends link.finalize before link.confirm');
      await phone.peer.error('bad_state', 'LINK-7', 'finalize in phase approved');
      await declined(ctx, web, shown.ref, 'phone_gone', 'LINK-15', 'the claimer was closed');
      const phone2 = await registerPhone(ctx, 'phone2', phoneNumber(2));
      const shown2 = await showQr(web);
      await claim(ctx, phone2.peer, web, shown2);
      await phone2.peer.send({ t: 'link.finalize', ref: shown2.ref }, 'sends link.finalize in phase claimed');
      await phone2.peer.error('bad_state', 'LINK-7', 'finalize in phase claimed');
      await web.peer.next('declined', 'LINK-15', 'the claimer was closed');
      await web.peer.next('qr.exhausted', 'QR-4', 'ref 2 of 2 ended');
      await web.peer.closedWith(4008, 'QR-4', 'after qr.exhausted');
    },
  }),

  serverCheck({
    id: 'check.link.confirm-wrong-phase',
    title: 'confirm on a pending ref, before the offer, or a second confirm: bad_state; the claimer gets web_gone',
    section: SECTION,
    clauses: ['LINK-17', 'LINK-13'],
    requirement:
      'On `confirm` for a live ref of this connection in any phase but `approved` (pending, claimed but not approved, or already confirmed), or for a ref never issued to this connection or forgotten, the server MUST send `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const w1 = await openWeb(ctx, 'web1');
      await w1.peer.send({ t: 'confirm', ref: w1.qr.ref, tag: freshB64u(16) }, 'sends confirm on its pending ref');
      await w1.peer.error('bad_state', 'LINK-17', 'confirm in phase pending');
      const w2 = await openWeb(ctx, 'web2');
      const s2 = await showQr(w2);
      await claim(ctx, phone.peer, w2, s2);
      await w2.peer.send({ t: 'confirm', ref: s2.ref, tag: freshB64u(16) }, 'sends confirm before any offer');
      await w2.peer.error('bad_state', 'LINK-17', 'confirm in phase claimed');
      await linkError(ctx, phone.peer, s2.ref, 'web_gone', 'LINK-13', 'the web connection was closed');
      const w3 = await openWeb(ctx, 'web3');
      const s3 = await showQr(w3);
      await claim(ctx, phone.peer, w3, s3);
      const approval = await approveClaim(ctx, phone.peer, phone.account, w3, s3);
      const accepted = await confirmOffer(ctx, w3, phone.peer, s3, approval);
      await w3.peer.send({ t: 'confirm', ref: s3.ref, tag: accepted.tag }, 'sends the confirm again');
      await w3.peer.error('bad_state', 'LINK-17', 'confirm in phase confirmed');
      await linkError(ctx, phone.peer, s3.ref, 'web_gone', 'LINK-13', 'the web connection was closed');
      const w4 = await openWeb(ctx, 'web4');
      await w4.peer.send(
        { t: 'confirm', ref: w3.qr.ref, tag: freshB64u(16) },
        "sends confirm on another connection's ref",
      );
      await w4.peer.error('bad_state', 'LINK-17', 'a ref never issued to this connection');
    },
  }),

  serverCheck({
    id: 'check.link.takeover-during-linking',
    title: 'a newer phone connection of the account replaces the claimer: the attempt ends phone_gone',
    section: SECTION,
    clauses: ['LINK-15', 'REG-10'],
    requirement:
      'When the phone connection that claimed a live ref closes or is replaced (clause REG-10), the server MUST kill the ref (reason `phone_gone`), cancel its consent timer, and send the web connection `declined {ref, reason: "phone_gone"}` followed by a fresh `qr`',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      const newer = await authPhone(ctx, 'phone2', phone.account);
      await phone.peer.error('conflict', 'REG-10', 'a newer connection authenticated');
      await declined(ctx, web, shown.ref, 'phone_gone', 'LINK-15', 'the claimer was replaced');
      await newer.send({ t: 'link.finalize', ref: shown.ref }, 'sends link.finalize for the old attempt (late)');
      await newer.nothing('LATE-1', 'finalize on a tombstone is ignored');
      await claimFails(ctx, newer, shown.ref, 'expired_ref', 'LINK-2', 'the ref died phone_gone');
      const s = await stats(ctx);
      expect(ctx, s.refs.claimed === 0 && s.timers === 1, 'LINK-15', 'consent timer not cancelled', 1, s);
    },
  }),

  serverCheck({
    id: 'check.link.phone-drops',
    title: 'the claiming phone losing its connection ends the attempt phone_gone',
    section: SECTION,
    clauses: ['LINK-15'],
    requirement:
      'When the phone connection that claimed a live ref closes [...] the server MUST kill the ref (reason `phone_gone`)',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await phone.peer.drop();
      await declined(ctx, web, shown.ref, 'phone_gone', 'LINK-15', 'the claimer dropped');
    },
  }),

  serverCheck({
    id: 'check.link.web-abort',
    title: 'abort after the offer: the phone gets aborted, the web connection is closed with 1000',
    section: SECTION,
    clauses: ['LINK-12', 'LINK-18', 'LINK-2'],
    requirement:
      'On `abort {ref, reason}` for a live ref of this connection (pending or in an attempt), the server MUST kill the ref (reason `aborted`), cancel its timers, and, if it was claimed, send the claiming phone `link.error {ref, reason: "aborted"}`.',
    async run(ctx) {
      const { phone, web, shown } = await claimed(ctx);
      await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await web.peer.send({ t: 'abort', ref: shown.ref, reason: 'bad_box' });
      await web.peer.closedWith(1000, 'LINK-18', 'the server closes an aborted connection with 1000, no frame');
      await linkError(ctx, phone.peer, shown.ref, 'aborted', 'LINK-12', 'the web client aborted');
      await claimFails(ctx, phone.peer, shown.ref, 'expired_ref', 'LINK-2', 'the ref was aborted');
      const w2 = await openWeb(ctx, 'web2');
      await w2.peer.send({ t: 'abort', ref: w2.qr.ref, reason: 'bad_offer' }, 'sends abort on its pending ref');
      await w2.peer.closedWith(1000, 'LINK-18', 'abort of a pending ref');
      await phone.peer.nothing('LINK-12', 'no claimer, no link.error');
      const s = await stats(ctx);
      expect(ctx, s.refs.live === 0 && s.timers === 0, 'LINK-12', 'abort must cancel the timers', 0, s);
    },
  }),

  serverCheck({
    id: 'check.link.abort-unknown-ref',
    title: 'abort naming a ref never issued to this connection is bad_state',
    section: SECTION,
    clauses: ['LINK-18'],
    requirement:
      'for an `abort` naming a ref never issued to this connection (or forgotten) it MUST send `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const w1 = await openWeb(ctx, 'web1');
      const w2 = await openWeb(ctx, 'web2');
      await w2.peer.send({ t: 'abort', ref: w1.qr.ref, reason: 'bad_box' }, "sends abort on another connection's ref");
      await w2.peer.error('bad_state', 'LINK-18', 'not a ref of this connection');
      await w1.peer.send({ t: 'status', ref: w1.qr.ref });
      const r = await w1.peer.next('status.result', 'TR-7', 'the other connection is untouched');
      expect(ctx, r.state === 'pending', 'TR-7', "another connection's abort killed this ref", 'pending', r);
    },
  }),

  serverCheck({
    id: 'check.link.late-frames-ignored',
    title: 'confirm and abort for a dead ref, approve and decline for a tombstone: ignored, never 4000',
    section: SECTION,
    clauses: ['LATE-1', 'LATE-2', 'LINK-6', 'LINK-17'],
    requirement:
      'The server MUST NOT close a connection with 4000 for a late frame, and MUST answer or ignore each as this table says.',
    async run(ctx) {
      const config = await configure(ctx, { consentMs: 3_000, qrMaxRefs: 3 });
      const { phone, web, shown } = await claimed(ctx);
      const approval = await approveClaim(ctx, phone.peer, phone.account, web, shown);
      await phone.peer.send({ t: 'link.decline', ref: shown.ref });
      await declined(ctx, web, shown.ref, 'declined', 'LINK-4', 'declined after approve');
      const accepted = await acceptOffer(shown.secrets, shown.refBytes, { pub: approval.pub, box: approval.box });
      await web.peer.send({ t: 'confirm', ref: shown.ref, tag: accepted.tag }, 'sends confirm crossing the decline');
      await web.peer.send({ t: 'abort', ref: shown.ref, reason: 'bad_box' }, 'sends abort for the dead ref');
      await web.peer.nothing('LATE-1', 'confirm and abort of a dead ref are ignored');
      await phone.peer.nothing('LATE-2', 'an ignored confirm reaches nobody');
      await sendApprove(phone.peer, phone.account, shown);
      await phone.peer.send({ t: 'link.decline', ref: shown.ref }, 'sends link.decline for the tombstone');
      await phone.peer.nothing('LATE-1', 'approve and decline of a tombstone are ignored');
      await web.peer.nothing('LATE-2', 'no offer, no declined');
      // the connection's current ref still works
      const s2 = await showQr(web);
      await claim(ctx, phone.peer, web, s2);
      await advance(ctx, config.consentMs, 'the second attempt lapses');
      await declined(ctx, web, s2.ref, 'lapsed', 'LINK-3', 'lapse');
    },
  }),

  serverCheck({
    id: 'check.link.only-to-parties',
    title: "linking frames reach only the claiming phone and the ref's own web connection",
    section: SECTION,
    clauses: ['LINK-14'],
    requirement:
      'The server MUST send `link.claimed`, `link.error`, `link.confirm` and `link.ok` for a ref only to the phone connection that claimed it (or tried to), and `scanned`, `declined` and `offer` for a ref only to the web connection it was issued to.',
    async run(ctx) {
      const bystanderPhone = await registerPhone(ctx, 'phone2', phoneNumber(2));
      const bystanderWeb = await openWeb(ctx, 'web2');
      const phone = await registerPhone(ctx, 'phone1', phoneNumber(1));
      const web = await openWeb(ctx, 'web1');
      await linkWeb(ctx, phone, web);
      await bystanderPhone.peer.nothing('LINK-14', 'a phone of another account sees nothing of the link');
      await bystanderWeb.peer.nothing('LINK-14', 'another web connection sees nothing of the link');
    },
  }),

  serverCheck({
    id: 'check.link.hello-first',
    title:
      'hello or resume only as the first frame: a second hello, a resume after hello, status before hello are bad_state',
    section: SECTION,
    clauses: ['LINK-16'],
    requirement:
      'The server MUST accept `hello` or `resume` only as the first frame of a `/v1/web` connection, and MUST answer a second `hello`, a `hello` after `resume`, a `resume` after `hello`, and any other frame before the first `hello` or `resume`, with `error {code: "bad_state"}` and close 4000.',
    async run(ctx) {
      const w1 = await openWeb(ctx, 'web1');
      await w1.peer.send({ t: 'hello', v: 1, device: w1.device, keep: true }, 'sends a second hello');
      await w1.peer.error('bad_state', 'LINK-16', 'a second hello');
      const w2 = await openWeb(ctx, 'web2');
      await w2.peer.send({ t: 'resume', token: freshB64u(32) }, 'sends resume after hello');
      await w2.peer.error('bad_state', 'LINK-16', 'resume after hello');
      const w3 = await openWebPeer(ctx, 'web3');
      await w3.send({ t: 'status', ref: freshB64u(16) }, 'sends status before hello');
      await w3.error('bad_state', 'LINK-16', 'a frame before hello');
    },
  }),
];
