import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.js';
import { runCli } from './main.js';

const commands = ['serve', 'phone', 'web', 'check', 'model', 'mutants', 'bench'] as const;

async function run(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('qrlink CLI', () => {
  it('prints the program help listing all seven commands and exits 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const c of commands) expect(out).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it.each(commands)('prints real help for "%s" and exits 0', async (command) => {
    const { code, out } = await run(command, '--help');
    expect(code).toBe(0);
    expect(out).toContain(`Usage: qrlink ${command} [options]`);
    expect(out).toMatch(/--\w/);
  });

  it('exits 2 and asks for a command when given none', async () => {
    const { code, err } = await run();
    expect(code).toBe(2);
    expect(err).toContain('Usage: qrlink');
  });

  it('exits 2 on an unknown command, naming it', async () => {
    const { code, err } = await run('frobnicate');
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'frobnicate'");
  });

  it.each([
    [['serve', '--port', 'eighty'], "'--port <n>' argument 'eighty' is invalid"],
    [['serve', '--port', '70000'], 'expected an integer from 0 to 65535'],
    [['serve', '--config', 'qrTtlMs=fast'], 'expected key=integer pairs'],
    [['phone', '--server', 'http://x'], 'expected a ws: or wss: URL'],
    [['phone', '--phone', '5551234'], 'expected an E.164 number'],
    [['web', '--driver-port', '-1'], 'expected an integer from 0 to 65535'],
    [['check', '--role', 'toaster'], 'Allowed choices are server, web, phone'],
    [['check', '--target', 'not a url'], 'expected a URL'],
    [['check', '--seed', '1.5'], 'expected an integer'],
    [['check', '--runs', '0'], 'expected an integer from 1'],
    [['check', '--browser', 'ws://x'], 'expected a http: or https: URL'],
    [['model', '--bounds', 'browsers=2'], "unknown bound 'browsers'"],
    [['model', '--bounds', 'tabs=x'], 'bound tabs must be a non-negative integer'],
    [['model', '--fault', 'F9'], "unknown fault 'F9'"],
    [['mutants', '--role', 'cat'], 'Allowed choices are server, web, phone'],
    [['bench', '--frobnicate'], "unknown option '--frobnicate'"],
    [['phone'], 'give --server URL (interactive) or --driver-port N'],
    [['web', '--keep'], 'give --server URL or --driver-port N'],
  ])('rejects %j with exit 2 and a message naming the option', async (argv, message) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it('runs as a real process through bin/qrlink.js (what npx qrlink runs)', async () => {
    const bin = fileURLToPath(new URL('../bin/qrlink.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--version']);
    expect(stdout.trim()).toBe('0.1.0');
    const failed = await promisify(execFile)(process.execPath, [bin, 'check', '--role', 'x']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain("argument 'x' is invalid");
  });
});
