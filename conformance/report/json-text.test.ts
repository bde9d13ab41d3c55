import { describe, expect, it } from 'vitest';
import { jsonText } from './json-text.js';

describe('jsonText', () => {
  it('writes bigints as strings instead of throwing', () => {
    expect(jsonText({ n: 2n ** 70n })).toBe('{"n":"1180591620717411303424"}');
  });

  it('marks a cycle instead of throwing', () => {
    const a: Record<string, unknown> = { t: 'x' };
    a.self = a;
    expect(jsonText(a)).toBe('{"t":"x","self":"[Circular]"}');
  });

  it('writes an object shared by two siblings twice (it is not a cycle)', () => {
    const shared = { k: 1 };
    expect(jsonText({ a: shared, b: shared, c: [shared, shared] })).toBe(
      '{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":1}]}',
    );
  });

  it('writes undefined as null and indents on request', () => {
    expect(jsonText(undefined)).toBe('null');
    expect(jsonText({ a: [1] }, 2)).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});
