import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const bin = fileURLToPath(new URL('../../bin/qrlink.js', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

/** Starts `qrlink serve` and resolves with its http URL once it printed it. */
async function serve(...args: string[]): Promise<{ url: string; output: () => string }> {
  child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], {
    env: { ...process.env, QRLINK_CONTROL_TOKEN: 'cli-test-token' },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  while (!/web client page at (http:\/\/127\.0\.0\.1:\d+)/.test(output)) {
    const [code] = await Promise.race([once(child.stdout!, 'data'), once(child, 'exit')]);
    if (typeof code === 'number' || code === null) throw new Error(`serve exited early:\n${output}`);
  }
  const url = /web client page at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  return { url, output: () => output };
}

describe('qrlink serve', () => {
  it('serves the browser web client page and the /v1/web endpoint on a port from the OS, and stops on SIGTERM with 0', async () => {
    const { url } = await serve();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-qrlink-state');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/web`, 'qrlink.v1');
    await once(ws, 'open');
    ws.send(JSON.stringify({ t: 'hello', v: 1, device: { name: 'cli test', platform: 'node' }, keep: false }));
    const [data] = await once(ws, 'message');
    expect(JSON.parse(String(data))).toMatchObject({ t: 'qr', n: 1, of: 6 });
    ws.close();
    child!.kill('SIGTERM');
    const [code] = await once(child!, 'exit');
    expect(code).toBe(0);
  });

  it('[CTL-2] with --conformance opens /v1/control with the token from QRLINK_CONTROL_TOKEN', async () => {
    const { url, output } = await serve('--conformance');
    expect(output()).toContain('/v1/control');
    expect(output()).not.toContain('cli-test-token');
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/control`, {
      headers: { Authorization: 'Bearer cli-test-token' },
    });
    await once(ws, 'open');
    ws.send(JSON.stringify({ t: 'stats', id: 1 }));
    const [data] = await once(ws, 'message');
    expect(JSON.parse(String(data))).toMatchObject({ t: 'stats.ok', id: 1 });
    ws.close();
  });

  it('refuses a bad --config value with exit 2 and a message naming the key', async () => {
    child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--config', 'qrTtlMs=0']);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('config.qrTtlMs');
  });

  it('refuses an unknown --mutant with exit 2, naming it and listing the valid mutants', async () => {
    child = spawn(process.execPath, [
      bin,
      'serve',
      '--port',
      '0',
      '--mutant',
      'server.relay-duplicates,server.no-such-fault',
    ]);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('unknown server mutant "server.no-such-fault"');
    expect(err).toContain('server.relay-duplicates, ');
    expect(err).toContain('server.second-claim-wins');
  });
});

describe('qrlink phone and qrlink web with --driver-port', () => {
  it.each(['phone', 'web'])('"%s --driver-port 0" opens a driver endpoint that answers state', async (command) => {
    child = spawn(process.execPath, [bin, command, '--driver-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    while (!/driver endpoint (ws:\/\/127\.0\.0\.1:\d+\/)/.test(output)) await once(child.stdout!, 'data');
    const url = /driver endpoint (ws:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1]!;
    const ws = new WebSocket(url);
    await once(ws, 'open');
    ws.send(JSON.stringify({ id: 1, cmd: 'state' }));
    const [data] = await once(ws, 'message');
    expect(JSON.parse(String(data))).toMatchObject({ id: 1, ok: true, result: { state: 'idle' } });
    ws.close();
    child!.kill('SIGTERM');
    const [code] = await once(child!, 'exit');
    expect(code).toBe(0);
  });
});
