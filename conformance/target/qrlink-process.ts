/**
 * A `qrlink` command (the reference server, web client or phone) as a separate process, for the
 * samples that reach a reference only through the network as a third-party implementation would be
 * reached. The address it serves on is read from the line it prints; `stop()` ends it with SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TargetError } from './target.js';

const bin = fileURLToPath(new URL('../../bin/qrlink.js', import.meta.url));

/** How long the child may take to print its address (tsx compiles the CLI on first start). */
const startLimitMs = 30_000;

export interface QrlinkProcess {
  /** What `address` captured from the child's output (its first group). */
  readonly address: string;
  stop(): Promise<void>;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Runs `qrlink <args>` and resolves once its standard output matches `address`; rejects with a
 * TargetError naming the command (and the end of its standard error) when it exits first or says
 * nothing in time.
 */
export function startQrlinkProcess(
  args: readonly string[],
  address: RegExp,
  env: Readonly<Record<string, string>> = {},
): Promise<QrlinkProcess> {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string) => {
      clearTimeout(limit);
      void stop(child);
      reject(
        new TargetError(`qrlink ${args[0] ?? ''} (child process) did not start: ${why}${err ? `: ${err.trim()}` : ''}`),
      );
    };
    const limit = setTimeout(() => fail(`no address within ${startLimitMs} ms`), startLimitMs);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err = (err + chunk).slice(-2000);
    });
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const found = address.exec(out)?.[1];
      if (found !== undefined) {
        clearTimeout(limit);
        resolve({ address: found, stop: () => stop(child) });
      }
    });
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code})`));
  });
}
