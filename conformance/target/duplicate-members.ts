/**
 * Finds JSON object members named twice in one object (ENC-5 forbids a sender to emit them;
 * `JSON.parse` silently keeps the last one, so the parsed frame cannot show it). A small scanner
 * over the text of a frame that already parsed as JSON: it tracks the member names of each open
 * object and skips string contents and escapes.
 */

/** The member names that appear twice in one object of `json` (valid JSON text), in order found. */
export function duplicateMembers(json: string): string[] {
  const found: string[] = [];
  const stack: (Set<string> | null)[] = [];
  /** Whether the next string in the innermost object is a member name. */
  let expectKey = false;
  let i = 0;
  while (i < json.length) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const name = JSON.parse(json.slice(i, j + 1)) as string;
        if (top.has(name)) found.push(name);
        top.add(name);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (ch === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === '[') {
      stack.push(null);
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
    i++;
  }
  return found;
}
