/**
 * Every frame type of /v1/phone, both directions: one valid sample each (accepted, unknown fields
 * dropped [TR-4]) and invalid variants refused as bad_frame + 4000 [ERR-3]..[ERR-5].
 */
import { describe, expect, it } from 'vitest';
import { describeChannel } from './channel-table.harness.js';
import { toB64u } from './encoding.js';
import { parseFrame } from './parse.js';

const b64 = (bytes: number, fill: number) => toB64u(new Uint8Array(bytes).fill(fill));
const ref = b64(16, 1);
const key = b64(32, 2);
const e = b64(16, 3);
const tag = b64(16, 4);
const box = b64(100, 5);
const c = b64(40, 6);
const sessionId = b64(16, 7);
const accountId = b64(16, 8);
const deviceToken = b64(32, 9);
const phone = '+15551234567';
const device = { name: 'Firefox on Linux', platform: 'web' };

describeChannel('phone-to-server', {
  samples: {
    register: { t: 'register', phone },
    'register.verify': { t: 'register.verify', phone, code: '0123', identityKey: key },
    auth: { t: 'auth', phone, deviceToken },
    'link.claim': { t: 'link.claim', ref },
    'link.decline': { t: 'link.decline', ref },
    'link.approve': { t: 'link.approve', ref, pub: key, box },
    'link.finalize': { t: 'link.finalize', ref },
    to_web: { t: 'to_web', sessionId, e, n: 1, c },
    ack: { t: 'ack', sessionId, e, n: 4 },
    unlink: { t: 'unlink', sessionId },
    unlink_all: { t: 'unlink_all' },
  },
  invalid: [
    ['register', 'a number without "+"', { phone: '15551234567' }, 'phone'],
    ['register', 'a number starting with 0', { phone: '+05551234567' }, 'phone'],
    ['register', 'a number of 6 digits', { phone: '+155512' }, 'phone'],
    ['register', 'a number of 16 digits', { phone: '+1555123456789012' }, 'phone'],
    ['register', 'a number with spaces', { phone: '+1 555 123 4567' }, 'phone'],
    ['register.verify', 'a code of 3 digits', { code: '012' }, 'code'],
    ['register.verify', 'a code of 9 digits', { code: '012345678' }, 'code'],
    ['register.verify', 'a code with a letter', { code: '01a3' }, 'code'],
    ['register.verify', 'an identity key of 31 bytes', { identityKey: b64(31, 2) }, 'identityKey'],
    ['register.verify', 'an identity key of 33 bytes', { identityKey: b64(33, 2) }, 'identityKey'],
    ['auth', 'a device token with a dot', { deviceToken: 'a.b' }, 'deviceToken'],
    ['auth', 'an empty device token', { deviceToken: '' }, 'deviceToken'],
    ['link.claim', 'a ref of 15 bytes', { ref: b64(15, 1) }, 'ref'],
    ['link.claim', 'a padded ref', { ref: `${ref}==` }, 'ref'],
    ['link.decline', 'a ref with non-canonical trailing bits', { ref: `${ref.slice(0, -1)}B` }, 'ref'],
    ['link.approve', 'a pub of 32 bytes in the standard alphabet', { pub: `${key.slice(0, -2)}+/` }, 'pub'],
    ['link.approve', 'a box of 16 bytes', { box: b64(16, 5) }, 'box'],
    ['link.approve', 'a box of 16385 bytes', { box: b64(16385, 5) }, 'box'],
    ['link.finalize', 'an empty ref', { ref: '' }, 'ref'],
    ['to_web', 'n = 0', { n: 0 }, 'n'],
    ['to_web', 'n = 2^53', { n: 2 ** 53 }, 'n'],
    ['to_web', 'an epoch of 15 bytes', { e: b64(15, 3) }, 'e'],
    ['to_web', 'c of 16 bytes', { c: b64(16, 6) }, 'c'],
    ['ack', 'a fractional n', { n: 2.5 }, 'n'],
    ['unlink', 'a sessionId of 129 characters', { sessionId: 'A'.repeat(129) }, 'sessionId'],
  ],
});

describeChannel('server-to-phone', {
  samples: {
    'register.sent': { t: 'register.sent', phone, ttlMs: 300_000, length: 4 },
    'register.error': { t: 'register.error', reason: 'bad_code', attemptsLeft: 4, retryAfterMs: 1000 },
    'register.ok': { t: 'register.ok', accountId, deviceToken },
    'auth.ok': { t: 'auth.ok', accountId, sessions: [{ sessionId, device, keep: true }] },
    'link.claimed': {
      t: 'link.claimed',
      ref,
      device,
      address: '127.0.0.1',
      requestedAt: 1_700_000_000_000,
      keep: true,
    },
    'link.error': { t: 'link.error', ref, reason: 'used_ref' },
    'link.confirm': { t: 'link.confirm', ref, tag },
    'link.ok': { t: 'link.ok', ref, sessionId },
    'web.attached': { t: 'web.attached', sessionId, e },
    'web.detached': { t: 'web.detached', sessionId },
    from_web: { t: 'from_web', sessionId, e, n: 1, c },
    acked: { t: 'acked', sessionId, e, n: 1 },
    queue_full: { t: 'queue_full', sessionId, e, n: 65 },
    'session.ended': { t: 'session.ended', sessionId, reason: 'idle' },
    unlinked: { t: 'unlinked', sessionIds: [sessionId] },
    error: { t: 'error', code: 'conflict', detail: 'a newer phone connection took over', clause: 'REG-10' },
  },
  optional: { 'register.error': ['attemptsLeft', 'retryAfterMs'], error: ['clause'] },
  invalid: [
    ['register.sent', 'a code length of 3', { length: 3 }, 'length'],
    ['register.sent', 'a code length of 9', { length: 9 }, 'length'],
    ['register.sent', 'a bad number', { phone: '+1' }, 'phone'],
    ['register.error', 'an unknown reason', { reason: 'locked_out' }, 'reason'],
    ['register.error', 'attemptsLeft = -1', { attemptsLeft: -1 }, 'attemptsLeft'],
    ['register.error', 'attemptsLeft = 0 (the locking try answers locked, REG-3)', { attemptsLeft: 0 }, 'attemptsLeft'],
    ['register.error', 'a negative retryAfterMs', { retryAfterMs: -5 }, 'retryAfterMs'],
    ['auth.ok', 'a session without keep', { sessions: [{ sessionId, device }] }, 'sessions.0.keep'],
    [
      'auth.ok',
      'a session with an empty device name',
      { sessions: [{ sessionId, device: { name: '', platform: 'web' }, keep: true }] },
      'sessions.0.device.name',
    ],
    ['link.claimed', 'an address of 65 characters', { address: 'a'.repeat(65) }, 'address'],
    ['link.claimed', 'a negative requestedAt', { requestedAt: -1 }, 'requestedAt'],
    ['link.claimed', 'a device without platform', { device: { name: 'x' } }, 'device.platform'],
    ['link.error', 'an unknown reason', { reason: 'gone' }, 'reason'],
    ['link.confirm', 'a tag of 32 bytes', { tag: key }, 'tag'],
    ['web.attached', 'an epoch of 17 bytes', { e: b64(17, 3) }, 'e'],
    ['from_web', 'n = 0', { n: 0 }, 'n'],
    ['acked', 'n = 2^53', { n: 2 ** 53 }, 'n'],
    ['session.ended', 'reason unlinked (answered by unlinked, not session.ended)', { reason: 'unlinked' }, 'reason'],
    ['unlinked', 'an empty sessionId in the list', { sessionIds: [''] }, 'sessionIds.0'],
    ['error', 'an unknown code', { code: 'bad_request' }, 'code'],
  ],
});

describe('phone frames: values the schema lets through on purpose', () => {
  it('[REG-1] accepts codes of 4 to 8 digits with leading zeros and E.164 numbers of 7 to 15 digits', () => {
    for (const code of ['0000', '00000000']) {
      expect(
        parseFrame('phone-to-server', JSON.stringify({ t: 'register.verify', phone, code, identityKey: key })).ok,
      ).toBe(true);
    }
    for (const number of ['+1555123', '+155512345678901']) {
      expect(parseFrame('phone-to-server', JSON.stringify({ t: 'register', phone: number })).ok, number).toBe(true);
    }
  });

  it('[SESS-10] accepts unlinked with an empty list (unknown session)', () => {
    expect(parseFrame('server-to-phone', JSON.stringify({ t: 'unlinked', sessionIds: [] })).ok).toBe(true);
  });
});
