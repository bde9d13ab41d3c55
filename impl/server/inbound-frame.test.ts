/**
 * The relay's fast path in impl/server/inbound-frame.ts (an optimisation made for the relay
 * benchmark) must decide exactly as the zod schemas: it accepts a frame only when parseValue does,
 * with the same resulting object, and it takes every valid to_phone / to_web / ack. Property test,
 * fast-check; the seed is printed and QRLINK_SEED replays it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ChannelId } from '../../model/protocol/catalog.js';
import { parseValue } from '../../model/protocol/parse.js';
import { relayFrameFast } from './inbound-frame.js';

const SEED = Number(process.env.QRLINK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const b64uOf = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('base64url'));

/** Strings near base64url: right alphabet, odd lengths, a non-canonical last character, stray characters. */
const nearB64u = fc.oneof(
  b64uOf(14, 18),
  b64uOf(15, 40),
  fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 0, maxLength: 40 }),
  b64uOf(16, 40).map((s) => s.slice(0, -1) + (ALPHABET[(ALPHABET.indexOf(s.at(-1) ?? 'A') + 1) % 64] as string)),
  b64uOf(16, 30).chain((s) => fc.nat(s.length).map((i) => `${s.slice(0, i)}=${s.slice(i)}`)),
  b64uOf(16, 30).map((s) => `${s}+`),
  fc.constant(''),
  fc.integer(),
  fc.constant(null),
);
const counter = fc.oneof(
  fc.integer({ min: 1, max: 1000 }),
  fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60),
  fc.constant('1'),
);
const opaque = fc.oneof(
  fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 0, maxLength: 130 }),
  fc.constantFrom('a b', 'x=', 'ok'),
);
const epoch = fc.oneof(b64uOf(16, 16), nearB64u);
const sealed = fc.oneof(b64uOf(17, 200), nearB64u);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 8 });

/** A frame object of a relay type (or a near miss), with optional missing and extra members. */
const frame = fc
  .record({
    t: fc.constantFrom('to_phone', 'to_web', 'ack', 'attach', 'hello'),
    sessionId: maybe(opaque),
    e: maybe(epoch),
    n: maybe(counter),
    c: maybe(sealed),
    extra: maybe(fc.string()),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const channels: ChannelId[] = ['web-to-server', 'phone-to-server'];

describe('relay fast path of inboundFrame', () => {
  test(`[ERR-5] [RELAY-4] agrees with the schema on every frame (seed ${SEED})`, () => {
    console.log(`fast path property seed ${SEED} (replay: QRLINK_SEED=${SEED})`);
    let taken = 0;
    fc.assert(
      fc.property(fc.constantFrom(...channels), frame, (channel, value) => {
        const fast = relayFrameFast(channel, value);
        const full = parseValue(channel, value);
        if (fast !== undefined) {
          taken++;
          expect(full.ok).toBe(true);
          if (full.ok) expect(JSON.stringify(fast)).toBe(JSON.stringify(full.frame));
        } else if (full.ok) {
          // every valid relay frame takes the fast path
          const t = (value as { t: string }).t;
          const relay = channel === 'web-to-server' ? ['to_phone', 'ack'] : ['to_web', 'ack'];
          expect(relay).not.toContain(t);
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(0); // the generator does reach valid frames
  });
  test('[ERR-3] non-objects and other types are left to the schema', () => {
    for (const v of [null, 3, 'to_phone', [], ['to_phone']]) expect(relayFrameFast('web-to-server', v)).toBeUndefined();
    const e = Buffer.alloc(16, 1).toString('base64url');
    expect(relayFrameFast('control-request', { t: 'ack', e, n: 1 })).toBeUndefined();
    expect(relayFrameFast('web-to-server', { t: 'ack', e, n: 1, x: 1 })).toEqual({ t: 'ack', e, n: 1 });
  });
});
