/**
 * `qrlink check --role web|phone` end to end, in process: the reference web client and phone each
 * with their driver endpoint on a port from the OS, checked over the driver only (`--target`), and
 * a broken phone (impl/phone/mutants.ts) whose failure writes a trace file that `--replay` re-runs.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPhone } from '../../impl/phone/index.js';
import { startWeb } from '../../impl/web/index.js';
import { captureIo } from '../capture-io.js';
import { runCli } from '../main.js';

async function check(args: string[]) {
  const io = captureIo();
  const code = await runCli(['check', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('qrlink check against client drivers', () => {
  it('--role web --target <driver>: the reference web client passes, with chart and clause coverage in the report', async () => {
    const web = await startWeb({ driverPort: 0 });
    try {
      const out = mkdtempSync(join(tmpdir(), 'qrlink-check-web-'));
      const r = await check([
        '--role',
        'web',
        '--target',
        `ws://127.0.0.1:${web.driverPort}`,
        '--runs',
        '10',
        '--out',
        out,
      ]);
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toMatch(/qrlink check: \d+ passed, 0 failed/);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report.role).toBe('web');
      expect(report.coverage.states.covered).toBe(report.coverage.states.total);
      expect(report.coverage.transitions.covered).toBe(report.coverage.transitions.total);
      expect(report.coverage.clauses.covered).toBe(report.coverage.clauses.total);
    } finally {
      await web.close();
    }
  }, 60_000);

  it('--role phone: a phone that approves without its user fails PHONE-1, and --replay fails the same way', async () => {
    const phone = await startPhone({ driverPort: 0, mutants: ['phone.approves-without-user'] });
    try {
      const target = `ws://127.0.0.1:${phone.driverPort}`;
      const out = mkdtempSync(join(tmpdir(), 'qrlink-check-phone-'));
      const r = await check(['--role', 'phone', '--target', target, '--filter', 'PHONE-1', '--out', out]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAILED phone-PHONE-1-no-approval-without-user .*PHONE-1/);
      const traces = readdirSync(join(out, 'traces'));
      expect(traces.length).toBeGreaterThan(0);
      const replay = await check([
        '--role',
        'phone',
        '--target',
        target,
        '--replay',
        join(out, 'traces', traces[0] ?? ''),
      ]);
      expect(replay.code).toBe(1);
      expect(replay.out).toContain('the same way as recorded');
    } finally {
      await phone.close();
    }
  }, 60_000);
});
