/**
 * Every frame type of /v1/web, both directions: one valid sample each (accepted, unknown fields
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
const token = b64(32, 9);
const device = { name: 'Firefox on Linux', platform: 'web' };

describeChannel('web-to-server', {
  samples: {
    hello: { t: 'hello', v: 1, device, keep: true },
    resume: { t: 'resume', token },
    status: { t: 'status', ref },
    confirm: { t: 'confirm', ref, tag },
    abort: { t: 'abort', ref, reason: 'bad_box' },
    attach: { t: 'attach', e },
    to_phone: { t: 'to_phone', e, n: 1, c },
    ack: { t: 'ack', e, n: 3 },
    logout: { t: 'logout' },
  },
  invalid: [
    ['hello', 'a fractional version', { v: 1.5 }, 'v'],
    ['hello', 'a device without name', { device: { platform: 'web' } }, 'device.name'],
    ['hello', 'an empty device name', { device: { name: '', platform: 'web' } }, 'device.name'],
    ['hello', 'a device name of 65 characters', { device: { name: 'n'.repeat(65), platform: 'web' } }, 'device.name'],
    ['hello', 'a platform of 33 characters', { device: { name: 'n', platform: 'p'.repeat(33) } }, 'device.platform'],
    ['resume', 'an empty token', { token: '' }, 'token'],
    ['resume', 'a token of 129 characters', { token: 'A'.repeat(129) }, 'token'],
    ['resume', 'a token with "="', { token: `${token}=` }, 'token'],
    ['resume', 'a token with "+"', { token: 'ab+c' }, 'token'],
    ['status', 'a ref of 15 bytes', { ref: b64(15, 1) }, 'ref'],
    ['status', 'a ref of 33 bytes', { ref: b64(33, 1) }, 'ref'],
    ['status', 'a padded ref', { ref: `${ref}==` }, 'ref'],
    ['status', 'a ref in the standard alphabet', { ref: `${b64(15, 0xfb)}/+` }, 'ref'],
    ['status', 'a ref with non-canonical trailing bits', { ref: `${ref.slice(0, -1)}R` }, 'ref'],
    ['status', 'a ref of 22 characters with a space', { ref: `${ref.slice(0, -1)} ` }, 'ref'],
    ['confirm', 'a tag of 15 bytes', { tag: b64(15, 4) }, 'tag'],
    ['confirm', 'a tag of 17 bytes', { tag: b64(17, 4) }, 'tag'],
    ['abort', 'an unknown reason', { reason: 'bored' }, 'reason'],
    ['attach', 'an epoch of 32 bytes', { e: key }, 'e'],
    ['to_phone', 'n = 0', { n: 0 }, 'n'],
    ['to_phone', 'n = 2^53', { n: 2 ** 53 }, 'n'],
    ['to_phone', 'a fractional n', { n: 1.5 }, 'n'],
    ['to_phone', 'c of 16 bytes (shorter than a tag)', { c: b64(16, 6) }, 'c'],
    ['to_phone', 'c of 49153 bytes', { c: b64(49153, 6) }, 'c'],
    ['ack', 'n = -1', { n: -1 }, 'n'],
  ],
});

describeChannel('server-to-web', {
  samples: {
    qr: { t: 'qr', ref, ttlMs: 60_000, n: 1, of: 6 },
    'qr.exhausted': { t: 'qr.exhausted' },
    'status.result': { t: 'status.result', ref, state: 'pending' },
    scanned: { t: 'scanned', ref },
    declined: { t: 'declined', ref, reason: 'lapsed' },
    offer: { t: 'offer', ref, pub: key, box },
    linked: { t: 'linked', sessionId, accountId, token },
    resumed: { t: 'resumed', sessionId, accountId, token },
    phone: { t: 'phone', online: true },
    from_phone: { t: 'from_phone', e, n: 2, c },
    acked: { t: 'acked', e, n: 2 },
    queue_full: { t: 'queue_full', e, n: 65 },
    revoked: { t: 'revoked', reason: 'replaced' },
    error: { t: 'error', code: 'bad_frame', detail: 'hello: v: expected number', clause: 'ERR-5' },
  },
  optional: { linked: ['token'], error: ['clause'] },
  invalid: [
    ['qr', 'n = 0', { n: 0 }, 'n'],
    ['qr', 'of = 0', { of: 0 }, 'of'],
    ['qr', 'a negative ttlMs', { ttlMs: -1 }, 'ttlMs'],
    ['qr', 'a ref of 34 bytes', { ref: b64(34, 1) }, 'ref'],
    ['status.result', 'an unknown state', { state: 'claimed' }, 'state'],
    ['declined', 'reason aborted (not a declined reason)', { reason: 'aborted' }, 'reason'],
    ['offer', 'a pub of 31 bytes', { pub: b64(31, 2) }, 'pub'],
    ['offer', 'a box of 16 bytes', { box: b64(16, 5) }, 'box'],
    ['offer', 'a box of 16385 bytes', { box: b64(16385, 5) }, 'box'],
    ['offer', 'a padded box', { box: `${b64(17, 5)}=` }, 'box'],
    ['linked', 'a sessionId of 129 characters', { sessionId: 'A'.repeat(129) }, 'sessionId'],
    ['linked', 'an empty accountId', { accountId: '' }, 'accountId'],
    ['resumed', 'a token with a dot', { token: 'abc.def' }, 'token'],
    ['from_phone', 'n = 0', { n: 0 }, 'n'],
    ['revoked', 'reason idle (never sent)', { reason: 'idle' }, 'reason'],
    ['error', 'an unknown code', { code: 'oops' }, 'code'],
    ['error', 'a detail of 1025 characters', { detail: 'd'.repeat(1025) }, 'detail'],
  ],
});

describe('web frames: values the schema lets through on purpose', () => {
  it('[ERR-9] accepts hello with v = 2, so the server can answer unsupported_version instead of bad_frame', () => {
    expect(parseFrame('web-to-server', JSON.stringify({ t: 'hello', v: 2, device, keep: false })).ok).toBe(true);
  });

  it('[ENC-2] accepts refs of 16 to 32 bytes', () => {
    for (const bytes of [16, 17, 31, 32]) {
      expect(parseFrame('web-to-server', JSON.stringify({ t: 'status', ref: b64(bytes, 1) })).ok, `${bytes}`).toBe(
        true,
      );
    }
  });

  it('[TR-4] drops unknown fields inside a device too', () => {
    const r = parseFrame(
      'web-to-server',
      JSON.stringify({ t: 'hello', v: 1, device: { ...device, os: 'x' }, keep: true }),
    );
    expect(r).toStrictEqual({ ok: true, frame: { t: 'hello', v: 1, device, keep: true } });
  });
});
