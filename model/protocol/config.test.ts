/**
 * Server configuration: defaults and ranges of every timer and limit; the control endpoint's
 * `config {set}` patch [CTL-6]. Properties replay with QRLINK_SEED.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Config, ConfigPatch, ConfigShape, defaultConfig } from './config.js';

const seed = process.env.QRLINK_SEED === undefined ? undefined : Number(process.env.QRLINK_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

type Key = keyof typeof ConfigShape;
const DAY = 86_400_000;

/** The defaults of the protocol (decisions: "Config keys (defaults)"). */
const specDefaults: Record<Key, number> = {
  qrFirstTtlMs: 60_000,
  qrTtlMs: 20_000,
  qrMaxRefs: 6,
  consentMs: 60_000,
  sessionLimit: 1,
  custodyLimit: 64,
  codeLength: 4,
  codeTtlMs: 300_000,
  maxCodeAttempts: 5,
  lockMs: 900_000,
  codeResendMs: 30_000,
  refMemoryMs: 600_000,
  sessionIdleMs: 0,
  frameLimit: 65_536,
  rateMessages: 1_000,
  rateWindowMs: 1_000,
};

/** The allowed range of every key, inclusive. */
const ranges: Record<Key, readonly [number, number]> = {
  qrFirstTtlMs: [1, DAY],
  qrTtlMs: [1, DAY],
  qrMaxRefs: [1, 100],
  consentMs: [1, DAY],
  sessionLimit: [1, 100],
  custodyLimit: [1, 65_536],
  codeLength: [4, 8],
  codeTtlMs: [1, DAY],
  maxCodeAttempts: [1, 100],
  lockMs: [0, DAY],
  codeResendMs: [0, DAY],
  refMemoryMs: [0, DAY],
  sessionIdleMs: [0, 365 * DAY],
  frameLimit: [1024, 16 * 1024 * 1024],
  rateMessages: [0, 10_000_000],
  rateWindowMs: [1, 60_000],
};
const keys = Object.keys(ConfigShape) as Key[];

describe('defaultConfig', () => {
  it('has exactly the keys of ConfigShape', () => {
    expect(Object.keys(defaultConfig).sort()).toEqual([...keys].sort());
  });

  it('satisfies Config', () => {
    expect(Config.parse(defaultConfig)).toStrictEqual({ ...defaultConfig });
  });

  it('holds the protocol defaults', () => {
    expect({ ...defaultConfig }).toStrictEqual(specDefaults);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(defaultConfig)).toBe(true);
  });
});

describe('Config', () => {
  it('refuses a configuration missing a key or with an unknown key', () => {
    for (const key of keys) {
      const { [key]: _gone, ...rest } = defaultConfig;
      expect(Config.safeParse(rest).success, `without ${key}`).toBe(false);
    }
    expect(Config.safeParse({ ...defaultConfig, qrTtl: 1 }).success).toBe(false);
  });
});

describe('[CTL-6] ConfigPatch', () => {
  it('knows the range of every key', () => {
    expect(Object.keys(ranges).sort()).toEqual([...keys].sort());
  });

  it('accepts the empty patch and the full default configuration', () => {
    expect(ConfigPatch.parse({})).toStrictEqual({});
    expect(ConfigPatch.parse({ ...defaultConfig })).toStrictEqual({ ...defaultConfig });
  });

  it.each(keys)('%s: accepts its bounds, refuses one beyond either, a fraction, a string and null', (key) => {
    const [min, max] = ranges[key];
    expect(ConfigPatch.safeParse({ [key]: min }).success, `min ${min}`).toBe(true);
    expect(ConfigPatch.safeParse({ [key]: max }).success, `max ${max}`).toBe(true);
    for (const bad of [min - 1, max + 1, min + 0.5, `${min}`, null, Number.NaN]) {
      const r = ConfigPatch.safeParse({ [key]: bad });
      expect(r.success, `${String(bad)}`).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual([key]);
    }
  });

  it('refuses an unknown key, even next to valid ones', () => {
    const r = ConfigPatch.safeParse({ qrTtlMs: 5_000, qrTtl: 5_000 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.code).toBe('unrecognized_keys');
    expect(ConfigPatch.safeParse({ __proto__: 1 }).success).toBe(true); // an object literal's __proto__ is not a key
    expect(ConfigPatch.safeParse(JSON.parse('{"__proto__": 1}')).success).toBe(false);
  });

  it('accepts every patch of in-range integers, and the patched defaults satisfy Config (property)', () => {
    const patch = fc.record(
      Object.fromEntries(keys.map((k) => [k, fc.integer({ min: ranges[k][0], max: ranges[k][1] })])) as Record<
        Key,
        fc.Arbitrary<number>
      >,
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patch, (p) => {
        expect(ConfigPatch.parse(p)).toEqual({ ...p });
        expect(Config.safeParse({ ...defaultConfig, ...p }).success).toBe(true);
      }),
      params(200),
    );
  });

  it('refuses every out-of-range integer of any key (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.boolean(), fc.integer({ min: 1, max: 2 ** 40 }), (key, below, by) => {
        const [min, max] = ranges[key];
        const value = below ? min - by : max + by;
        expect(ConfigPatch.safeParse({ [key]: value }).success).toBe(false);
      }),
      params(300),
    );
  });
});
