/**
 * Escaping text for the XML, SVG and HTML the report writers produce. XML 1.0 allows only tab, LF,
 * CR and U+0020 and above (minus lone surrogates, U+FFFE and U+FFFF); HTML treats C0/C1 controls as
 * parse errors. Frames, reasons and trace actions come from the target under test and can hold
 * anything, so every such character is replaced by a visible `\uXXXX` notation: the reader sees
 * what the target sent and the document stays well-formed.
 */

/** The visible stand-in for a character XML cannot carry, e.g. `\u001b`. */
export function visibleCodeUnit(char: string): string {
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

function isForbiddenUnit(code: number): boolean {
  if (code === 0x09 || code === 0x0a || code === 0x0d) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0xfffe || code === 0xffff;
}

/**
 * Replaces every character XML 1.0 forbids (and the C1 controls HTML rejects) by `\uXXXX`; a lone
 * surrogate half becomes `\uD8xx` the same way. Tab, LF and CR are kept.
 */
export function replaceForbiddenChars(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let bad = isForbiddenUnit(code);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      bad = true;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      bad = true;
    }
    if (bad) {
      out += text.slice(start, i) + `\\u${code.toString(16).padStart(4, '0')}`;
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside an XML/HTML element or a quoted attribute value. */
export function escapeMarkup(text: string): string {
  return replaceForbiddenChars(text).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** Shortens `text` to at most `max` characters, ending with `…` when cut (never splits a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}
