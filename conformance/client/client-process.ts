/**
 * The reference web client or phone as a separate process (`qrlink web|phone --driver-port 0
 * --mutant ID`), reached only through its driver endpoint like any third-party client
 * (`remoteClientTarget`, what `qrlink check --role web|phone --target` uses): the kill matrix's
 * over-the-wire sample for the client roles. `close()` ends the child.
 */
import { startQrlinkProcess } from '../target/qrlink-process.js';
import type { ClientRole, ClientTarget } from './client-target.js';
import { remoteClientTarget } from './driver-target.js';

/** Starts `qrlink <role> --driver-port 0` with `mutants` in a child process, reached through its driver. */
export async function clientProcessTarget<R extends ClientRole>(
  role: R,
  mutants: readonly string[],
): Promise<ClientTarget<R>> {
  const args: string[] = [role, '--driver-port', '0'];
  for (const id of mutants) args.push('--mutant', id);
  const child = await startQrlinkProcess(args, /driver endpoint (ws:\/\/127\.0\.0\.1:\d+)/);
  const mutated = mutants.length > 0 ? ` --mutant ${mutants.join(',')}` : '';
  return remoteClientTarget(child.address, role, `qrlink ${role}${mutated} (child process, ${child.address})`, () =>
    child.stop(),
  );
}
