import { describe, expect, it } from 'vitest';
import { escapeMarkup, replaceForbiddenChars, truncate, visibleCodeUnit } from './markup-escape.js';

describe('escapeMarkup', () => {
  it('escapes the five markup characters', () => {
    expect(escapeMarkup(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('turns a script-closing payload into inert text', () => {
    const out = escapeMarkup('</script><img src=x onerror=alert(1)>');
    expect(out).not.toContain('<');
    expect(out).not.toContain('>');
  });

  it('replaces the characters XML 1.0 forbids by a visible \\uXXXX, keeping tab, LF and CR', () => {
    expect(replaceForbiddenChars('a\u0000b\u001b[31mc\u007fd\u0085e\ufffe')).toBe(
      'a\\u0000b\\u001b[31mc\\u007fd\\u0085e\\ufffe',
    );
    expect(replaceForbiddenChars('tab\tlf\ncr\r')).toBe('tab\tlf\ncr\r');
  });

  it('keeps surrogate pairs and replaces lone halves', () => {
    expect(replaceForbiddenChars('emoji \ud83d\ude00 ok')).toBe('emoji \ud83d\ude00 ok');
    expect(replaceForbiddenChars('high \ud800 low \udc00 end\ud83d')).toBe('high \\ud800 low \\udc00 end\\ud83d');
  });

  it('returns the same string when nothing needs replacing', () => {
    const s = 'plain text';
    expect(replaceForbiddenChars(s)).toBe(s);
  });

  it('names a code unit', () => {
    expect(visibleCodeUnit('\u0001')).toBe('\\u0001');
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis to at most max characters', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('never splits a surrogate pair', () => {
    const out = truncate('ab\ud83d\ude00cd', 4);
    expect(out).toBe('ab…');
    expect(replaceForbiddenChars(out)).toBe(out);
  });
});
