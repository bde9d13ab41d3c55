import { describe, expect, it } from 'vitest';
import { ChatStore } from './chat-store.js';

describe('chat store', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new ChatStore({ seed: 42 });
    const b = new ChatStore({ seed: 42 });
    const c = new ChatStore({ seed: 43 });
    expect(a.messagesOf('c1')).toEqual(b.messagesOf('c1'));
    expect(a.messagesOf('c1')).not.toEqual(c.messagesOf('c1'));
    expect(a.chats()).toEqual([
      { chatId: 'c1', title: 'Alice' },
      { chatId: 'c2', title: 'Bob' },
      { chatId: 'c3', title: 'Family' },
    ]);
  });

  it('pages a chat backwards with before/limit and says when more remain', () => {
    const s = new ChatStore({ messagesPerChat: 10 });
    const last = s.page({ op: 'history', chatId: 'c2', limit: 4 });
    expect(last.messages.map((m) => m.id)).toEqual(['c2m7', 'c2m8', 'c2m9', 'c2m10']);
    expect(last.more).toBe(true);
    const older = s.page({ op: 'history', chatId: 'c2', before: 'c2m7', limit: 10 });
    expect(older.messages.map((m) => m.id)).toEqual(['c2m1', 'c2m2', 'c2m3', 'c2m4', 'c2m5', 'c2m6']);
    expect(older.more).toBe(false);
    expect(s.page({ op: 'history', chatId: 'nope', limit: 5 })).toEqual({
      op: 'history',
      chatId: 'nope',
      messages: [],
      more: false,
    });
  });

  it('keeps a page within one relay frame', () => {
    const s = new ChatStore({ chats: 1, messagesPerChat: 1 });
    for (let i = 0; i < 40; i++) s.add('c1', 'Bob', 'x'.repeat(4000), i);
    const page = s.page({ op: 'history', chatId: 'c1', limit: 200 });
    expect(JSON.stringify(page).length).toBeLessThanOrEqual(32 * 1024);
    expect(page.more).toBe(true);
  });

  it('applies a send once per send id', () => {
    const s = new ChatStore();
    const first = s.send('id1', 'c1', 'hi', 5);
    const again = s.send('id1', 'c1', 'hi', 6);
    expect(first?.fresh).toBe(true);
    expect(again).toEqual({ message: first?.message, fresh: false });
    expect(s.send('id2', 'missing', 'hi', 7)).toBeUndefined();
  });
});
