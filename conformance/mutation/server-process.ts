/**
 * The reference server as a separate process (`qrlink serve --conformance --port 0 --mutant ID`),
 * reached only over WebSocket like any third-party server (`remoteTarget`, what `qrlink check
 * --target` uses): the kill matrix's over-the-wire sample. The control token goes to the child through
 * QRLINK_CONTROL_TOKEN; `close()` ends the child (it stops the server and exits).
 */
import { randomBytes } from 'node:crypto';
import { startQrlinkProcess } from '../target/qrlink-process.js';
import { remoteTarget } from '../target/remote-target.js';
import type { Target } from '../target/target.js';

/** Starts `qrlink serve --conformance` with `mutants` in a child process and connects to it over WebSocket. */
export async function serverProcessTarget(mutants: readonly string[]): Promise<Target> {
  const token = randomBytes(18).toString('base64url');
  const args = ['serve', '--conformance', '--port', '0', '--host', '127.0.0.1'];
  for (const id of mutants) args.push('--mutant', id);
  const child = await startQrlinkProcess(args, /phones connect to (ws:\/\/\S+)\/v1\/phone/, {
    QRLINK_CONTROL_TOKEN: token,
  });
  try {
    const target = await remoteTarget(child.address, { controlToken: token });
    const description = `qrlink serve --mutant ${mutants.join(',')} (child process, ${child.address})`;
    return {
      ...target,
      description,
      openPeer: target.openPeer.bind(target),
      async close() {
        await target.close();
        await child.stop();
      },
    };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
