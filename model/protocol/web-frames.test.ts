/**
 * Every frame type of /v1/web, both directions: one valid sample each (accepted, unknown fields
 * dropped [TR-4]) and invalid variants refused as bad_frame + 4000 [ERR-3]..[ERR-5].
 */
import { describe, expect, it } from 'vitest';
import { type ChannelId, channels } from './catalog.js';
import { Close } from './codes.js';
import { toB64u } from './encoding.js';
import { parseFrame } from './parse.js';

// ---- channel table harness (the same in every *-frames.test.ts) ----
type Frame = Record<string, unknown>;
/** [frame type, what is wrong, fields to replace (undefined removes), field path the error names]. */
type Invalid = readonly [type: string, what: string, patch: Frame, path: string];
interface ChannelTable {
  /** One valid frame per type, with every optional field present. */
  readonly samples: Readonly<Record<string, Frame>>;
  /** The top-level fields that may be left out, per type. */
  readonly optional?: Readonly<Record<string, readonly string[]>>;
  readonly invalid: readonly Invalid[];
}

/** A value of another JSON type than `v`, that no field accepting `v`'s type accepts. */
function wrongType(v: unknown): unknown {
  if (typeof v === 'boolean') return 'true';
  if (typeof v === 'number' || typeof v === 'string') return false;
  if (Array.isArray(v)) return {};
  return [];
}

function expectRefused(channel: ChannelId, frame: Frame, kind: string, detail: string, clause: string): void {
  const r = parseFrame(channel, JSON.stringify(frame));
  expect(r.ok, `accepted ${JSON.stringify(frame).slice(0, 200)}`).toBe(false);
  if (r.ok) return;
  expect(r.error).toMatchObject({ kind, code: 'bad_frame', close: Close.protocol, clause });
  expect(r.error.detail.startsWith(detail), `detail "${r.error.detail}" should start with "${detail}"`).toBe(true);
}

function describeChannel(id: ChannelId, table: ChannelTable): void {
  const ch = channels[id];
  const types = ch.frames.map((f) => f.type);
  describe(`${id} (${ch.title})`, () => {
    it('has a valid sample for every frame type of the catalogue, and none for another', () => {
      expect(Object.keys(table.samples).sort()).toEqual([...types].sort());
    });

    describe.each(types)('%s', (type) => {
      const sample = table.samples[type] ?? {};
      const optional = table.optional?.[type] ?? [];
      const fields = Object.keys(sample).filter((k) => k !== ch.key);

      it('[TR-4] accepts the valid sample, ignoring unknown fields', () => {
        expect(table.samples[type], `no valid sample for ${type}`).toBeDefined();
        const r = parseFrame(id, JSON.stringify({ ...sample, zzUnknown: { x: [1] } }));
        expect(r).toStrictEqual({ ok: true, frame: sample });
      });

      it('[ERR-5] refuses it without a required field, accepts it without an optional one', () => {
        for (const field of fields) {
          const { [field]: _gone, ...rest } = sample;
          if (optional.includes(field)) {
            expect(parseFrame(id, JSON.stringify(rest)), `without ${field}`).toStrictEqual({ ok: true, frame: rest });
          } else {
            expectRefused(id, rest, 'schema', `${type}: ${field}: `, 'ERR-5');
          }
        }
        for (const field of optional) expect(fields, `optional ${field} missing from the sample`).toContain(field);
      });

      it('[ERR-5] refuses each field holding a value of the wrong JSON type', () => {
        for (const field of fields) {
          expectRefused(id, { ...sample, [field]: wrongType(sample[field]) }, 'schema', `${type}: ${field}`, 'ERR-5');
        }
      });

      it(`[ERR-3] refuses it without "${ch.key}" or with a non-string "${ch.key}"; [ERR-4] with an unknown one`, () => {
        const { [ch.key]: _key, ...untyped } = sample;
        expectRefused(id, untyped, 'no_type', `field "${ch.key}"`, 'ERR-3');
        expectRefused(id, { ...sample, [ch.key]: 7 }, 'no_type', `field "${ch.key}"`, 'ERR-3');
        expectRefused(id, { ...sample, [ch.key]: `${type}x` }, 'unknown_type', `unknown ${ch.key} "${type}x"`, 'ERR-4');
      });
    });

    it.each(table.invalid)('[ERR-5] refuses %s with %s', (type, _what, patch, path) => {
      expect(table.samples[type], `no valid sample for ${type}`).toBeDefined();
      expectRefused(id, { ...table.samples[type], ...patch }, 'schema', `${type}: ${path}: `, 'ERR-5');
    });
  });
}
// ---- end of harness ----

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
