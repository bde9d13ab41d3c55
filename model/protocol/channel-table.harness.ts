/**
 * The table-driven harness of the frame-schema tests (`*-frames.test.ts`, `app-ops.test.ts`): for a
 * channel of the catalogue, one valid sample per frame type (accepted, unknown fields dropped
 * [TR-4]), each required field removed or of the wrong JSON type refused [ERR-5], a missing or
 * unknown type refused [ERR-3] [ERR-4], and the listed invalid variants refused [ERR-5]. It fails
 * when a frame type of the catalogue has no sample. Test support only: not part of the API.
 */
import { describe, expect, it } from 'vitest';
import { type ChannelId, channels } from './catalog.js';
import { Close } from './codes.js';
import { parseFrame } from './parse.js';

export type Frame = Record<string, unknown>;
/** [frame type, what is wrong, fields to replace (undefined removes), field path the error names]. */
export type Invalid = readonly [type: string, what: string, patch: Frame, path: string];
export interface ChannelTable {
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

export function describeChannel(id: ChannelId, table: ChannelTable): void {
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
