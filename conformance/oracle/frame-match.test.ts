import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../model/protocol/config.js';
import { Bindings } from './bindings.js';
import { boxName, cipherName, matchFrame } from './frame-match.js';

const cfg = { ...defaultConfig, qrFirstTtlMs: 60_000, qrTtlMs: 20_000 };

describe('matchFrame: the model frame against the target frame', () => {
  it('binds a value the target made up on first sight and requires it again after', () => {
    const b = new Bindings();
    expect(
      matchFrame(
        { t: 'qr', ref: 'A1.1', ttlMs: 60_000, n: 1, of: 6 },
        { t: 'qr', ref: 'R1', ttlMs: 60_000, n: 1, of: 6 },
        b,
        cfg,
      ),
    ).toBeUndefined();
    expect(b.concrete('A1.1')).toBe('R1');
    expect(matchFrame({ t: 'scanned', ref: 'A1.1' }, { t: 'scanned', ref: 'R2' }, b, cfg)).toMatch(
      /A1.1 was "R1" before, now "R2"/,
    );
  });

  it('[QR-2] fails a value that is not fresh: a second ref equal to the first', () => {
    const b = new Bindings();
    matchFrame(
      { t: 'qr', ref: 'A1.1', ttlMs: 60_000, n: 1, of: 6 },
      { t: 'qr', ref: 'R1', ttlMs: 60_000, n: 1, of: 6 },
      b,
      cfg,
    );
    expect(
      matchFrame(
        { t: 'qr', ref: 'A1.2', ttlMs: 20_000, n: 2, of: 6 },
        { t: 'qr', ref: 'R1', ttlMs: 20_000, n: 2, of: 6 },
        b,
        cfg,
      ),
    ).toMatch(/not fresh: it already stood for A1.1/);
  });

  it('[RELAY-4] a relayed ciphertext must come back byte-identical', () => {
    const b = new Bindings();
    const c = { k: 'w2p|eA1', n: 1, m: 'm1' };
    b.bind('suite', cipherName(c), 'CIPHER');
    b.bind('suite', 'eA1', 'EPOCH');
    b.bind('session', 's1', 'S');
    const want = { t: 'from_web', sessionId: 's1', e: 'eA1', n: 1, c };
    expect(matchFrame(want, { t: 'from_web', sessionId: 'S', e: 'EPOCH', n: 1, c: 'CIPHER' }, b, cfg)).toBeUndefined();
    expect(matchFrame(want, { t: 'from_web', sessionId: 'S', e: 'EPOCH', n: 1, c: 'CIPHEX' }, b, cfg)).toMatch(
      /from_web.c: not the value the suite sent/,
    );
    expect(matchFrame({ t: 'offer', ref: 'A1.1', pub: 'p', box: { k: 'K', account: 'acct1' } }, {}, b, cfg)).toMatch(
      /t is undefined/,
    );
    expect(boxName({ k: 'K', account: 'acct1' })).toBe('box:K|acct1');
  });

  it('compares config-derived numbers with the target configuration, ignores detail texts', () => {
    const b = new Bindings();
    const c2 = { ...cfg, qrFirstTtlMs: 5000 };
    expect(
      matchFrame(
        { t: 'qr', ref: 'A1.1', ttlMs: 60_000, n: 1, of: 6 },
        { t: 'qr', ref: 'R', ttlMs: 5000, n: 1, of: 6 },
        b,
        c2,
      ),
    ).toBeUndefined();
    expect(
      matchFrame(
        { t: 'qr', ref: 'A1.2', ttlMs: 20_000, n: 2, of: 6 },
        { t: 'qr', ref: 'Q', ttlMs: 5000, n: 2, of: 6 },
        b,
        c2,
      ),
    ).toMatch(/qr.ttlMs: expected 20000 \(the configuration\), got 5000/);
    expect(
      matchFrame(
        { t: 'error', code: 'bad_state', detail: 'x' },
        { t: 'error', code: 'bad_state', detail: 'other words' },
        b,
        cfg,
      ),
    ).toBeUndefined();
    expect(
      matchFrame({ t: 'error', code: 'bad_state', detail: 'x' }, { t: 'error', code: 'bad_frame' }, b, cfg),
    ).toMatch(/error.code: expected "bad_state", got "bad_frame"/);
  });

  it('matches session lists in any order and session id lists by binding', () => {
    const b = new Bindings();
    b.bind('session', 's1', 'X');
    b.bind('session', 's2', 'Y');
    b.bind('account', 'acct1', 'A');
    const want = {
      t: 'auth.ok',
      accountId: 'acct1',
      sessions: [
        { sessionId: 's1', device: {}, keep: true },
        { sessionId: 's2', device: {}, keep: false },
      ],
    };
    const got = {
      t: 'auth.ok',
      accountId: 'A',
      sessions: [
        { sessionId: 'Y', keep: false, device: { name: 'n' } },
        { sessionId: 'X', keep: true, device: {} },
      ],
    };
    expect(matchFrame(want, got, b, cfg)).toBeUndefined();
    expect(matchFrame({ t: 'unlinked', sessionIds: ['s1'] }, { t: 'unlinked', sessionIds: [] }, b, cfg)).toMatch(
      /expected 1 session ids/,
    );
  });
});

describe('provisional bindings', () => {
  it('a name the suite made up for one step is free again after it, for the value the target issues', () => {
    const b = new Bindings();
    b.provisional('ref', 'A1.2', 'MADE-UP');
    expect(
      matchFrame(
        { t: 'link.error', ref: 'A1.2', reason: 'unknown_ref' },
        { t: 'link.error', ref: 'MADE-UP', reason: 'unknown_ref' },
        b,
        cfg,
      ),
    ).toBeUndefined();
    b.endStep();
    expect(b.concrete('A1.2')).toBeUndefined();
    expect(
      matchFrame(
        { t: 'qr', ref: 'A1.2', ttlMs: 20_000, n: 2, of: 6 },
        { t: 'qr', ref: 'REAL', ttlMs: 20_000, n: 2, of: 6 },
        b,
        cfg,
      ),
    ).toBeUndefined();
    expect(b.concrete('A1.2')).toBe('REAL');
  });
});
