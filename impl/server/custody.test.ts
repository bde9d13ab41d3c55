/** CustodyQueue: the custody bound, the gap rule and cumulative acks, as a unit. */
import { describe, expect, test } from 'vitest';
import { CustodyQueue } from './custody.js';

describe('CustodyQueue', () => {
  test('[RELAY-7] refuses past the limit, then only the first refused n of that epoch may enter', () => {
    const q = new CustodyQueue();
    expect(q.offer('e1', 1, 'c1', 2)).not.toBeNull();
    expect(q.offer('e1', 2, 'c2', 2)).not.toBeNull();
    expect(q.offer('e1', 3, 'c3', 2)).toBeNull();
    expect(q.gap('e1')).toBe(3);
    expect(q.ack('e1', 1)).toBe(1);
    expect(q.offer('e1', 4, 'c4', 2)).toBeNull(); // gap rule: 3 first
    expect(q.offer('e1', 3, 'c3', 2)).not.toBeNull();
    expect(q.gap('e1')).toBeUndefined();
    expect(q.frames.map((f) => f.n)).toEqual([2, 3]);
  });

  test('[RELAY-7] each epoch keeps its own gap: a refusal in a later epoch does not reopen the earlier one', () => {
    const q = new CustodyQueue();
    q.offer('a', 1, 'x', 1);
    expect(q.offer('a', 2, 'y', 1)).toBeNull();
    expect(q.offer('b', 7, 'z', 1)).toBeNull();
    expect([q.gap('a'), q.gap('b')]).toEqual([2, 7]);
    q.ack('a', 1);
    expect(q.offer('a', 3, 'w', 1)).toBeNull(); // epoch a's gap still open
    expect(q.offer('b', 7, 'z', 1)).not.toBeNull();
    expect(q.gap('a')).toBe(2);
    q.keepOnly('b');
    expect(q.gap('a')).toBeUndefined();
  });

  test('[RELAY-6] acks are cumulative per epoch, remove every covered frame and nothing else, and are idempotent', () => {
    const q = new CustodyQueue();
    q.offer('a', 1, 'x', 10);
    q.offer('b', 1, 'y', 10);
    q.offer('a', 2, 'z', 10);
    q.offer('a', 9, 'v', 10);
    expect(q.ack('a', 5)).toBe(2);
    expect(q.ack('a', 5)).toBe(0);
    expect(q.frames.map((f) => `${f.e}${f.n}`)).toEqual(['b1', 'a9']);
    q.keepOnly('a');
    expect(q.frames.map((f) => `${f.e}${f.n}`)).toEqual(['a9']);
    q.clear();
    expect(q.size).toBe(0);
  });
});
