import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from 'xmlbuilder2';
import { hostileReport, sampleReport } from './sample-report.js';
import { readTraceFile, traceFileName, writeReport } from './write-report.js';
import { xmlWellFormednessProblems } from './xml-well-formedness.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'qrlink-report-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('traceFileName', () => {
  it('keeps safe characters and replaces the rest', () => {
    expect(traceFileName('LINK-2/1')).toBe('LINK-2_1');
    expect(traceFileName('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(traceFileName('..')).toBe('_');
    expect(traceFileName('')).toBe('case');
    expect(traceFileName('x'.repeat(500))).toHaveLength(80);
  });
});

describe('writeReport', () => {
  it('writes report.json, junit.xml, index.html and a trace file per failure, creating the directory', async () => {
    const dir = join(root, 'a', 'b');
    const { files, report, warnings } = await writeReport(dir, sampleReport());
    expect(warnings).toEqual([]);
    expect(files.sort()).toEqual(
      [
        'index.html',
        'junit.xml',
        'report.json',
        'traces/LINK-2_1.json',
        'traces/RELAY-7_1.json',
        'traces/SEC-2_1.json',
        'traces/prop_relay-custody.json',
      ].map((f) => join(dir, f)),
    );
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'junit.xml', 'report.json', 'traces']);

    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    const failed = json.cases.find((c: { id: string }) => c.id === 'LINK-2/1');
    expect(failed.replayFile).toBe('traces/LINK-2_1.json');
    expect(json.cases.find((c: { id: string }) => c.id === 'ERR-2/1').replayFile).toBeUndefined();
    expect(report.cases.find((c) => c.id === 'LINK-2/1')?.replayFile).toBe('traces/LINK-2_1.json');

    const trace = await readTraceFile(join(dir, failed.replayFile));
    expect(trace.caseId).toBe('LINK-2/1');
    expect(trace.expected?.step).toBe(4);

    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(xmlWellFormednessProblems(xml)).toEqual([]);
    expect((convert(xml, { format: 'object' }) as { testsuites: Record<string, string> }).testsuites['@tests']).toBe(
      '10',
    );

    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).toContain(`--replay ${dir}/traces/LINK-2_1.json`);
    expect(html).toContain('<svg width=');
  });

  it('removes trace files of an earlier run and leaves no temporary file', async () => {
    const dir = join(root, 'rerun');
    await writeReport(dir, sampleReport());
    await writeFile(join(dir, 'traces', 'old-case.json'), '{}');
    await writeFile(join(dir, 'traces', 'notes.txt'), 'mine');
    const base = sampleReport();
    const onlyOne = { ...base, cases: base.cases.filter((c) => c.id === 'LINK-2/1' || c.status === 'passed') };
    await writeReport(dir, onlyOne);
    expect((await readdir(join(dir, 'traces'))).sort()).toEqual(['LINK-2_1.json', 'notes.txt']);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('gives distinct trace files to ids that sanitise alike', async () => {
    const base = sampleReport();
    const failed = base.cases.find((c) => c.id === 'LINK-2/1');
    if (failed === undefined) throw new Error('sample has LINK-2/1');
    const twins = { ...base, cases: [failed, { ...failed, id: 'LINK-2 1' }, { ...failed, id: 'link-2_1' }] };
    const { report } = await writeReport(join(root, 'twins'), twins);
    expect(report.cases.map((c) => c.replayFile)).toEqual([
      'traces/LINK-2_1.json',
      'traces/LINK-2_1-2.json',
      'traces/link-2_1-3.json',
    ]);
  });

  it('writes a hostile report whose files stay well-formed and inside the directory', async () => {
    const dir = join(root, 'hostile');
    const { files } = await writeReport(dir, hostileReport());
    for (const f of files) expect(f.startsWith(dir)).toBe(true);
    expect(xmlWellFormednessProblems(await readFile(join(dir, 'junit.xml'), 'utf8'))).toEqual([]);
    const html = await readFile(join(dir, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script|<img/i);
    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(json.cases).toHaveLength(10);
  });
});
