import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleReport } from './sample-report.js';
import { parseTraceFile, readTraceFile, TraceFileError, traceFileFor } from './trace-file.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qrlink-trace-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function problemOf(path: string): Promise<TraceFileError> {
  try {
    await readTraceFile(path);
  } catch (err) {
    if (err instanceof TraceFileError) return err;
    throw err;
  }
  throw new Error(`${path} was accepted`);
}

const report = sampleReport();
const failed = report.cases.find((c) => c.id === 'LINK-2/1');
const property = report.cases.find((c) => c.id === 'prop/relay-custody');
if (failed === undefined || property === undefined) throw new Error('sample cases missing');

describe('traceFileFor', () => {
  it("holds the case, the run's role and target, the trace and the error", () => {
    const file = traceFileFor(report, failed);
    expect(file).toMatchObject({
      version: 1,
      caseId: 'LINK-2/1',
      title: 'Claims a ref after its TTL',
      role: 'server',
      target: 'ws://127.0.0.1:8080',
      seed: report.seed,
      verdict: 'failed',
      clauses: ['LINK-2', 'QR-3', 'QR-5'],
    });
    expect(file.trace).toEqual(failed.trace);
    expect(file.expected).toEqual(failed.error);
  });

  it("uses a property case's own seed", () => {
    expect(traceFileFor({ ...report, seed: 7 }, property).seed).toBe(1184273);
  });
});

describe('readTraceFile', () => {
  it('reads back what traceFileFor wrote', async () => {
    const file = traceFileFor(report, failed);
    const path = await fileWith('ok.json', JSON.stringify(file));
    expect(await readTraceFile(path)).toEqual(file);
  });

  it('names a missing file', async () => {
    const err = await problemOf(join(dir, 'nope.json'));
    expect(err.problem).toBe('unreadable');
    expect(err.message).toBe(`trace file ${join(dir, 'nope.json')}: no such file`);
  });

  it('names a file that is not JSON', async () => {
    const err = await problemOf(await fileWith('bad.json', '{"version": 1,'));
    expect(err.problem).toBe('not_json');
  });

  it('names an unsupported version', async () => {
    const err = await problemOf(
      await fileWith('v2.json', JSON.stringify({ ...traceFileFor(report, failed), version: 2 })),
    );
    expect(err.problem).toBe('unsupported_version');
    expect(err.message).toContain('version 2 is not supported');
  });

  it('names the field that is wrong', async () => {
    const file = traceFileFor(report, failed);
    const broken = { ...file, trace: [file.trace[0], { index: 1, actor: 'web1', action: 42 }] };
    const err = await problemOf(await fileWith('shape.json', JSON.stringify(broken)));
    expect(err.problem).toBe('bad_shape');
    expect(err.message).toContain('trace[1].action:');
  });

  it('names missing fields and a wrong top-level type', () => {
    expect(() => parseTraceFile({ version: 1 }, 'x.json')).toThrow(/caseId: .*title: /);
    expect(() => parseTraceFile([1, 2], 'x.json')).toThrow(/\(the file\): /);
  });
});
