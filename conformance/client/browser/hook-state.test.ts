/**
 * The hooks of a page turned into the web driver state [DRV-7]: every field from its hook, and each
 * way a page can break the hooks reported as DriverBroken naming the hook (no browser needed).
 */
import { describe, expect, it } from 'vitest';
import { DriverBroken } from '../client-target.js';
import { stateFromHooks } from './hook-state.js';
import type { HookSnapshot } from './page-hooks.js';

const body: HookSnapshot['body'] = {
  state: 'linked',
  sessionId: 'sess_1',
  accountId: 'acct_1',
  accountPhone: '+15550001111',
  accountName: 'Alice',
  phoneOnline: 'true',
  keep: 'true',
  tokenStored: 'false',
  revokedReason: '',
  errorCode: '',
  errorDetail: '',
};

function snapshot(patch: Partial<HookSnapshot> = {}, bodyPatch: Partial<HookSnapshot['body']> = {}): HookSnapshot {
  return {
    doc: 'd',
    seq: 1,
    body: { ...body, ...bodyPatch },
    qr: null,
    chats: [{ chatId: 'c1', title: 'Bob' }],
    messages: [{ id: 'm1', chatId: 'c1', from: 'Bob', text: 'hi', at: '1700000000000' }],
    ...patch,
  };
}

function brokenMessage(s: HookSnapshot, qr: string | null = null): string {
  try {
    stateFromHooks(s, qr);
  } catch (err) {
    expect(err).toBeInstanceOf(DriverBroken);
    expect((err as DriverBroken).clause).toBe('DRV-7');
    return (err as Error).message;
  }
  throw new Error('expected DriverBroken');
}

const qrBox = { count: 1, text: 'qrlink:1,x', n: '2', x: 0, y: 0, width: 300, height: 300 };

describe('stateFromHooks', () => {
  it('[DRV-7] gives every field of the state object from its hook', () => {
    expect(stateFromHooks(snapshot(), null)).toEqual({
      state: 'linked',
      qr: null,
      qrN: null,
      sessionId: 'sess_1',
      account: { accountId: 'acct_1', phone: '+15550001111', name: 'Alice' },
      phoneOnline: true,
      keep: true,
      tokenStored: false,
      revokedReason: null,
      error: null,
      chats: [{ chatId: 'c1', title: 'Bob' }],
      messages: [{ id: 'm1', chatId: 'c1', from: 'Bob', text: 'hi', at: 1700000000000 }],
    });
    const ended = stateFromHooks(
      snapshot(
        { chats: [], messages: [] },
        {
          state: 'revoked',
          sessionId: '',
          accountId: '',
          phoneOnline: '',
          revokedReason: 'unlinked',
          errorCode: 'x',
          errorDetail: 'why',
        },
      ),
      null,
    );
    expect(ended).toMatchObject({
      sessionId: null,
      account: null,
      phoneOnline: null,
      revokedReason: 'unlinked',
      error: { code: 'x', detail: 'why' },
    });
  });

  it('[DRV-7] the QR text is the decoded one; qrN comes from data-qrlink-qr-n', () => {
    const s = stateFromHooks(snapshot({ qr: qrBox }, { state: 'qr' }), 'qrlink:1,decoded');
    expect(s).toMatchObject({ state: 'qr', qr: 'qrlink:1,decoded', qrN: 2 });
    // between the qr frame and the drawn code: state qr, nothing shown yet
    expect(stateFromHooks(snapshot({}, { state: 'qr' }), null)).toMatchObject({ state: 'qr', qr: null, qrN: null });
  });

  it('names the hook a page breaks', () => {
    expect(brokenMessage(snapshot({}, { state: null }))).toContain('<body> has no data-qrlink-state attribute');
    expect(brokenMessage(snapshot({}, { state: 'waiting' }))).toContain(
      'data-qrlink-state="waiting" is no web driver state',
    );
    expect(brokenMessage(snapshot({}, { keep: 'yes' }))).toContain('data-qrlink-keep="yes": expected true or false');
    expect(brokenMessage(snapshot({}, { tokenStored: null }))).toContain(
      '<body> has no data-qrlink-token-stored attribute',
    );
    expect(brokenMessage(snapshot({}, { accountPhone: '555' }))).toContain('<body> data-qrlink-account-phone');
    expect(brokenMessage(snapshot({ qr: { ...qrBox, n: null } }, { state: 'qr' }), 'q')).toContain(
      'data-qrlink-qr-n="": expected the n',
    );
    expect(brokenMessage(snapshot({ qr: { ...qrBox, count: 2 } }, { state: 'qr' }), 'q')).toContain(
      '2 elements carry data-qrlink-qr',
    );
    expect(brokenMessage(snapshot({ qr: qrBox }, { state: 'scanned' }), 'q')).toContain(
      'state scanned but an element still carries data-qrlink-qr',
    );
    expect(brokenMessage(snapshot({ chats: [{ chatId: 'c1', title: null }] }))).toContain(
      'chat 0 (data-qrlink-chat="c1") has no data-qrlink-title',
    );
    expect(
      brokenMessage(snapshot({ messages: [{ id: 'm1', chatId: 'c1', from: null, text: 'hi', at: '1' }] })),
    ).toContain('message 0 (data-qrlink-message="m1") has no data-qrlink-from');
    expect(
      brokenMessage(snapshot({ messages: [{ id: 'm1', chatId: 'c1', from: 'Bob', text: 'hi', at: 'noon' }] })),
    ).toContain('data-qrlink-at="noon": expected milliseconds');
  });
});
