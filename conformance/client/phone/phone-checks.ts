/**
 * Clause-targeted checks of a phone: registration, QR parsing, consent, linking with real crypto,
 * a server (or web client) that misbehaves on purpose, relay and custody, unlinking, and the phone
 * driver itself. Each check names its clauses; the suite plays the server and the web client.
 */

import { randomBytes } from '../../../impl/crypto/index.js';
import { initialPhoneDriverState } from '../../../model/protocol/driver-frames.js';
import { toB64u } from '../../../model/protocol/encoding.js';
import { type PhoneCase, phoneCase } from './phone-case.js';
import { ADDRESS, canonical, DEVICE, PHONE_NUMBER, type PhoneRig, REQUESTED_AT, webQr } from './phone-rig.js';

const b64 = (n: number) => toB64u(randomBytes(n));
const REG = '5 Registration';
const LINK = '7 Linking';
const CRYPTO = '8 Cryptography';
const RELAY = '9 Relay and custody';
const SESS = '10 Sessions and tokens';
const DRV = '16 Driver protocol';

/** A linked and attached session, ready for relay checks. */
async function attachedSession(rig: PhoneRig) {
  await rig.ready();
  const s = await rig.link();
  await rig.attach(s);
  return s;
}

const registration: PhoneCase[] = [
  phoneCase({
    id: 'phone-REG-happy',
    title: 'connect, register, code, register.ok: the phone is ready with its account',
    section: REG,
    clauses: ['REG-1', 'REG-7', 'TR-2', 'DRV-9', 'DRV-10'],
    body: (rig) => rig.ready(),
  }),
  phoneCase({
    id: 'phone-REG-bad-code',
    title: 'register.error bad_code lets the user type the code again',
    section: REG,
    clauses: ['REG-3', 'DRV-9', 'DRV-10'],
    body: async (rig) => {
      await rig.connectFresh();
      await rig.register();
      await rig.code('1111');
      rig.send({ t: 'register.error', reason: 'bad_code', attemptsLeft: 2 });
      await rig.until(
        (s) => s.state === 'registering' && s.error?.code === 'bad_code',
        'registering with error bad_code',
        'REG-3',
      );
      await rig.code('2222');
      await rig.registered();
    },
  }),
  phoneCase({
    id: 'phone-REG-too-soon',
    title: 'register.error too_soon keeps the phone registering',
    section: REG,
    clauses: ['REG-4', 'DRV-9'],
    body: async (rig) => {
      await rig.connectFresh();
      await rig.register();
      rig.send({ t: 'register.error', reason: 'too_soon', retryAfterMs: 30_000 });
      await rig.until(
        (s) => s.state === 'registering' && s.error?.code === 'too_soon',
        'registering with error too_soon',
        'REG-4',
      );
      await rig.register();
      await rig.code();
      await rig.registered();
    },
  }),
  ...(['locked', 'code_expired', 'no_code'] as const).map((reason) =>
    phoneCase({
      id: `phone-REG-${reason}`,
      title: `register.error ${reason} after the code: back to unregistered, register possible again`,
      section: REG,
      clauses: [reason === 'code_expired' ? 'REG-2' : reason === 'locked' ? 'REG-3' : 'REG-5', 'DRV-9'],
      body: async (rig) => {
        await rig.connectFresh();
        await rig.register();
        await rig.code();
        rig.send({ t: 'register.error', reason, ...(reason === 'locked' ? { retryAfterMs: 60_000 } : {}) });
        await rig.until(
          (s) => s.state === 'unregistered' && s.error?.code === reason,
          `unregistered with error ${reason}`,
          'DRV-9',
        );
        await rig.refused('code', { code: '1234' }, 'bad_state', 'DRV-10');
        await rig.register();
      },
    }),
  ),
  phoneCase({
    id: 'phone-REG-4401-wipes-token',
    title:
      'auth answered with error unauthorized and 4401: the device token is wiped, the next connect is unregistered',
    section: REG,
    clauses: ['REG-9', 'REG-8', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      await rig.offline();
      await rig.online();
      rig.send({ t: 'error', code: 'unauthorized', detail: 'unknown device token' });
      await rig.conn?.close(4401, 'unauthorized');
      await rig.until((s) => s.state === 'error', 'error after 4401', 'REG-9');
      await rig.connectFresh(); // fails (DRV-10) when the phone still has a token
      await rig.register(); // the next frame must be register, not an auth with the dead token
    },
  }),
  phoneCase({
    id: 'phone-REG-4401-close-alone',
    title:
      'a close 4401 with no error frame also wipes the device token (state error, the next connect is unregistered)',
    section: REG,
    clauses: ['REG-9', 'REG-8', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      await rig.conn?.close(4401, '');
      await rig.until((s) => s.state === 'error', 'error after close 4401', 'REG-9');
      await rig.connectFresh();
      await rig.register();
    },
  }),
  phoneCase({
    id: 'phone-REG-conflict-4002',
    title: 'error conflict and 4002: state error, the device token kept (the next connect authenticates)',
    section: REG,
    clauses: ['REG-10', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      rig.send({ t: 'error', code: 'conflict', detail: 'replaced by a newer connection' });
      await rig.conn?.close(4002, 'conflict');
      await rig.until((s) => s.state === 'error' && s.error?.code === 'conflict', 'error with code conflict', 'REG-10');
      const st = await rig.cmd('connect', { server: rig.server.wsUrl });
      await rig.acceptConnection();
      if (st.state !== 'connecting')
        rig.fail('DRV-10', 'connect with a device token must reply connecting', 'connecting', st);
      const f = await rig.expect('auth', 'REG-9');
      if (f.deviceToken !== rig.deviceToken)
        rig.fail('REG-9', 'auth must carry the device token', rig.deviceToken, f.deviceToken);
      await rig.authOk();
    },
  }),
  phoneCase({
    id: 'phone-REG-auth-ok-sessions',
    title: 'auth.ok lists the live sessions: the phone lists exactly those (one ended while offline is gone)',
    section: REG,
    clauses: ['REG-9', 'CONS-4', 'SESS-15'],
    body: async (rig) => {
      await rig.ready();
      await rig.link();
      const second = await rig.link(false);
      await rig.offline();
      second.ended = true; // ended while the phone was offline: auth.ok no longer lists it
      await rig.online();
      await rig.authOk();
    },
  }),
  phoneCase({
    id: 'phone-REG-reregister-ends-sessions',
    title: 'register.ok after re-registration: every earlier session is forgotten',
    section: REG,
    clauses: ['REG-8', 'CONS-4'],
    body: async (rig) => {
      await rig.ready();
      await rig.link();
      await rig.offline();
      await rig.online();
      rig.send({ t: 'error', code: 'unauthorized', detail: 'the number was registered again' });
      await rig.conn?.close(4401, 'unauthorized');
      await rig.until((s) => s.state === 'error', 'error after 4401', 'REG-9');
      await rig.connectFresh();
      await rig.register();
      await rig.code();
      await rig.registered();
      rig.checkSessions(rig.expectState('ready', 'REG-7'), 'REG-8');
    },
  }),
];

/** Texts that break E2E-2, with the check that fails first. */
function badQrTexts(): { label: string; text: string }[] {
  const ref = b64(16);
  const pub = b64(32);
  const sec = b64(32);
  return [
    { label: 'prefix', text: `https://example.com/?${ref}` },
    { label: 'prefix-case', text: `QRLINK:1,${ref},${pub},${sec}` },
    { label: 'version', text: `qrlink:2,${ref},${pub},${sec}` },
    { label: 'field-count', text: `qrlink:1,${ref},${pub}` },
    { label: 'trailing-comma', text: `qrlink:1,${ref},${pub},${sec},` },
    { label: 'whitespace', text: `qrlink:1,${ref},${pub},${sec} ` },
    { label: 'ref-base64url', text: `qrlink:1,${ref.slice(0, -1)}=,${pub},${sec}` },
    { label: 'webPub-base64url', text: `qrlink:1,${ref},${pub.slice(0, -2)}+/,${sec}` },
    { label: 'linkSecret-base64url', text: `qrlink:1,${ref},${pub},${sec.slice(0, -1)}*` },
    { label: 'ref-length', text: `qrlink:1,${b64(15)},${pub},${sec}` },
    { label: 'ref-too-long', text: `qrlink:1,${b64(33)},${pub},${sec}` },
    { label: 'webPub-length', text: `qrlink:1,${ref},${b64(31)},${sec}` },
    { label: 'linkSecret-length', text: `qrlink:1,${ref},${pub},${b64(33)}` },
  ];
}

const qrParsing: PhoneCase[] = [
  ...badQrTexts().map(({ label, text }) =>
    phoneCase({
      id: `phone-E2E-2-${label}`,
      title: `scan of a text failing the ${label} check: failed, bad_qr, still ready, nothing sent`,
      section: CRYPTO,
      clauses: ['E2E-2', 'DRV-11', ...(label.endsWith('base64url') ? ['ENC-1'] : [])],
      body: async (rig) => {
        await rig.ready();
        rig.step('user', `scan ${JSON.stringify(text)}`);
        const reply = await rig.driver.request('scan', { qr: text });
        if (reply.ok || reply.error.code !== 'failed' || reply.error.detail.trim() === '') {
          rig.fail(
            'DRV-11',
            'scan of a text failing E2E-2 must reply failed with a detail naming the check',
            { code: 'failed' },
            reply,
          );
        }
        await rig.until((s) => s.state === 'ready' && s.error?.code === 'bad_qr', 'ready with error bad_qr', 'DRV-11');
        // The next frame must be the claim of a valid QR: the bad text claimed nothing.
        await rig.scan();
      },
    }),
  ),
  phoneCase({
    id: 'phone-E2E-2-long-ref',
    title: 'a QR with a 32-byte ref is accepted and claimed',
    section: CRYPTO,
    clauses: ['E2E-2', 'PHONE-2', 'ENC-2'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan(await webQr(32));
    },
  }),
];

const consent: PhoneCase[] = [
  phoneCase({
    id: 'phone-CONS-1-screen',
    title: 'the consent screen shows device, address, requestedAt and keep exactly as link.claimed said',
    section: LINK,
    clauses: ['CONS-1', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed(false);
    },
  }),
  phoneCase({
    id: 'phone-PHONE-1-no-approval-without-user',
    title: 'link.claimed alone approves nothing: the user declines and link.decline is the next frame',
    section: CRYPTO,
    clauses: ['PHONE-1', 'CONS-2', 'LINK-4'],
    body: async (rig) => {
      await rig.ready();
      const q = await rig.scan();
      await rig.claimed();
      const st = await rig.cmd('decline', {}, 'PHONE-1');
      if (st.state !== 'ready') rig.fail('DRV-10', 'decline must reply ready', 'ready', st);
      const f = await rig.expect('link.decline', 'PHONE-1');
      if (f.ref !== q.ref) rig.fail('LINK-4', 'link.decline must name the ref', q.ref, f.ref);
      await rig.refused('approve', {}, 'bad_state', 'CONS-2');
    },
  }),
  ...(['expired_ref', 'lapsed', 'aborted', 'web_gone'] as const).map((reason) =>
    phoneCase({
      id: `phone-CONS-2-link-error-${reason}`,
      title: `link.error ${reason} during consent ends the consent screen; approve is refused and nothing is approved`,
      section: LINK,
      clauses: ['CONS-2', 'DRV-12', 'LATE-3'],
      body: async (rig) => {
        await rig.ready();
        await rig.link(); // a session, so that the probe below is a relay request
        await rig.attach(rig.session());
        await rig.scan();
        await rig.claimed();
        await rig.linkError(reason, 'CONS-2');
        await rig.refused('approve', {}, 'bad_state', 'CONS-2');
        await rig.nothingSent('CONS-2', 'after link.error ended the consent screen (link.approve for a dead ref?)');
      },
    }),
  ),
  phoneCase({
    id: 'phone-DRV-12-other-refs',
    title: 'frames about other refs do not end the consent screen; only approve, decline or its link.error do',
    section: DRV,
    clauses: ['DRV-12', 'LATE-3', 'LINK-14'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      const other = b64(16);
      rig.send({ t: 'link.error', ref: other, reason: 'expired_ref' });
      rig.send({
        t: 'link.claimed',
        ref: other,
        device: { name: 'Evil', platform: 'x' },
        address: '203.0.113.66',
        requestedAt: 5,
        keep: true,
      });
      rig.send({ t: 'link.confirm', ref: other, tag: b64(16) });
      rig.send({ t: 'link.ok', ref: other, sessionId: b64(16) });
      await rig.approve(); // the consent screen is still the scanned one, and approving it works
      await rig.confirm();
      await rig.linkOk();
    },
  }),
  phoneCase({
    id: 'phone-LINK-14-claimed-other-ref',
    title: 'link.claimed for a ref the phone never claimed shows no consent screen',
    section: LINK,
    clauses: ['LINK-14', 'LATE-3', 'PHONE-2'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      rig.send({
        t: 'link.claimed',
        ref: b64(16),
        device: DEVICE,
        address: ADDRESS,
        requestedAt: REQUESTED_AT,
        keep: true,
      });
      await rig.claimed(); // the real one: the consent screen must show the scanned ref
    },
  }),
  phoneCase({
    id: 'phone-LINK-2-claim-refused',
    title: 'link.error used_ref while scanning: back to ready with the reason',
    section: LINK,
    clauses: ['LINK-2', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      rig.send({ t: 'link.error', ref: rig.requireAttempt().qr.ref, reason: 'used_ref' });
      await rig.until(
        (s) => s.state === 'ready' && s.error?.code === 'used_ref',
        'ready with error used_ref',
        'LINK-2',
      );
      rig.attempt = undefined;
      await rig.scan();
    },
  }),
  phoneCase({
    id: 'phone-LATE-3-error-while-approving',
    title: 'link.error aborted while approving: the attempt ends, a late link.confirm finalizes nothing',
    section: LINK,
    clauses: ['LATE-3', 'CONS-2'],
    body: async (rig) => {
      await rig.ready();
      await rig.link();
      await rig.attach(rig.session());
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      const a = rig.requireAttempt();
      await rig.linkError('aborted', 'LATE-3');
      rig.send({ t: 'link.confirm', ref: a.qr.ref, tag: a.tag });
      await rig.nothingSent('LATE-3', 'after a link.confirm for an attempt that ended (link.finalize?)');
    },
  }),
  phoneCase({
    id: 'phone-LATE-3-error-while-confirming',
    title: 'link.error web_gone after finalize: the attempt ends, a late link.ok adds no session',
    section: LINK,
    clauses: ['LATE-3', 'CONS-4'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      await rig.confirm();
      const a = rig.requireAttempt();
      await rig.linkError('web_gone', 'LATE-3');
      rig.send({ t: 'link.ok', ref: a.qr.ref, sessionId: b64(16) });
      await rig.link(); // a fresh link: the list must hold only it
      rig.checkSessions(rig.expectState('ready', 'CONS-4'), 'LATE-3');
    },
  }),
  phoneCase({
    id: 'phone-LINK-15-close-mid-link',
    title:
      'the server closes (1011) while approving: offline, no consent, reconnect authenticates and finalizes nothing',
    section: LINK,
    clauses: ['LINK-15', 'LATE-3', 'DRV-9'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      const a = rig.requireAttempt();
      await rig.conn?.close(1011, 'internal error');
      await rig.until(
        (s) => (s.state === 'offline' || s.state === 'error') && s.consent === null,
        'offline after the close',
        'DRV-9',
      );
      rig.attempt = undefined;
      await rig.online();
      await rig.authOk();
      rig.send({ t: 'link.confirm', ref: a.qr.ref, tag: a.tag });
      await rig.nothingSent('LATE-3', 'after a link.confirm of an attempt of a closed connection');
    },
  }),
];

const linking: PhoneCase[] = [
  phoneCase({
    id: 'phone-LINK-happy',
    title: 'scan, consent, approve, confirm, link.ok: the box opens with the QR keys and the session is listed',
    section: LINK,
    clauses: ['E2E-5', 'E2E-4', 'PHONE-2', 'E2E-8', 'LINK-9', 'CONS-4', 'ENC-5', 'TR-4'],
    body: async (rig) => {
      await rig.ready();
      await rig.link();
    },
  }),
  phoneCase({
    id: 'phone-E2E-3-fresh-ephemeral',
    title: 'every link.approve uses a fresh ephemeral key',
    section: CRYPTO,
    clauses: ['E2E-3'],
    body: async (rig) => {
      await rig.ready();
      const pubs: string[] = [];
      for (let i = 0; i < 2; i++) {
        await rig.scan();
        await rig.claimed();
        await rig.approve();
        pubs.push(String(rig.requireAttempt().approve?.pub));
        await rig.linkError('aborted', 'CONS-2');
      }
      if (pubs[0] === pubs[1]) rig.fail('E2E-3', 'two approvals used the same ephemeral public key', 'distinct', pubs);
    },
  }),
  phoneCase({
    id: 'phone-E2E-3-zero-shared',
    title: 'a QR whose webPub gives an all-zero shared secret: approve abandons with link.decline',
    section: CRYPTO,
    clauses: ['E2E-3'],
    body: async (rig) => {
      await rig.ready();
      const ref = b64(16);
      const text = `qrlink:1,${ref},${toB64u(new Uint8Array(32))},${b64(32)}`;
      rig.step('user', 'scan a QR with a low-order webPub');
      const sc = await rig.driver.request('scan', { qr: text });
      if (!sc.ok) return; // rejecting the key at scan time also keeps the phone from approving
      await rig.expect('link.claim', 'E2E-2');
      rig.send({ t: 'link.claimed', ref, device: DEVICE, address: ADDRESS, requestedAt: REQUESTED_AT, keep: true });
      await rig.until((s) => s.state === 'consenting', 'consenting', 'CONS-1');
      await rig.raw('approve');
      const item = await rig.next();
      const f = item.kind === 'frame' ? (item.frame as Record<string, unknown>) : undefined;
      if (f?.t !== 'link.decline' || f.ref !== ref)
        rig.fail(
          'E2E-3',
          'an all-zero shared secret must abandon the approval with link.decline',
          { t: 'link.decline', ref },
          item,
        );
    },
  }),
  phoneCase({
    id: 'phone-E2E-8-forged-tag',
    title: 'link.confirm whose tag does not verify: link.decline, never link.finalize',
    section: CRYPTO,
    clauses: ['E2E-8'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      await rig.badConfirm('forged');
      const st = rig.expectState('ready', 'E2E-8');
      if (st.sessions.length !== 0) rig.fail('E2E-8', 'a wrong tag must link nothing', [], st.sessions);
    },
  }),
  phoneCase({
    id: 'phone-E2E-8-other-box',
    title: 'a tag made with the right key over another box does not verify: link.decline',
    section: CRYPTO,
    clauses: ['E2E-8', 'E2E-7'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      await rig.badConfirm('other-box');
    },
  }),
  phoneCase({
    id: 'phone-LINK-14-confirm-other-attempt',
    title: 'link.confirm for another ref is ignored: no finalize, no decline; the right one finalizes',
    section: LINK,
    clauses: ['LINK-14', 'LATE-3', 'E2E-8'],
    body: async (rig) => {
      await rig.ready();
      await rig.scan();
      await rig.claimed();
      await rig.approve();
      rig.send({ t: 'link.confirm', ref: b64(16), tag: rig.requireAttempt().tag });
      await rig.confirm(); // the next frame must be this finalize
      await rig.linkOk();
    },
  }),
];

const relay: PhoneCase[] = [
  phoneCase({
    id: 'phone-RELAY-history',
    title: 'from_web history: ack, then one history page sealed under kP2W_e with n = 1',
    section: RELAY,
    clauses: ['RELAY-18', 'E2E-11', 'E2E-12', 'PHONE-5', 'E2E-13'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const p = await rig.request(s);
      if (p?.op.op !== 'history')
        rig.fail('PHONE-5', 'a history request must be answered with a history page', 'history', p?.op);
    },
  }),
  phoneCase({
    id: 'phone-E2E-12-counters',
    title: 'several answers: n = 1, 2, 3 under one epoch, never a repeated n',
    section: CRYPTO,
    clauses: ['E2E-12', 'PHONE-5', 'ENC-4'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      for (let i = 0; i < 3; i++) await rig.request(s);
    },
  }),
  phoneCase({
    id: 'phone-E2E-13-replay',
    title: 'a replayed from_web (same n) and a lower n: acked with the high-water, not processed',
    section: CRYPTO,
    clauses: ['E2E-13', 'RELAY-18', 'PHONE-3'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      await rig.request(s);
      const f2 = rig.fromWeb(s, { op: 'history', limit: 2 });
      await rig.request(s, undefined, f2);
      for (const replay of [f2, rig.fromWeb(s, { op: 'history', limit: 3 }, { n: 1 })]) {
        rig.send(replay);
        const item = await rig.next();
        const ack = item.kind === 'frame' ? (item.frame as Record<string, unknown>) : undefined;
        if (ack?.t === 'to_web')
          rig.fail(
            'E2E-13',
            `the phone processed a replayed from_web (n = ${String(replay.n)} at or below the high-water 2) and answered it`,
            { t: 'ack', n: 2 },
            ack,
          );
        if (ack?.t !== 'ack' || ack.n !== 2)
          rig.fail('RELAY-18', 'a duplicate must be acked with the high-water 2', { t: 'ack', n: 2 }, item);
      }
      await rig.nothingSent('E2E-13', 'after a replayed from_web (it was processed again)');
    },
  }),
  phoneCase({
    id: 'phone-E2E-13-does-not-open',
    title: 'a from_web that does not open: dropped without an ack',
    section: CRYPTO,
    clauses: ['E2E-13'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const e = s.epoch as string;
      rig.send({ t: 'from_web', sessionId: s.id, e, n: 1, c: b64(64) });
      await rig.nothingSent('E2E-13', 'after a from_web that does not open');
    },
  }),
  phoneCase({
    id: 'phone-E2E-18-bad-op',
    title: 'a from_web that opens but holds no valid operation: acked, nothing else',
    section: CRYPTO,
    clauses: ['E2E-18', 'RELAY-18'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const f = rig.fromWeb(s, { op: 'teleport', to: 'mars' });
      rig.send(f);
      const ack = await rig.expect('ack', 'E2E-18');
      if (ack.n !== f.n) rig.fail('E2E-18', 'a frame that opens must be acknowledged', f.n, ack.n);
      s.hw.set(String(f.e), Number(f.n));
      await rig.nothingSent('E2E-18', 'in answer to an invalid operation');
    },
  }),
  phoneCase({
    id: 'phone-PHONE-3-per-epoch',
    title: 'a from_web of an earlier epoch (a closed tab) is opened with that epoch’s keys and high-water',
    section: RELAY,
    clauses: ['PHONE-3', 'E2E-11'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const e1 = s.epoch as string;
      await rig.request(s);
      await rig.attach(s); // a new tab: new epoch; the page answered before is re-sealed under it
      rig.ackAll(s);
      const old = rig.fromWeb(s, { op: 'history', limit: 1 }, { e: e1 }); // n = 2 of e1
      await rig.request(s, undefined, old);
      const fresh = rig.fromWeb(s, { op: 'history', limit: 1 }); // n = 1 of the new epoch
      await rig.request(s, undefined, fresh);
    },
  }),
  phoneCase({
    id: 'phone-PHONE-4-duplicate-send',
    title: 'a send with an id already processed is answered sent again with the stored message',
    section: CRYPTO,
    clauses: ['PHONE-4'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const chats = await rig.request(s, { op: 'history', limit: 50 });
      const chat = (chats?.op as { chats?: { chatId: string }[] } | undefined)?.chats?.[0]?.chatId ?? 'c1';
      const a = await rig.request(s, { op: 'send', id: 'suite-1', chatId: chat, text: 'hello from the suite' });
      const b = await rig.request(s, { op: 'send', id: 'suite-1', chatId: chat, text: 'hello from the suite' });
      const ma = (a?.op as { message?: unknown } | undefined)?.message;
      const mb = (b?.op as { message?: unknown } | undefined)?.message;
      if (a?.op.op !== 'sent' || b?.op.op !== 'sent' || JSON.stringify(ma) !== JSON.stringify(mb)) {
        rig.fail('PHONE-4', 'a duplicate send must be answered sent with the same stored message', a?.op, b?.op);
      }
    },
  }),
  phoneCase({
    id: 'phone-PHONE-6-before-attach',
    title: 'a request delivered before any web.attached: acked, answered only after web.attached, under its epoch',
    section: RELAY,
    clauses: ['PHONE-6', 'RELAY-14'],
    body: async (rig) => {
      await rig.ready();
      const s = await rig.link();
      const e = b64(16);
      await rig.request(s, undefined, rig.fromWeb(s, { op: 'history', limit: 2 }, { e }));
      await rig.attach(s, e); // the owed answer must come now, n = 1 under e
    },
  }),
  phoneCase({
    id: 'phone-RELAY-14-new-epoch',
    title: 'web.attached with a new epoch: unacked answers re-sealed from n = 1 in order, acked ones not',
    section: RELAY,
    clauses: ['RELAY-14', 'RELAY-6', 'E2E-12'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      await rig.request(s);
      rig.ackAll(s);
      await rig.request(s, { op: 'history', limit: 1 });
      await rig.request(s, { op: 'history', limit: 2 });
      await rig.attach(s);
      await rig.request(s);
    },
  }),
  phoneCase({
    id: 'phone-RELAY-14-repeated-epoch',
    title:
      'web.attached repeating the epoch after a reconnect: unacked frames re-sent identical, the counter continues (no nonce reuse)',
    section: RELAY,
    clauses: ['RELAY-14', 'E2E-12', 'RELAY-9'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      await rig.request(s);
      await rig.request(s);
      rig.send({ t: 'acked', sessionId: s.id, e: s.epoch, n: 1 });
      s.outbox = s.outbox.filter((o) => o.n > 1);
      await rig.offline();
      await rig.online();
      await rig.authOk();
      await rig.attach(s, s.epoch as string);
      await rig.request(s); // must be n = 3
    },
  }),
  phoneCase({
    id: 'phone-RELAY-15-queue-full',
    title: 'queue_full: no new frame until acked; then the refused frame identical and the held ones in order',
    section: RELAY,
    clauses: ['RELAY-15', 'E2E-12'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      await rig.request(s);
      await rig.request(s);
      const refused = s.outbox.at(-1);
      if (!refused) throw new Error('no frame');
      rig.send({ t: 'queue_full', sessionId: s.id, e: refused.e, n: refused.n });
      s.blockedAt = refused.n;
      await rig.request(s); // acked but held: must not be sent yet (request checks it)
      rig.send({ t: 'acked', sessionId: s.id, e: refused.e, n: refused.n - 1 });
      s.outbox = s.outbox.filter((o) => o.n >= refused.n);
      s.blockedAt = undefined;
      s.resends = 1;
      const again = await rig.expect('to_web', 'RELAY-15');
      if (again.n !== refused.n || again.c !== refused.c)
        rig.fail('RELAY-15', 'after acked the refused frame must be re-sent identical', refused, again);
      for (let i = 0; i < s.owed; i++) await rig.expect('to_web', 'RELAY-15');
      s.owed = 0;
    },
  }),
  phoneCase({
    id: 'phone-LATE-3-other-session',
    title: 'from_web, web.attached and acked for a session the phone does not have: ignored',
    section: RELAY,
    clauses: ['LATE-3'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const other = b64(16);
      rig.send({ t: 'web.attached', sessionId: other, e: b64(16) });
      rig.send({ t: 'from_web', sessionId: other, e: s.epoch, n: 1, c: b64(48) });
      rig.send({ t: 'acked', sessionId: other, e: s.epoch, n: 1 });
      await rig.nothingSent('LATE-3', 'in answer to frames of a session it never had');
    },
  }),
];

const encoding: PhoneCase[] = [
  phoneCase({
    id: 'phone-ENC-3-opaque-ids',
    title: 'accountId, deviceToken and sessionId of 1 and 128 base64url characters are kept and used as given',
    section: '2 Conventions',
    clauses: ['ENC-3'],
    body: async (rig) => {
      rig.accountId = 'A'.repeat(128);
      await rig.connectFresh();
      await rig.register();
      await rig.code();
      rig.deviceToken = '-';
      rig.send({ t: 'register.ok', accountId: rig.accountId, deviceToken: rig.deviceToken });
      const st = await rig.until((x) => x.state === 'ready', 'ready', 'ENC-3');
      if (st.accountId !== rig.accountId)
        rig.fail('ENC-3', 'the accountId must be kept as given', rig.accountId, st.accountId);
      const s = await rig.link();
      await rig.offline();
      await rig.online(); // auth must carry the 1-character token unchanged
      await rig.authOk();
      await rig.attach(s);
      await rig.request(s);
    },
  }),
  phoneCase({
    id: 'phone-TR-4-unknown-members',
    title: 'server frames with members the phone does not know are handled as without them',
    section: '3 Transport',
    clauses: ['TR-4'],
    body: async (rig) => {
      await rig.ready();
      const q = await rig.scan();
      rig.send({
        t: 'link.claimed',
        ref: q.ref,
        device: { ...DEVICE, model: 'x' },
        address: ADDRESS,
        requestedAt: REQUESTED_AT,
        keep: true,
        future: { a: 1 },
      });
      const st = await rig.until((x) => x.state === 'consenting', 'consenting', 'TR-4');
      if (st.consent?.ref !== q.ref)
        rig.fail('TR-4', 'link.claimed with an unknown member must still show the consent screen', q.ref, st.consent);
      await rig.approve();
      const a = rig.requireAttempt();
      rig.send({ t: 'link.confirm', ref: q.ref, tag: a.tag, hint: 'ignored' });
      await rig.expect('link.finalize', 'TR-4');
      await rig.until((x) => x.state === 'confirming', 'confirming', 'DRV-9');
      await rig.linkOk();
    },
  }),
  phoneCase({
    id: 'phone-ENC-1-bad-base64url',
    title: 'relay frames with a padded or non-canonical e or c, or n = 0, are rejected: no ack, nothing processed',
    section: '2 Conventions',
    clauses: ['ENC-1', 'ENC-4', 'E2E-13'],
    body: async (rig) => {
      const s = await attachedSession(rig);
      const good = rig.fromWeb(s, { op: 'history', limit: 1 });
      const e = String(good.e);
      const c = String(good.c);
      const nonCanonical = (v: string) => v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A');
      for (const f of [
        { ...good, e: `${e}==` },
        { ...good, c: `${c}=` },
        { ...good, e: nonCanonical(e) },
        { ...good, n: 0 },
      ]) {
        rig.send(f);
      }
      await rig.request(s, undefined, good); // the next frame must be the ack of the good one
    },
  }),
];

const sessions: PhoneCase[] = [
  phoneCase({
    id: 'phone-SESS-15-session-ended',
    title: 'session.ended: the session is forgotten; its frames afterwards are ignored',
    section: SESS,
    clauses: ['SESS-15', 'LATE-3', 'CONS-4'],
    body: async (rig) => {
      await rig.ready();
      const a = await rig.link();
      await rig.attach(a);
      const b = await rig.link();
      await rig.attach(b);
      rig.send({ t: 'session.ended', sessionId: a.id, reason: 'logout' });
      a.ended = true;
      const st = await rig.until(
        (x) => !x.sessions.some((y) => y.sessionId === a.id),
        'the ended session unlisted',
        'SESS-15',
      );
      rig.checkSessions(st, 'SESS-15');
      rig.send(rig.fromWeb(a, { op: 'history', limit: 1 })); // the suite still holds its keys

      await rig.nothingSent('LATE-3', 'in answer to a relay frame of an ended session');
    },
  }),
  phoneCase({
    id: 'phone-SESS-10-unlink',
    title: 'unlink sends unlink {sessionId}; unlinked forgets it; unlink_all sends unlink_all',
    section: SESS,
    clauses: ['SESS-10', 'SESS-11', 'DRV-10', 'CONS-4'],
    body: async (rig) => {
      await rig.ready();
      const a = await rig.link();
      const b = await rig.link();
      await rig.cmd('unlink', { sessionId: a.id });
      const f = await rig.expect('unlink', 'SESS-10');
      if (f.sessionId !== a.id) rig.fail('SESS-10', 'unlink must name the session', a.id, f.sessionId);
      rig.send({ t: 'unlinked', sessionIds: [a.id] });
      a.ended = true;
      rig.checkSessions(await rig.until((x) => x.sessions.length === 1, 'one session left', 'SESS-10'), 'SESS-10');
      await rig.cmd('unlink_all');
      await rig.expect('unlink_all', 'SESS-11');
      rig.send({ t: 'unlinked', sessionIds: [b.id] });
      b.ended = true;
      await rig.until((x) => x.sessions.length === 0, 'no session left', 'SESS-11');
    },
  }),
  phoneCase({
    id: 'phone-ERR-error-frame',
    title: 'error bad_state and close 4000: the phone stops in state error and reconnects when told',
    section: '12 Errors and close codes',
    clauses: ['DRV-9', 'ERR-8'],
    body: async (rig) => {
      await rig.ready();
      rig.send({ t: 'error', code: 'bad_state', detail: 'x' });
      await rig.conn?.close(4000, 'x'.repeat(100));
      await rig.until((s) => s.state === 'error', 'error', 'DRV-9');
      await rig.cmd('connect', { server: rig.server.wsUrl });
      await rig.acceptConnection();
      await rig.expect('auth', 'REG-9');
      await rig.authOk();
    },
  }),
];

const driver: PhoneCase[] = [
  phoneCase({
    id: 'phone-DRV-4-bad-request',
    title: 'arguments breaking the schema: bad_request, nothing changes',
    section: DRV,
    clauses: ['DRV-4'],
    body: async (rig) => {
      await rig.refused('connect', { server: 'http://127.0.0.1:1' }, 'bad_request', 'DRV-4');
      await rig.refused('connect', {}, 'bad_request', 'DRV-4');
      await rig.connectFresh();
      await rig.refused('register', { phone: '5550001234' }, 'bad_request', 'DRV-4');
      await rig.register();
      await rig.refused('code', { code: '12a4' }, 'bad_request', 'DRV-4');
      await rig.refused('online', { value: 'yes' }, 'bad_request', 'DRV-4');
    },
  }),
  phoneCase({
    id: 'phone-DRV-4-unknown-cmd',
    title: 'commands of no phone (fly, the web client’s open): unknown_cmd',
    section: DRV,
    clauses: ['DRV-4', 'DRV-10'],
    body: async (rig) => {
      await rig.refused('fly', {}, 'unknown_cmd', 'DRV-4');
      await rig.refused('open', { server: rig.server.wsUrl, keep: true }, 'unknown_cmd', 'DRV-4');
      await rig.refused('logout', {}, 'unknown_cmd', 'DRV-4');
    },
  }),
  phoneCase({
    id: 'phone-DRV-10-bad-state',
    title: 'commands outside their states: bad_state, nothing changes, nothing sent',
    section: DRV,
    clauses: ['DRV-10', 'DRV-4'],
    body: async (rig) => {
      await rig.refused('online', { value: true }, 'bad_state', 'DRV-10');
      await rig.refused('approve', {}, 'bad_state', 'DRV-10');
      await rig.refused('register', { phone: PHONE_NUMBER }, 'bad_state', 'DRV-10');
      await rig.connectFresh();
      await rig.refused('code', { code: '1234' }, 'bad_state', 'DRV-10');
      await rig.refused('scan', { qr: (await webQr()).text }, 'bad_state', 'DRV-10');
      await rig.refused('connect', { server: rig.server.wsUrl }, 'bad_state', 'DRV-10');
      await rig.register();
      await rig.code();
      await rig.registered();
      await rig.refused('register', { phone: PHONE_NUMBER }, 'bad_state', 'DRV-10');
      await rig.refused('decline', {}, 'bad_state', 'DRV-10');
      await rig.scan();
      await rig.refused('scan', { qr: (await webQr()).text }, 'bad_state', 'DRV-10');
      await rig.claimed();
    },
  }),
  phoneCase({
    id: 'phone-DRV-6-events-before-reply',
    title: 'every change is pushed as a state event before the reply, the last one equal to the result',
    section: DRV,
    clauses: ['DRV-6', 'DRV-5'],
    body: async (rig) => {
      rig.driver.takeEvents();
      for (const [cmd, args] of [
        ['connect', { server: rig.server.wsUrl }],
        ['register', { phone: PHONE_NUMBER }],
        ['code', { code: '1234' }],
      ] as const) {
        const result = await rig.cmd(cmd, args);
        const events = rig.driver.takeEvents();
        const last = events.at(-1);
        if (!last || canonical(last) !== canonical(result)) {
          rig.fail(
            'DRV-6',
            `the last state event before the ${cmd} reply must equal its result`,
            result,
            last ?? 'no event',
          );
        }
        // [DRV-5] the frame a command causes is written before its reply.
        if (cmd === 'connect') await rig.acceptConnection();
        else await rig.expect(cmd === 'register' ? 'register' : 'register.verify', 'DRV-5');
      }
    },
  }),
  phoneCase({
    id: 'phone-DRV-5-connect-failed',
    title: 'connect to a port where nothing listens: failed, state error with connect_failed',
    section: DRV,
    clauses: ['DRV-5', 'DRV-9'],
    body: async (rig) => {
      const reply = await rig.raw('connect', { server: 'ws://127.0.0.1:1' });
      if (reply.ok) return rig.fail('DRV-5', 'connect to a closed port must reply failed', 'failed', reply);
      if (reply.error.code !== 'failed')
        rig.fail('DRV-4', 'a connect that was tried and failed answers failed', 'failed', reply.error);
      await rig.until((s) => s.state === 'error' || s.state === 'offline', 'error after a failed connect', 'DRV-9');
      await rig.connectFresh(); // and the next connect works
    },
  }),
  phoneCase({
    id: 'phone-DRV-2-one-connection',
    title: 'a second driver connection closes the first with 1000',
    section: DRV,
    clauses: ['DRV-2'],
    body: async (rig) => {
      const second = await rig.ctx.target.openDriver(rig.ctx.wire);
      try {
        const reply = await rig.driver.request('state').then(
          (r) => r,
          (err: unknown) => err,
        );
        const closes = rig.ctx.wire.entries.filter(
          (x) => x.peer === 'driver' && x.dir === 'in' && x.close !== undefined,
        );
        if (!(reply instanceof Error) || closes.at(0)?.close?.code !== 1000) {
          rig.fail(
            'DRV-2',
            'opening a second driver connection must close the first with 1000',
            1000,
            closes.at(0)?.close ?? reply,
          );
        }
        const st = await second.request('state');
        if (!st.ok || st.result.state !== 'idle')
          rig.fail('DRV-2', 'the new driver connection must be served', 'idle', st);
      } finally {
        await second.close();
      }
    },
  }),
  phoneCase({
    id: 'phone-DRV-13-reset',
    title: 'reset after a link: the connection closes with 1000, state idle, nothing remembered (no auth)',
    section: DRV,
    clauses: ['DRV-13'],
    body: async (rig) => {
      await rig.ready();
      await rig.link();
      const st = await rig.cmd('reset', {}, 'DRV-13');
      const fresh = initialPhoneDriverState();
      if (canonical(st) !== canonical(fresh))
        rig.fail('DRV-13', 'after reset the state must be the initial one', fresh, st);
      const item = await rig.next();
      if (item.kind !== 'close' || item.code !== 1000)
        rig.fail('DRV-13', 'reset must close the connection with 1000', 1000, item);
      await rig.refused('online', { value: true }, 'bad_state', 'DRV-13');
      await rig.connectFresh(); // unregistered: the device token is gone
      await rig.register(); // the next frame must be register, not auth
    },
  }),
];

/** Every clause-targeted phone check, in catalogue order. */
export function phoneChecks(): PhoneCase[] {
  return [...registration, ...qrParsing, ...consent, ...linking, ...relay, ...encoding, ...sessions, ...driver];
}
