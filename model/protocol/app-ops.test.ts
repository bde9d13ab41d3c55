/**
 * Every application operation (the plaintext inside sealed relay frames [E2E-12]), both directions:
 * one valid sample each (accepted, unknown fields dropped [TR-4]) and invalid variants refused.
 * A receiver that opens a frame parses its plaintext with these channels.
 */
import { describe, expect, it } from 'vitest';
import { PhoneToWebOp, WebToPhoneOp } from './app-ops.js';
import { type ChannelId, channels } from './catalog.js';
import { Close } from './codes.js';
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

const message = { id: 'm-17', chatId: 'c-1', from: '+15551234567', text: 'see you at 8', at: 1_700_000_000_000 };

describeChannel('web-to-phone-op', {
  samples: {
    history: { op: 'history', chatId: 'c-1', before: 'm-17', limit: 50 },
    send: { op: 'send', id: 'm-18', chatId: 'c-1', text: 'on my way' },
  },
  optional: { history: ['chatId', 'before'] },
  invalid: [
    ['history', 'limit = 0', { limit: 0 }, 'limit'],
    ['history', 'limit = 201', { limit: 201 }, 'limit'],
    ['history', 'a fractional limit', { limit: 2.5 }, 'limit'],
    ['history', 'an empty chatId', { chatId: '' }, 'chatId'],
    ['history', 'a before of 65 characters', { before: 'b'.repeat(65) }, 'before'],
    ['send', 'an empty text', { text: '' }, 'text'],
    ['send', 'a text of 4097 characters', { text: 't'.repeat(4097) }, 'text'],
    ['send', 'a chatId of 65 characters', { chatId: 'c'.repeat(65) }, 'chatId'],
    ['send', 'an empty id', { id: '' }, 'id'],
  ],
});

describeChannel('phone-to-web-op', {
  samples: {
    history: {
      op: 'history',
      chats: [{ chatId: 'c-1', title: 'Alice' }],
      chatId: 'c-1',
      messages: [message],
      more: false,
    },
    message: { op: 'message', message },
    sent: { op: 'sent', id: 'm-18', message: { ...message, id: 'm-18', text: 'on my way' } },
  },
  optional: { history: ['chats', 'chatId'] },
  invalid: [
    ['history', 'a message with a negative at', { messages: [{ ...message, at: -1 }] }, 'messages.0.at'],
    ['history', 'a message without from', { messages: [{ ...message, from: undefined }] }, 'messages.0.from'],
    [
      'history',
      'a chat title of 129 characters',
      { chats: [{ chatId: 'c', title: 't'.repeat(129) }] },
      'chats.0.title',
    ],
    ['history', 'a chat without chatId', { chats: [{ title: 'x' }] }, 'chats.0.chatId'],
    ['message', 'a text of 4097 characters', { message: { ...message, text: 't'.repeat(4097) } }, 'message.text'],
    ['message', 'a fractional at', { message: { ...message, at: 1.5 } }, 'message.at'],
    ['sent', 'a message with an empty chatId', { message: { ...message, chatId: '' } }, 'message.chatId'],
  ],
});

describe('app ops: the discriminated unions agree with the catalogue', () => {
  it('WebToPhoneOp and PhoneToWebOp parse the ops of their own direction only', () => {
    expect(WebToPhoneOp.parse({ op: 'send', id: 'm', chatId: 'c', text: 'x', extra: 1 })).toStrictEqual({
      op: 'send',
      id: 'm',
      chatId: 'c',
      text: 'x',
    });
    expect(PhoneToWebOp.safeParse({ op: 'message', message }).success).toBe(true);
    expect(PhoneToWebOp.safeParse({ op: 'send', id: 'm', chatId: 'c', text: 'x' }).success).toBe(false);
  });

  it('accepts a message with an empty text (a received message may be empty) but not an empty send', () => {
    expect(PhoneToWebOp.safeParse({ op: 'message', message: { ...message, text: '' } }).success).toBe(true);
    expect(WebToPhoneOp.safeParse({ op: 'send', id: 'm', chatId: 'c', text: '' }).success).toBe(false);
  });
});
