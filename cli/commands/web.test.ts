import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { webMutantIdsOption } from './web.js';

const bin = fileURLToPath(new URL('../../bin/qrlink.js', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function run(...args: string[]): { output: () => string; exited: Promise<number | null> } {
  child = spawn(process.execPath, [bin, 'web', ...args]);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { output: () => output, exited };
}

describe('qrlink web --mutant', () => {
  it('collects ids from repeated and comma-separated flags, once each', () => {
    expect(webMutantIdsOption('web.no-ack,web.reuses-qr-key', ['web.no-ack'])).toEqual([
      'web.no-ack',
      'web.reuses-qr-key',
    ]);
    expect(() => webMutantIdsOption('web.nope')).toThrow(/unknown web mutant "web\.nope"; valid mutants: web\./);
  });

  it('starts a deliberately broken client, saying so, with its driver endpoint', async () => {
    const p = run('--driver-port', '0', '--mutant', 'web.no-ack');
    while (!/driver endpoint ws:\/\/127\.0\.0\.1:\d+/.test(p.output())) {
      const [code] = await Promise.race([
        once(child?.stdout as NodeJS.ReadableStream, 'data'),
        p.exited.then((c) => [c]),
      ]);
      if (typeof code === 'number' || code === null) throw new Error(`web exited early:\n${p.output()}`);
    }
    expect(p.output()).toMatch(/WARNING: deliberately broken web client: mutant web\.no-ack breaks RELAY-18/);
  });

  it('an unknown mutant is a usage error (exit 2) naming it', async () => {
    const p = run('--driver-port', '0', '--mutant', 'web.nope');
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/web\.nope/);
  });
});
