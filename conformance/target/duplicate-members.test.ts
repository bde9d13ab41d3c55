import { describe, expect, it } from 'vitest';
import { duplicateMembers } from './duplicate-members.js';

describe('duplicateMembers [ENC-5]', () => {
  it('finds a member named twice in one object, at any depth', () => {
    expect(duplicateMembers('{"t":"qr","ref":"a","ref":"b"}')).toEqual(['ref']);
    expect(duplicateMembers('{"t":"x","a":{"k":1,"k":2}}')).toEqual(['k']);
    expect(duplicateMembers('{"t":"x","s":[{"id":1},{"id":2,"id":3}]}')).toEqual(['id']);
  });

  it('does not confuse values, arrays, escapes or sibling objects with members', () => {
    expect(duplicateMembers('{"t":"t","v":"t"}')).toEqual([]);
    expect(duplicateMembers('{"a":["a","a"],"b":{"a":1},"c":{"a":2}}')).toEqual([]);
    expect(duplicateMembers('{"a\\"b":1,"c":"x\\\\","d":"{\\"a\\":1,\\"a\\":2}"}')).toEqual([]);
    expect(duplicateMembers('{"\\u0061":1,"a":2}')).toEqual(['a']);
  });
});
