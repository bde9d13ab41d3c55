/**
 * Parsing a received text frame: every way it can fail, with the close code and clause the protocol
 * prescribes [ERR-2]..[ERR-5]. Properties replay with QRLINK_SEED.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChannelId, channels } from './catalog.js';
import { Close } from './codes.js';
import { type FrameError, parseFrame, parseValue } from './parse.js';

const seed = process.env.QRLINK_SEED === undefined ? undefined : Number(process.env.QRLINK_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

const channelIds = Object.keys(channels) as ChannelId[];
const device = { name: 'Firefox', platform: 'web' };
const hello = { t: 'hello', v: 1, device, keep: true };

function refusal(channel: ChannelId, text: string): FrameError {
  const r = parseFrame(channel, text);
  if (r.ok) throw new Error(`accepted ${text}`);
  return r.error;
}

describe('[ERR-2] not JSON: close 1007, no error frame', () => {
  it.each([
    ['an empty frame', ''],
    ['plain text', 'hello'],
    ['an unterminated object', '{"t":"hello"'],
    ['unquoted keys', '{t:"logout"}'],
    ['single quotes', "{'t':'logout'}"],
    ['a trailing comma', '{"t":"logout",}'],
    ['the NaN literal', '{"t":"ack","e":"AAAAAAAAAAAAAAAAAAAAAA","n":NaN}'],
    ['the Infinity literal', '{"t":"ack","e":"AAAAAAAAAAAAAAAAAAAAAA","n":Infinity}'],
    ['the -Infinity literal', '{"t":"qr","ttlMs":-Infinity}'],
    ['trailing garbage', '{"t":"logout"} x'],
    ['two objects', '{"t":"logout"}{"t":"logout"}'],
    ['a comment', '{"t":"logout"} // bye'],
    ['a byte-order mark', '\uFEFF{"t":"logout"}'],
  ])('%s', (_what, text) => {
    for (const channel of channelIds) {
      expect(refusal(channel, text)).toStrictEqual({
        kind: 'not_json',
        close: Close.badPayload,
        code: 'bad_frame',
        detail: 'frame is not JSON',
        clause: 'ERR-2',
      });
    }
  });

  it('accepts whitespace around the object', () => {
    expect(parseFrame('web-to-server', ' \n{"t":"logout"}\r\n\t')).toStrictEqual({ ok: true, frame: { t: 'logout' } });
  });

  it('[ERR-5] a number literal too large for a double is JSON (Infinity after parsing): a schema error, not 1007', () => {
    const e = refusal('web-to-server', '{"t":"ack","e":"AAAAAAAAAAAAAAAAAAAAAA","n":1e400}');
    expect(e).toMatchObject({ kind: 'schema', close: Close.protocol, clause: 'ERR-5' });
    expect(e.detail.startsWith('ack: n: ')).toBe(true);
  });
});

describe('[ERR-3] JSON that is not an object: bad_frame, close 4000', () => {
  it.each([
    ['an array', '[]'],
    ['an array holding a frame', '[{"t":"logout"}]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"logout"'],
    ['true', 'true'],
  ])('%s', (_what, text) => {
    for (const channel of channelIds) {
      expect(refusal(channel, text)).toStrictEqual({
        kind: 'not_object',
        close: Close.protocol,
        code: 'bad_frame',
        detail: 'frame is not a JSON object',
        clause: 'ERR-3',
      });
    }
  });

  it('parseValue refuses undefined and functions the same way', () => {
    expect(parseValue('web-to-server', undefined)).toMatchObject({ ok: false, error: { kind: 'not_object' } });
    expect(parseValue('web-to-server', () => 1)).toMatchObject({ ok: false, error: { kind: 'not_object' } });
  });
});

describe('[ERR-3] type field missing or not a string: bad_frame, close 4000', () => {
  it.each([
    ['an empty object', '{}'],
    ['no t', '{"type":"logout"}'],
    ['t a number', '{"t":1}'],
    ['t null', '{"t":null}'],
    ['t an array', '{"t":["logout"]}'],
    ['t an object', '{"t":{"t":"logout"}}'],
    ['t true', '{"t":true}'],
  ])('%s', (_what, text) => {
    expect(refusal('web-to-server', text)).toStrictEqual({
      kind: 'no_type',
      close: Close.protocol,
      code: 'bad_frame',
      detail: 'field "t" is missing or not a string',
      clause: 'ERR-3',
    });
  });

  it('names the field of the channel: "op" for app ops, "cmd" for driver requests', () => {
    expect(refusal('web-to-phone-op', '{"t":"history","limit":1}').detail).toBe(
      'field "op" is missing or not a string',
    );
    expect(refusal('phone-driver-request', '{"id":1,"t":"state"}').detail).toBe(
      'field "cmd" is missing or not a string',
    );
  });
});

describe('[ERR-4] unknown type: bad_frame, close 4000', () => {
  it.each(['nope', '', 'HELLO', 'hello ', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])('t = %j', (t) => {
    expect(refusal('web-to-server', JSON.stringify({ t }))).toStrictEqual({
      kind: 'unknown_type',
      close: Close.protocol,
      code: 'bad_frame',
      detail: `unknown t "${t}" on ${channels['web-to-server'].title}`,
      clause: 'ERR-4',
    });
  });

  it('a frame of the other direction or another endpoint is unknown here', () => {
    const cases: [ChannelId, unknown][] = [
      ['web-to-server', { t: 'qr', ref: 'AAAAAAAAAAAAAAAAAAAAAA', ttlMs: 1, n: 1, of: 1 }],
      ['web-to-server', { t: 'register', phone: '+15551234567' }],
      ['server-to-web', hello],
      ['phone-to-server', { t: 'logout' }],
      ['control-request', { t: 'reset.ok' }],
      ['phone-to-web-op', { op: 'send', id: 'm', chatId: 'c', text: 'x' }],
    ];
    for (const [channel, frame] of cases) {
      expect(refusal(channel, JSON.stringify(frame)).kind, `${channel} ${JSON.stringify(frame)}`).toBe('unknown_type');
    }
  });

  it('quotes at most 64 characters of the unknown type', () => {
    const detail = refusal('server-to-phone', JSON.stringify({ t: 'x'.repeat(10_000) })).detail;
    expect(detail).toBe(`unknown t "${'x'.repeat(64)}" on ${channels['server-to-phone'].title}`);
  });
});

describe('[ERR-5] schema violation: bad_frame, close 4000, the detail names the type and the field path', () => {
  it.each([
    ['a nested field', { ...hello, device: { name: 'n'.repeat(65), platform: 'web' } }, 'hello: device.name: '],
    ['a missing field', { t: 'hello', v: 1, keep: true }, 'hello: device: '],
    ['a wrong type', { ...hello, keep: 'yes' }, 'hello: keep: '],
    ['an array element', { t: 'unlinked', sessionIds: ['ok', ''] }, 'unlinked: sessionIds.1: '],
  ])('%s', (_what, frame, prefix) => {
    const channel = frame.t === 'unlinked' ? 'server-to-phone' : 'web-to-server';
    const e = refusal(channel, JSON.stringify(frame));
    expect(e).toMatchObject({ kind: 'schema', close: Close.protocol, code: 'bad_frame', clause: 'ERR-5' });
    expect(e.detail.startsWith(prefix), e.detail).toBe(true);
    expect(e.detail.length).toBeGreaterThan(prefix.length);
  });
});

describe('a valid frame', () => {
  it('[TR-4] is returned as a new object without its unknown fields', () => {
    const value = { ...hello, device: { ...device, extra: true }, extra: [1] };
    const r = parseValue('web-to-server', value);
    expect(r).toStrictEqual({ ok: true, frame: hello });
    expect(r.ok && r.frame).not.toBe(value);
    expect(value.extra).toEqual([1]);
  });

  it('parses the same through parseFrame and parseValue', () => {
    expect(parseFrame('web-to-server', JSON.stringify(hello))).toStrictEqual(parseValue('web-to-server', hello));
  });
});

describe('parseFrame on any input (properties)', () => {
  const kinds: Record<FrameError['kind'], [number, string]> = {
    not_json: [Close.badPayload, 'ERR-2'],
    not_object: [Close.protocol, 'ERR-3'],
    no_type: [Close.protocol, 'ERR-3'],
    unknown_type: [Close.protocol, 'ERR-4'],
    schema: [Close.protocol, 'ERR-5'],
  };
  const check = (channel: ChannelId, text: string, isJson: boolean) => {
    const r = parseFrame(channel, text);
    if (r.ok) return;
    expect(r.error.code).toBe('bad_frame');
    expect([r.error.close, r.error.clause]).toEqual(kinds[r.error.kind]);
    expect(r.error.kind === 'not_json').toBe(!isJson);
    expect(r.error.detail.length).toBeLessThan(2048);
  };

  it('never throws, and classifies every refusal with its close code and clause', () => {
    const channel = fc.constantFrom(...channelIds);
    fc.assert(
      fc.property(channel, fc.string({ maxLength: 60 }), (ch, text) => {
        let isJson = true;
        try {
          JSON.parse(text);
        } catch {
          isJson = false;
        }
        check(ch, text, isJson);
      }),
      params(400),
    );
    fc.assert(
      fc.property(channel, fc.json({ maxDepth: 3 }), (ch, text) => check(ch, text, true)),
      params(400),
    );
  });

  it('never throws on objects with a known type and random fields', () => {
    const framed = fc.constantFrom(...channelIds).chain((id) => {
      const ch = channels[id];
      return fc.tuple(
        fc.constant(id),
        fc.constantFrom(...ch.frames.map((f) => f.type)),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
      );
    });
    fc.assert(
      fc.property(framed, ([id, type, fields]) => {
        const key = channels[id].key;
        check(id, JSON.stringify({ ...fields, [key]: type }), true);
      }),
      params(400),
    );
  });
});
