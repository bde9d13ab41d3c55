/**
 * The clauses of docs/protocol.md: every normative sentence carries one `**[AREA-N]**` marker at its
 * start (docs/protocol.md section 2.2). This module extracts them so that tests, the model and the
 * conformance report can cite, count and cover them, and finds requirement keywords left without a
 * marker. It reads files, so it is Node-only (not part of the browser-bound protocol modules).
 */
import { readFileSync } from 'node:fs';

/** Requirement level: MUST covers MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT; SHOULD covers SHOULD, SHOULD NOT, RECOMMENDED. */
export type ClauseLevel = 'MUST' | 'SHOULD';

/** One normative clause of the specification. */
export interface Clause {
  /** The identifier, e.g. `LINK-1`. */
  readonly id: string;
  /** The area, e.g. `LINK`. */
  readonly area: string;
  /** The number within the area, e.g. `1`. */
  readonly number: number;
  /** The strongest requirement keyword in the clause text. */
  readonly level: ClauseLevel;
  /** The clause sentence with markdown stripped, on one line. */
  readonly text: string;
  /** The heading the clause sits under (without the leading `#`s), or `''` before any heading. */
  readonly section: string;
}

/** A clause marker that cannot be read: the line (1-based), the clause id if known, and why. */
export class ClauseParseError extends Error {
  constructor(
    readonly line: number,
    readonly clauseId: string | undefined,
    readonly reason: string,
  ) {
    super(`docs/protocol.md line ${line}${clauseId ? ` [${clauseId}]` : ''}: ${reason}`);
    this.name = 'ClauseParseError';
  }
}

/** A line that uses an uppercase requirement keyword but carries no clause marker. */
export interface UntaggedRequirement {
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
}

const MARKER = /\*\*\[([A-Z][A-Z0-9]*)-([1-9][0-9]*)\]\*\*/g;
const ANY_MARKER = /\*\*\[[A-Z][A-Z0-9]*-[1-9][0-9]*\]\*\*/;
const MUST_WORDS = /\b(MUST|REQUIRED|SHALL)\b/;
const SHOULD_WORDS = /\b(SHOULD|RECOMMENDED)\b/;
const FENCE = /^\s*(```|~~~)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
/** The RFC 8174 boilerplate line of section 2, which names the keywords without using them. */
const BOILERPLATE = /BCP 14/;
const CLAUSE_ID = /\b([A-Z][A-Z0-9]*)-([1-9][0-9]*)\b/g;

/** Blanks inline code spans (keeping the length), so that a keyword or marker quoted in code does not count. */
function withoutInlineCode(text: string): string {
  return text.replace(/`[^`]*`/g, (span) => ' '.repeat(span.length));
}

/** Strips inline markdown (bold, italics, code ticks, links) and collapses whitespace. */
export function stripMarkdown(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*|__/g, '')
    .replace(/`/g, '')
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*)[*_](?=[\s).,;:]|$)/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The level of a clause text, or undefined when it uses no requirement keyword. */
export function levelOf(text: string): ClauseLevel | undefined {
  const plain = withoutInlineCode(text);
  if (MUST_WORDS.test(plain)) return 'MUST';
  if (SHOULD_WORDS.test(plain)) return 'SHOULD';
  return undefined;
}

/** Calls `visit` for every line outside fenced code blocks, with the current heading. */
function eachProseLine(markdown: string, visit: (line: string, lineNo: number, section: string) => void): void {
  let inFence = false;
  let section = '';
  const lines = markdown.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (FENCE.test(line)) {
      inFence = !inFence;
      return;
    }
    if (inFence) return;
    const heading = HEADING.exec(line);
    if (heading) {
      section = stripMarkdown(heading[2] ?? '');
      return;
    }
    visit(line, index + 1, section);
  });
}

/**
 * Extracts every clause of a specification in markdown. A clause's text runs from its marker to the
 * next marker on the same line or the end of the line. Throws `ClauseParseError` for a clause whose
 * text is empty or uses no requirement keyword. Duplicate ids are returned as found (callers check).
 */
export function parseClauses(markdown: string): Clause[] {
  const clauses: Clause[] = [];
  eachProseLine(markdown, (line, lineNo, section) => {
    const matches = [...withoutInlineCode(line).matchAll(MARKER)];
    matches.forEach((match, i) => {
      const area = match[1] ?? '';
      const number = Number(match[2]);
      const id = `${area}-${number}`;
      const start = (match.index ?? 0) + match[0].length;
      const end = matches[i + 1]?.index ?? line.length;
      const text = stripMarkdown(line.slice(start, end));
      if (text === '') throw new ClauseParseError(lineNo, id, 'the clause has no text after its marker');
      const level = levelOf(text);
      if (!level) throw new ClauseParseError(lineNo, id, 'the clause uses no requirement keyword (MUST, SHOULD, ...)');
      clauses.push({ id, area, number, level, text, section });
    });
  });
  return clauses;
}

/**
 * Lines outside code blocks that use an uppercase requirement keyword (MUST, MUST NOT, SHOULD,
 * SHOULD NOT, REQUIRED, SHALL) without carrying a clause marker. Section 2's keyword boilerplate
 * (the line citing BCP 14) is exempt. A conforming document has none.
 */
export function findUntaggedRequirements(markdown: string): UntaggedRequirement[] {
  const found: UntaggedRequirement[] = [];
  eachProseLine(markdown, (line, lineNo) => {
    const plain = withoutInlineCode(line);
    if (BOILERPLATE.test(line) || ANY_MARKER.test(plain)) return;
    if (MUST_WORDS.test(plain) || SHOULD_WORDS.test(plain)) found.push({ line: lineNo, text: line.trim() });
  });
  return found;
}

/**
 * The clause ids listed as retired: the ids named in list items under the heading "Retired clause
 * IDs" (up to the next heading). Returns `[]` when the section says "None.". Throws
 * `ClauseParseError` when the document has no such heading.
 */
export function parseRetiredClauses(markdown: string): string[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => /^#{1,6}\s+(\d+(\.\d+)*\s+)?Retired clause IDs\s*$/i.test(l));
  if (start < 0) throw new ClauseParseError(0, undefined, 'no "Retired clause IDs" heading');
  const retired: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (HEADING.test(line)) break;
    if (!/^\s*[-*]\s+/.test(line)) continue;
    for (const m of line.matchAll(CLAUSE_ID)) retired.push(`${m[1]}-${Number(m[2])}`);
  }
  return retired;
}

/** Location of the specification, relative to this file (model/protocol/ -> docs/). */
export const protocolUrl = new URL('../../docs/protocol.md', import.meta.url);

/** Reads docs/protocol.md. */
export function loadProtocolText(): string {
  return readFileSync(protocolUrl, 'utf8');
}

/** Every clause of docs/protocol.md. */
export function loadClauses(): Clause[] {
  return parseClauses(loadProtocolText());
}

/** The retired clause ids of docs/protocol.md. */
export function loadRetiredClauses(): string[] {
  return parseRetiredClauses(loadProtocolText());
}
