/**
 * `qrlink mutants` in process: the catalogue (`--list`), usage errors (exit 2), and the suite's
 * self-validation (issue 8): the whole server catalogue against every server mutant, each stopped at
 * its first kill (the cases citing its clauses run first), failing on any survivor and on a killing
 * case that fails on the unmutated reference too; with `--json` (exactly the documented object) and
 * `--out` (index.html and mutants.json). QRLINK_SEED replays a seed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KillMatrix } from '../../conformance/mutation/kill-matrix.js';
import { phoneMutants } from '../../impl/phone/mutants.js';
import { serverMutantIds } from '../../impl/server/mutants.js';
import { webMutants } from '../../impl/web/mutants.js';
import { captureIo } from '../capture-io.js';
import { runCli } from '../main.js';

const seed = Number(process.env.QRLINK_SEED ?? 1);

async function mutants(args: string[]) {
  const io = captureIo();
  const code = await runCli(['mutants', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('qrlink mutants', () => {
  it('--list prints one server mutant a line, id first, then role and description, and runs nothing', async () => {
    const r = await mutants(['--list', '--role', 'server']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(serverMutantIds);
    expect(lines.length).toBeGreaterThanOrEqual(25);
    expect(lines.find((l) => l.startsWith('server.queue-drops-silently'))).toMatch(
      /^server\.queue-drops-silently\s+server\s+past custodyLimit/,
    );
  });

  it('--list --json gives id, role, description and clauses', async () => {
    const r = await mutants(['--list', '--json', '--role', 'server', '--mutant', 'server.leaks-timer']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      mutants: [
        {
          id: 'server.leaks-timer',
          role: 'server',
          description: expect.stringContaining('TTL timer'),
          clauses: ['LINK-13', 'CTL-7'],
        },
      ],
    });
  });

  it('exits 2 naming the problem: an unknown mutant, a bad option', async () => {
    const unknown = await mutants(['--role', 'server', '--mutant', 'server.nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown mutant server\.nope; valid mutants: server\.accepts-expired-ref/);
    expect((await mutants(['--role', 'nobody'])).code).toBe(2);
    expect((await mutants(['--runs', '0'])).code).toBe(2);
  });

  it(`[issue 8] every role's whole catalogue against every mutant of that role (--first-kill): all killed, by cases that pass on the reference; --json is exactly {mutants: [...]}; --out writes the report (seed ${seed})`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'qrlink-mutants-'));
    const args = ['--json', '--first-kill', '--seed', String(seed), '--runs', '20', '--out', out];
    const r = await mutants(args);
    // the human matrix (with any SURVIVED line) is on stderr with --json
    expect(r.code, `qrlink mutants ${args.join(' ')}\n${r.err}`).toBe(0);
    const json = JSON.parse(r.out) as { mutants: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['mutants']);
    const ids = [...serverMutantIds, ...webMutants.map((m) => m.id), ...phoneMutants.map((m) => m.id)];
    expect(json.mutants.map((m) => m.id)).toEqual(ids);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(serverMutantIds.length).toBeGreaterThanOrEqual(20);
    expect(webMutants.length).toBeGreaterThanOrEqual(5);
    expect(phoneMutants.length).toBeGreaterThanOrEqual(5);
    for (const m of json.mutants) {
      expect(Object.keys(m)).toEqual(['id', 'role', 'description', 'clauses', 'killed', 'killedBy', 'firstKillMs']);
      expect(m, `${String(m.id)} survived`).toMatchObject({ killed: true });
      expect(String(m.id).startsWith(`${String(m.role)}.`)).toBe(true);
      expect((m.killedBy as string[]).length).toBe(1);
      expect(typeof m.firstKillMs).toBe('number');
    }
    expect(r.err).toMatch(/qrlink mutants: (\d+) of \1 killed \(mutation score 100\.0%\), baseline passed: PASS/);
    expect(r.err).toMatch(/baseline: the killing cases \(\d+\) passed on the unmutated reference/);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('Mutation score');
    const data = JSON.parse(readFileSync(join(out, 'mutants.json'), 'utf8')) as { matrices: KillMatrix[] };
    expect(data.matrices.map((m) => m.role)).toEqual(['server', 'web', 'phone']);
    for (const matrix of data.matrices) {
      expect(matrix.baseline).toMatchObject({ scope: 'killers', failures: [] });
      for (const m of matrix.mutants) expect(m.shortest?.steps, `${m.id} trace`).toBeGreaterThan(0);
    }
    // the over-the-wire samples: a separate `qrlink serve|web|phone --mutant ID` process per role,
    // caught through WebSocket only
    const wired = data.matrices.flatMap((m) => m.mutants.filter((x) => x.reach === 'over-the-wire'));
    expect(wired.map((m) => m.id)).toEqual([
      'server.accepts-expired-ref',
      'web.accepts-forged-offer',
      'phone.approves-without-user',
    ]);
    for (const m of wired) {
      expect(m.killed).toBe(true);
      expect(m.shortest?.wireLog.length).toBeGreaterThan(0);
    }
  }, 240_000);
});
