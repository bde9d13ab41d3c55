import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpectFailuresError, parseExpectFailures, readExpectFailures } from './expect-failures.js';

const dir = mkdtempSync(join(tmpdir(), 'qrlink-xfail-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('--expect-failures files', () => {
  it('reads a list of {id, reason} into a map, ignoring extra members', async () => {
    const path = file(
      'ok.json',
      JSON.stringify([
        { id: 'RELAY-7/1', reason: 'custody bound not implemented' },
        { id: 'SEC-3/1', reason: 'no Origin check', ticket: 'ABC-1' },
      ]),
    );
    const map = await readExpectFailures(path);
    expect([...map]).toEqual([
      ['RELAY-7/1', 'custody bound not implemented'],
      ['SEC-3/1', 'no Origin check'],
    ]);
    expect((await readExpectFailures(file('empty.json', '[]'))).size).toBe(0);
  });

  it.each([
    ['missing.json', undefined, 'no such file'],
    ['not-json.json', '[{"id": "x",', 'not JSON'],
    ['object.json', '{"id": "x", "reason": "y"}', 'expected a JSON list of {"id", "reason"} entries'],
    ['no-reason.json', '[{"id": "A-1/1", "reason": "r"}, {"id": "LINK-2/1"}]', 'entry 1 (reason)'],
    ['empty-id.json', '[{"id": "", "reason": "r"}]', 'entry 0 (id): id must be a non-empty string'],
    ['number.json', '[42]', 'entry 0'],
    ['twice.json', '[{"id": "A", "reason": "r"}, {"id": "A", "reason": "s"}]', 'entry 1: case A is listed twice'],
  ])('refuses %s naming the file and the problem', async (name, text, message) => {
    const path = text === undefined ? join(dir, name) : file(name, text);
    const err = await readExpectFailures(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpectFailuresError);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toContain(message);
  });

  it('parses already-parsed JSON the same way', () => {
    expect(parseExpectFailures([{ id: 'a', reason: 'b' }], 'x.json').get('a')).toBe('b');
    expect(() => parseExpectFailures(null, 'x.json')).toThrow('expect-failures file x.json');
  });
});
