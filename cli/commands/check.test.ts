import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { captureIo } from '../capture-io.js';
import { runCli } from '../main.js';

// The catalogue and the embedded target are replaced by fakes, so these tests see the CLI's own
// behaviour (exit codes, messages, report files) whatever checks exist; the end-to-end tests with
// the real catalogue and the reference server live elsewhere.
const fake = vi.hoisted(() => ({ targetsOpened: 0, targetsClosed: 0, failing: true, lost: false }));

vi.mock('../../conformance/engine/server-catalogue.js', async () => {
  const { CaseFailure } = await import('../../conformance/engine/case.js');
  const { checkSource } = await import('../../conformance/checks/check-source.js');
  const { TargetError } = await import('../../conformance/target/target.js');
  type Case = import('../../conformance/engine/case.js').Case;
  const base = { section: '6 QR refs', kind: 'check', role: 'server', level: 'MUST', needs: [] } as const;
  const cases: Case[] = [
    {
      ...base,
      id: 'FAKE-1/1',
      title: 'A check that passes',
      clauses: ['QR-1'],
      run: async (ctx) => {
        ctx.step('web1', 'web1 sends hello', { t: 'hello' });
        if (fake.lost) throw new TargetError('cannot connect to ws://127.0.0.1:9/v1/web: ECONNREFUSED');
      },
    },
    {
      ...base,
      id: 'FAKE-2/1',
      title: 'A check that fails',
      clauses: ['LINK-2'],
      needs: ['control'],
      run: async (ctx) => {
        ctx.step('phone1', 'phone1 claims an expired ref', { t: 'link.claim' });
        if (fake.failing) throw new CaseFailure('expected link.error expired_ref, got link.claimed', 0);
      },
    },
  ];
  return { serverSources: () => [checkSource('checks', [cases])], serverCharts: [] };
});

vi.mock('../../conformance/target/embedded-target.js', async () => {
  const { defaultConfig } = await import('../../model/protocol/config.js');
  return {
    embeddedTarget: async () => {
      fake.targetsOpened++;
      return {
        description: 'embedded reference',
        wsUrl: 'ws://127.0.0.1:9',
        control: {
          reset: async () => {},
          advance: async (ms: number) => ms,
          sms: async () => null,
          config: async () => ({ ...defaultConfig }),
          stats: async () => {
            throw new Error('unused');
          },
          close: async () => {},
        },
        openPeer: async () => {
          throw new Error('unused');
        },
        close: async () => {
          fake.targetsClosed++;
        },
      };
    },
  };
});

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(['check', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qrlink-check-'));
}

beforeEach(() => {
  fake.targetsOpened = 0;
  fake.targetsClosed = 0;
  fake.failing = true;
  fake.lost = false;
});

describe('qrlink check: usage errors exit 2 and run nothing', () => {
  it('a --filter matching no case exits 2 with "no case matched"', async () => {
    const { code, out, err } = await run('--filter', 'no-such-case');
    expect(code).toBe(2);
    expect(err).toContain('no case matched --filter no-such-case');
    expect(out).toBe('');
    expect(fake.targetsOpened).toBe(0);
  });

  it.each([
    [['--browser', 'http://127.0.0.1:8080/'], '--browser checks a web client page; it does not go with --role server'],
    [
      ['--role', 'web', '--browser', 'http://127.0.0.1:8080/', '--target', 'ws://127.0.0.1:9'],
      'give --target (a driver endpoint) or --browser (a page), not both',
    ],
    [
      ['--role', 'phone', '--control-token', 't'],
      "--control-token is for a server's control endpoint; a phone target has none",
    ],
    [['--role', 'all', '--target', 'ws://127.0.0.1:9'], '--role all checks the embedded reference of every role'],
  ])('%j exits 2 naming the options that do not go together', async (argv, named) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toContain(named);
    expect(fake.targetsOpened).toBe(0);
  });

  it('an unreachable client driver exits 2 saying it cannot reach it', async () => {
    const { code, err } = await run('--role', 'phone', '--target', 'ws://127.0.0.1:1', '--out', tempDir());
    expect(code).toBe(2);
    expect(err).toContain('cannot reach the phone driver at ws://127.0.0.1:1');
  });

  it('an unreachable --target exits 2 saying it cannot reach it', async () => {
    const { code, err } = await run('--target', 'ws://127.0.0.1:1', '--out', tempDir());
    expect(code).toBe(2);
    expect(err).toContain('cannot reach ws://127.0.0.1:1');
  });

  it('an --expect-failures file that is not a list of {id, reason} exits 2 naming the problem', async () => {
    const dir = tempDir();
    const bad = join(dir, 'xfail.json');
    writeFileSync(bad, JSON.stringify([{ id: 'FAKE-2/1' }]));
    const { code, err } = await run('--expect-failures', bad, '--out', dir);
    expect(code).toBe(2);
    expect(err).toContain(`expect-failures file ${bad}`);
    expect(err).toContain('entry 0 (reason)');
    expect(fake.targetsOpened).toBe(0);
    const missing = await run('--expect-failures', join(dir, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no such file');
  });

  it('a --replay file that is not a trace file exits 2 naming it', async () => {
    const dir = tempDir();
    const bad = join(dir, 'trace.json');
    writeFileSync(bad, '{"version": 1}');
    const { code, err } = await run('--replay', bad);
    expect(code).toBe(2);
    expect(err).toContain(`trace file ${bad}`);
  });
});

describe('qrlink check: a target lost mid-run', () => {
  it('stops the run with exit 2, says so, closes the target and writes no report', async () => {
    fake.lost = true;
    const dir = tempDir();
    const { code, out, err } = await run('--out', dir);
    expect(code).toBe(2);
    expect(err).toContain('lost the target during the run: cannot connect to ws://127.0.0.1:9/v1/web');
    expect(out).toBe('');
    expect(fake.targetsClosed).toBe(fake.targetsOpened); // every lane closed
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
  });
});

describe('qrlink check --list', () => {
  it('prints id, title and clauses of each case, exits 0 and opens no target', async () => {
    const { code, out } = await run('--list');
    expect(code).toBe(0);
    expect(out.split('\n').filter(Boolean)).toEqual([
      'FAKE-1/1  A check that passes  [QR-1]',
      'FAKE-2/1  A check that fails  [LINK-2]',
    ]);
    expect(fake.targetsOpened).toBe(0);
  });

  it('applies --filter, and prints JSON with --json', async () => {
    const { code, out } = await run('--list', '--filter', 'passes', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      {
        id: 'FAKE-1/1',
        title: 'A check that passes',
        section: '6 QR refs',
        kind: 'check',
        level: 'MUST',
        clauses: ['QR-1'],
        needs: [],
      },
    ]);
  });
});

describe('qrlink check: a run', () => {
  it('exits 1 when a check fails, writes the reports and a trace per failure, ends with the summary line', async () => {
    const dir = tempDir();
    const { code, out } = await run('--out', dir, '--seed', '5');
    expect(code).toBe(1);
    expect(fake.targetsClosed).toBe(fake.targetsOpened);
    for (const f of ['report.json', 'junit.xml', 'index.html']) expect(existsSync(join(dir, f))).toBe(true);
    expect(readdirSync(join(dir, 'traces'))).toEqual(['FAKE-2_1.json']);
    const lines = out.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      new RegExp(`^qrlink check: 1 passed, 1 failed \\(.*\\), seed 5 -> ${join(dir, 'index.html')}$`),
    );
    expect(out).toContain('FAILED FAKE-2/1  A check that fails: expected link.error expired_ref, got link.claimed');
    expect(out).toContain(`qrlink check --replay ${join(dir, 'traces/FAKE-2_1.json')}`);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.summary).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
    expect(report).toMatchObject({ target: 'embedded reference', role: 'server', seed: 5 });
    const link2 = report.coverage.clauses.items.find((i: { id: string }) => i.id === 'LINK-2');
    expect(link2).toMatchObject({ status: 'failed', cases: ['FAKE-2/1'] });
    expect(report.coverage.clauses.total).toBeGreaterThan(90);
  });

  it('exits 0 when every check passed', async () => {
    fake.failing = false;
    const { code, out } = await run('--out', tempDir());
    expect(code).toBe(0);
    expect(out).toContain('qrlink check: 2 passed, 0 failed');
  });

  it('an expected failure does not fail the run, and an expected failure that passes is reported', async () => {
    const dir = tempDir();
    const list = join(dir, 'xfail.json');
    writeFileSync(list, JSON.stringify([{ id: 'FAKE-2/1', reason: 'claims on expired refs not checked yet' }]));
    const expected = await run('--out', dir, '--expect-failures', list);
    expect(expected.code).toBe(0);
    expect(expected.out).toContain('1 passed, 0 failed, 1 expected failure');
    fake.failing = false;
    const fixed = await run('--out', dir, '--expect-failures', list);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain('1 unexpected pass');
  });

  it('--json prints report.json on stdout and the summary on stderr', async () => {
    const dir = tempDir();
    const { code, out, err } = await run('--out', dir, '--json', '--filter', 'FAKE-1');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ summary: { passed: 1, failed: 0 }, cases: [{ id: 'FAKE-1/1' }] });
    expect(out).toBe(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(err).toContain('qrlink check: 1 passed, 0 failed');
  });

  it('--replay re-runs the case of a trace file and says whether it failed the same way', async () => {
    const dir = tempDir();
    await run('--out', dir);
    const trace = join(dir, 'traces', 'FAKE-2_1.json');
    const same = await run('--replay', trace);
    expect(same.code).toBe(1);
    expect(same.out).toContain(
      'replay FAKE-2/1: failed, the same way as recorded: expected link.error expired_ref, got link.claimed',
    );
    fake.failing = false;
    const fixed = await run('--replay', trace);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain('replay FAKE-2/1: passed; the recorded failure no longer happens');
  });
});
