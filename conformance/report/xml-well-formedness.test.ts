import { describe, expect, it } from 'vitest';
import { xmlWellFormednessProblems } from './xml-well-formedness.js';

describe('xmlWellFormednessProblems (the checker the report tests rely on)', () => {
  it('accepts a well-formed document', () => {
    expect(
      xmlWellFormednessProblems(
        `<?xml version="1.0"?>\n<a x="1" y='&lt;'><!-- c --><b/>t &amp; &#x41; &#9;<![CDATA[ <raw> ]]></a>\n`,
      ),
    ).toEqual([]);
  });

  it.each([
    ['a bare &', '<a>&</a>'],
    ['a control character', '<a>\u0001</a>'],
    ['a reference to a forbidden character', '<a>&#1;</a>'],
    ["']]>' in text", '<a>]]></a>'],
    ["'<' in an attribute", '<a x="<"/>'],
    ['mismatched tags', '<a><b></a>'],
    ['two roots', '<a/><b/>'],
    ['an unclosed element', '<a><b>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ["'--' in a comment", '<a><!-- a -- b --></a>'],
    ['text outside the root', '<a/>text'],
    ['a lone surrogate', '<a>\ud800</a>'],
  ])('rejects %s', (_what, xml) => {
    expect(xmlWellFormednessProblems(xml)).not.toEqual([]);
  });
});
