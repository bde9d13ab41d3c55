/**
 * Client implementations under test reached through their driver endpoint: one given by URL
 * (`qrlink check --role web|phone --target ws://host:DRIVERPORT`), or the reference web client or
 * phone started in this process with its driver on a port from the OS (the embedded reference,
 * optionally with mutants switched on). Every case gets its own driver connection [DRV-2], reset to
 * a fresh installation first [DRV-13].
 */
import { startPhone } from '../../impl/phone/index.js';
import { startWeb } from '../../impl/web/index.js';
import { TargetError, type WireLog } from '../target/target.js';
import { type ClientDriver, type ClientRole, type ClientTarget, DriverBroken } from './client-target.js';
import { openDriverConnection } from './driver-connection.js';

/** Resets a freshly opened driver [DRV-13]: the reply must be ok and the state `idle`. */
async function resetDriver<R extends ClientRole>(driver: ClientDriver<R>): Promise<void> {
  const reply = await driver.request('reset');
  if (!reply.ok) {
    throw new DriverBroken(`reset failed: ${reply.error.code} ${reply.error.detail}`, 'DRV-13');
  }
  if (reply.result.state !== 'idle') {
    throw new DriverBroken(`after reset the state is ${reply.result.state}, not idle`, 'DRV-13');
  }
}

/** The client whose driver listens at `driverUrl` (`ws://host:port`). */
export function remoteClientTarget<R extends ClientRole>(
  driverUrl: string,
  role: R,
  description = driverUrl,
  stop: () => Promise<void> = async () => {},
): ClientTarget<R> {
  const open = new Set<ClientDriver<R>>();
  return {
    role,
    description,
    control: undefined,
    controlMissing: 'a client target has no control endpoint (the suite owns the server and its clock)',
    async openDriver(log: WireLog): Promise<ClientDriver<R>> {
      const driver = await openDriverConnection(driverUrl, role, log);
      open.add(driver);
      const close = driver.close.bind(driver);
      driver.close = async () => {
        open.delete(driver);
        await close();
      };
      try {
        await resetDriver(driver);
      } catch (err) {
        await driver.close();
        throw err;
      }
      return driver;
    },
    async close() {
      await Promise.all([...open].map((d) => d.close()));
      await stop();
    },
  };
}

/**
 * The client whose driver listens at `driverUrl`, after one connection proved it reachable: a
 * driver that cannot be reached is a TargetError before any case runs, not a lost target mid-run.
 */
export async function connectClientTarget<R extends ClientRole>(driverUrl: string, role: R): Promise<ClientTarget<R>> {
  const probe = await openDriverConnection(driverUrl, role, { step: 0, entries: [] });
  await probe.close();
  return remoteClientTarget(driverUrl, role);
}

export interface EmbeddedClientOptions {
  /** Mutant ids to switch on in the reference client (impl/web/mutants.ts, impl/phone/mutants.ts). */
  readonly mutants?: readonly string[];
}

/** The reference web client or phone, started in this process with its driver on port 0. */
export async function embeddedClientTarget<R extends ClientRole>(
  role: R,
  options: EmbeddedClientOptions = {},
): Promise<ClientTarget<R>> {
  const settings = { driverPort: 0, ...(options.mutants === undefined ? {} : { mutants: options.mutants }) };
  let running: { readonly driverPort: number | undefined; close(): Promise<void> };
  try {
    running = role === 'web' ? await startWeb(settings) : await startPhone(settings);
  } catch (err) {
    throw new TargetError(`cannot start the reference ${role}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (running.driverPort === undefined) {
    await running.close();
    throw new TargetError(`the reference ${role} opened no driver endpoint`);
  }
  const mutated =
    options.mutants === undefined || options.mutants.length === 0 ? '' : ` with ${options.mutants.join(', ')}`;
  return remoteClientTarget(`ws://127.0.0.1:${running.driverPort}`, role, `embedded reference ${role}${mutated}`, () =>
    running.close(),
  );
}
