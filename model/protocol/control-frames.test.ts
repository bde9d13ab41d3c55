/**
 * Every frame type of /v1/control, both directions: one valid sample each (accepted, unknown fields
 * dropped [TR-4]) and invalid variants refused as bad_frame [ERR-3]..[ERR-5] (the control endpoint
 * answers these with error bad_request and stays open [CTL-8]).
 */
import { describe, expect, it } from 'vitest';
import { describeChannel } from './channel-table.harness.js';
import { defaultConfig } from './config.js';
import { parseFrame } from './parse.js';

const phone = '+15551234567';
const stats = {
  connections: { web: 2, phone: 1, control: 1 },
  refs: { live: 1, claimed: 1 },
  sessions: { live: 3, attached: 2 },
  custody: { toPhone: 5, toWeb: 0 },
  timers: 4,
  accounts: 1,
};

describeChannel('control-request', {
  samples: {
    reset: { t: 'reset', id: 1 },
    clock: { t: 'clock', id: 'tick-1', advanceMs: 20_000 },
    sms: { t: 'sms', id: 2, phone },
    config: { t: 'config', id: 3, set: { qrTtlMs: 5_000, rateMessages: 0 } },
    stats: { t: 'stats', id: 4 },
  },
  optional: { reset: ['id'], clock: ['id'], sms: ['id'], config: ['id', 'set'], stats: ['id'] },
  invalid: [
    ['reset', 'a fractional id', { id: 1.5 }, 'id'],
    ['reset', 'an id of 65 characters', { id: 'i'.repeat(65) }, 'id'],
    ['clock', 'a negative advanceMs', { advanceMs: -1 }, 'advanceMs'],
    ['clock', 'advanceMs = 2^31 + 1', { advanceMs: 2 ** 31 + 1 }, 'advanceMs'],
    ['clock', 'a fractional advanceMs', { advanceMs: 0.5 }, 'advanceMs'],
    ['sms', 'a number without "+"', { phone: '5551234' }, 'phone'],
    ['config', '[CTL-6] an unknown key', { set: { qrTtl: 5_000 } }, 'set'],
    ['config', '[CTL-6] qrMaxRefs = 0', { set: { qrMaxRefs: 0 } }, 'set.qrMaxRefs'],
    ['config', '[CTL-6] codeLength = 9', { set: { codeLength: 9 } }, 'set.codeLength'],
    ['config', '[CTL-6] a fractional consentMs', { set: { consentMs: 1.5 } }, 'set.consentMs'],
    ['config', '[CTL-6] a string frameLimit', { set: { frameLimit: '65536' } }, 'set.frameLimit'],
  ],
});

describeChannel('control-reply', {
  samples: {
    'reset.ok': { t: 'reset.ok', id: 1 },
    'clock.ok': { t: 'clock.ok', id: 'tick-1', now: 1_700_000_020_000 },
    'sms.ok': { t: 'sms.ok', id: 2, phone, code: '0042' },
    'config.ok': { t: 'config.ok', id: 3, config: { ...defaultConfig } },
    'stats.ok': { t: 'stats.ok', id: 4, ...stats },
    error: { t: 'error', id: 5, code: 'bad_request', detail: 'config: set: Unrecognized key: "qrTtl"' },
  },
  optional: {
    'reset.ok': ['id'],
    'clock.ok': ['id'],
    'sms.ok': ['id'],
    'config.ok': ['id'],
    'stats.ok': ['id'],
    error: ['id'],
  },
  invalid: [
    ['clock.ok', 'a negative now', { now: -1 }, 'now'],
    ['sms.ok', 'a numeric code', { code: 42 }, 'code'],
    ['config.ok', 'a config missing a key', { config: { ...defaultConfig, qrTtlMs: undefined } }, 'config.qrTtlMs'],
    ['config.ok', 'a config with an unknown key', { config: { ...defaultConfig, extra: 1 } }, 'config'],
    [
      'config.ok',
      'a config value out of range',
      { config: { ...defaultConfig, sessionLimit: 0 } },
      'config.sessionLimit',
    ],
    ['stats.ok', 'a negative timer count', { timers: -1 }, 'timers'],
    [
      'stats.ok',
      'a fractional web connection count',
      { connections: { ...stats.connections, web: 1.5 } },
      'connections.web',
    ],
    ['stats.ok', 'refs without claimed', { refs: { live: 1 } }, 'refs.claimed'],
    ['stats.ok', 'custody without toWeb', { custody: { toPhone: 1 } }, 'custody.toWeb'],
    ['error', 'code bad_frame (control errors are bad_request)', { code: 'bad_frame' }, 'code'],
    ['error', 'a detail of 1025 characters', { detail: 'd'.repeat(1025) }, 'detail'],
  ],
});

describe('control frames: values the schema lets through on purpose', () => {
  it('[CTL-5] accepts sms.ok with code null (no code sent to that number)', () => {
    const frame = { t: 'sms.ok', phone, code: null };
    expect(parseFrame('control-reply', JSON.stringify(frame))).toStrictEqual({ ok: true, frame });
  });

  it('[CTL-4] accepts clock advanceMs from 0 to 2^31', () => {
    for (const advanceMs of [0, 2 ** 31]) {
      expect(parseFrame('control-request', JSON.stringify({ t: 'clock', advanceMs })).ok, `${advanceMs}`).toBe(true);
    }
  });

  it('[CTL-6] accepts config with an empty set (reads the configuration)', () => {
    expect(parseFrame('control-request', JSON.stringify({ t: 'config', set: {} })).ok).toBe(true);
  });
});
