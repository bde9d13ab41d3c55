/**
 * The reference web client in Node (`qrlink web --server URL [--driver-port N] [--keep]
 * [--storage FILE]`): the web core over `ws`, the kept-session record (E2E-14) in a file or memory
 * (resumed at start when one is stored), the QR in the terminal, and the driver endpoint when a
 * driver port is given.
 */

import type { Clock } from '../client-clock.js';
import { type RunningDriver, startDriverEndpoint } from '../phone/driver-endpoint.js';
import { FileStorageSlot } from './file-storage-slot.js';
import { webMutantSet } from './mutants.js';
import type { WebConnector } from './socket.js';
import { MemoryStorageSlot, type StorageSlot } from './storage-slot.js';
import { terminalView } from './terminal-view.js';
import { WebCore } from './web-core.js';
import { webDriverTarget } from './web-driver.js';
import { wsWebConnector } from './ws-connector.js';

export { UnknownWebMutantError, type WebMutantId, webMutantIds, webMutants } from './mutants.js';
export { buildWebPage } from './page/build.js';
export { renderQrForTerminal } from './terminal-view.js';
export { WebCore } from './web-core.js';

export interface WebOptions {
  /** Server base URL (ws://host:port): open at start. */
  server?: string;
  /** Open the driver endpoint on this port of 127.0.0.1 (0: any free port). */
  driverPort?: number;
  /** "keep me signed in" for the open at start (default false). */
  keep?: boolean;
  /** Keep the kept-session record (token, sessionId, kRoot, account: E2E-14) in this file (else in memory). */
  storageFile?: string;
  storage?: StorageSlot;
  /** Where the terminal view goes, one line per call (the QR drawing spans several); nothing is printed without it. */
  log?: (line: string) => void;
  clock?: Clock;
  connector?: WebConnector;
  device?: { name: string; platform: string };
  pollMs?: number;
  /**
   * Deliberate faults to switch on (mutants.ts, ids `web.<fault>`), for testing test suites; an
   * unknown id throws UnknownWebMutantError naming it.
   */
  mutants?: readonly string[];
}

export interface RunningWeb {
  readonly core: WebCore;
  readonly driverPort: number | undefined;
  close(): Promise<void>;
}

export async function startWeb(options: WebOptions = {}): Promise<RunningWeb> {
  const mutants = webMutantSet(options.mutants ?? []); // before anything opens: an unknown id stops here
  const storage =
    options.storage ?? (options.storageFile ? new FileStorageSlot(options.storageFile) : new MemoryStorageSlot());
  const core = new WebCore({
    connector: options.connector ?? wsWebConnector,
    storage,
    device: options.device ?? { name: 'qrlink web (Node)', platform: process.platform.slice(0, 32) || 'node' },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.log ? { log: options.log } : {}),
    mutants,
  });
  const off = options.log ? core.onChange(terminalView(options.log)) : undefined;
  let driver: RunningDriver | undefined;
  if (options.driverPort !== undefined)
    driver = await startDriverEndpoint(webDriverTarget(core), { port: options.driverPort });
  if (options.server) {
    // A restarted client resumes the most recently written kept session from storage (one record
    // per session: token, sessionId, kRoot, account: E2E-14; logout-pending ones are logged out
    // first, WEB-6) with a fresh epoch; with nothing stored it links afresh. A corrupt record stops here.
    const stored = core.storedSession();
    if (stored.kind === 'corrupt') {
      await driver?.close();
      const where = options.storageFile ? `the storage file ${options.storageFile}` : 'the storage';
      throw new Error(`${where} holds no valid kept session (${stored.detail}): delete it to link afresh`);
    }
    core.configure(options.server, options.keep ?? false);
    if (stored.kind === 'ok') await core.reopen();
    else await core.open(options.server, options.keep ?? false);
  }
  return {
    core,
    driverPort: driver?.port,
    async close() {
      off?.();
      if (core.state().state !== 'idle') core.close();
      await driver?.close();
    },
  };
}
