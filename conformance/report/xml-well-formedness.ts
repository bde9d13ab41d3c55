/**
 * A strict XML 1.0 well-formedness check for the documents the report writers produce (junit.xml,
 * the SVG drawings): xmlbuilder2's own parser is lenient (it accepts a raw `&` or a control
 * character), so the tests use this one. It checks characters, names, attribute quoting and
 * uniqueness, entity and character references, comments, CDATA, `]]>` in text, tag nesting and a
 * single root element. Returns the problems found (empty when well-formed). No DTD support: a
 * `<!DOCTYPE` is reported.
 */

const nameRe = /^[A-Za-z_:][A-Za-z0-9_:.-]*$/;
const refRe = /^&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

function checkRefs(text: string, where: string, problems: string[]): void {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const m = refRe.exec(text.slice(i, i + 12));
    if (m === null) {
      problems.push(`${where}: bare '&' at ${JSON.stringify(text.slice(i, i + 12))}`);
      continue;
    }
    const body = m[0].slice(1, -1);
    if (body.startsWith('#')) {
      const code = body.startsWith('#x') ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      if (!isXmlChar(code)) problems.push(`${where}: reference to a forbidden character ${m[0]}`);
    }
  }
}

/** The well-formedness problems of `xml` (empty: well-formed). */
export function xmlWellFormednessProblems(xml: string): string[] {
  const problems: string[] = [];
  for (const ch of xml) {
    const code = ch.codePointAt(0) ?? 0;
    if (!isXmlChar(code)) {
      problems.push(`forbidden character U+${code.toString(16).padStart(4, '0')}`);
      break;
    }
  }
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return [...problems, 'unterminated XML declaration'];
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text.length > 0) {
      if (stack.length === 0 && text.trim() !== '')
        problems.push(`text outside the root element: ${JSON.stringify(text.slice(0, 20))}`);
      if (text.includes(']]>')) problems.push("']]>' in text");
      checkRefs(text, 'text', problems);
    }
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return [...problems, 'unterminated comment'];
      if (xml.slice(lt + 4, end).includes('--') || xml[end - 1] === '-') problems.push("'--' inside a comment");
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) problems.push('CDATA outside the root element');
      const end = xml.indexOf(']]>', lt);
      if (end < 0) return [...problems, 'unterminated CDATA section'];
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt);
      if (end < 0) return [...problems, 'unterminated processing instruction'];
      i = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      return [...problems, `unsupported markup declaration at ${lt}`];
    } else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      if (end < 0) return [...problems, 'unterminated end tag'];
      const name = xml.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (open !== name) return [...problems, `end tag </${name}> does not match <${open ?? '(none)'}>`];
      i = end + 1;
    } else {
      const tag = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt));
      if (tag === null) return [...problems, `malformed start tag at ${JSON.stringify(xml.slice(lt, lt + 40))}`];
      const [whole, name = '', attrs = '', selfClosing] = tag;
      if (!nameRe.test(name)) problems.push(`bad element name ${JSON.stringify(name)}`);
      const seen = new Set<string>();
      for (const a of attrs.matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
        const attrName = a[1] ?? '';
        const value = a[3] ?? a[4] ?? '';
        if (!nameRe.test(attrName)) problems.push(`bad attribute name ${JSON.stringify(attrName)}`);
        if (seen.has(attrName)) problems.push(`duplicate attribute ${attrName} on <${name}>`);
        seen.add(attrName);
        if (value.includes('<')) problems.push(`'<' in attribute ${attrName} of <${name}>`);
        checkRefs(value, `attribute ${attrName}`, problems);
      }
      if (stack.length === 0) roots++;
      if (selfClosing !== '/') stack.push(name);
      i = lt + whole.length;
    }
  }
  if (stack.length > 0) problems.push(`unclosed elements: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
