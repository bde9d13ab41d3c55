/**
 * The reference phone as a process (`qrlink phone --server URL [--driver-port N] [--phone +1...]`):
 * the phone core over `ws`, with its driver endpoint when a driver port is given.
 */

import type { Clock } from '../client-clock.js';
import type { ChatStoreOptions } from './chat-store.js';
import { type RunningDriver, startDriverEndpoint } from './driver-endpoint.js';
import { type PhoneMutantId, phoneMutantSet } from './mutants.js';
import { PhoneCore } from './phone-core.js';
import { phoneDriverTarget } from './phone-driver.js';
import { FilePhoneState } from './phone-state-file.js';
import type { PhoneConnector } from './transport.js';
import { wsPhoneConnector } from './ws-connector.js';

export { isPhoneMutantId, type PhoneMutantId, phoneMutants, UnknownPhoneMutantError } from './mutants.js';
export { PhoneCore } from './phone-core.js';
export { PhoneStateError } from './phone-state.js';
export { runPhoneTerminal, type TerminalIo } from './terminal.js';

export interface PhoneOptions {
  /** Server base URL (ws://host:port): connect at start. */
  server?: string;
  /** Open the driver endpoint on this port of 127.0.0.1 (0: any free port). */
  driverPort?: number;
  /** Register this number at start (needs `server`); the SMS code is then typed in (terminal or driver `code`). */
  phone?: string;
  /** The owner's display name. */
  name?: string;
  history?: ChatStoreOptions;
  consentMs?: number;
  clock?: Clock;
  connector?: PhoneConnector;
  log?: (line: string) => void;
  /**
   * Keep the phone's state in this file (`qrlink phone --state FILE`): number, device token,
   * accountId, identity key and every session's kRoot and counters, so that a restarted phone
   * authenticates instead of re-registering (which would revoke every web session, REG-8). A file
   * that is not a valid state makes startPhone reject with a PhoneStateError naming the file.
   */
  stateFile?: string;
  /**
   * Deliberate faults to switch on (impl/phone/mutants.ts ids such as `phone.reuses-counter`), for
   * testing test suites. Unknown ids make startPhone reject with an UnknownPhoneMutantError naming them.
   */
  mutants?: readonly string[];
}

export interface RunningPhone {
  readonly core: PhoneCore;
  /** The driver endpoint's port, when one was opened. */
  readonly driverPort: number | undefined;
  close(): Promise<void>;
}

export async function startPhone(options: PhoneOptions = {}): Promise<RunningPhone> {
  const mutants: ReadonlySet<PhoneMutantId> = phoneMutantSet(options.mutants ?? []);
  const core = new PhoneCore({
    mutants,
    connector: options.connector ?? wsPhoneConnector,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.name ? { name: options.name } : {}),
    ...(options.history ? { history: options.history } : {}),
    // [DRV-12] a driven phone never ends a consent screen by a local timeout.
    ...(options.driverPort !== undefined
      ? { consentMs: 0 }
      : options.consentMs !== undefined
        ? { consentMs: options.consentMs }
        : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.stateFile ? { state: new FilePhoneState(options.stateFile) } : {}),
  });
  let driver: RunningDriver | undefined;
  if (options.driverPort !== undefined)
    driver = await startDriverEndpoint(phoneDriverTarget(core), { port: options.driverPort });
  if (options.server) {
    await core.connect(options.server);
    // A phone restored from its state file authenticates; register only a phone without one.
    if (options.phone && core.state().state === 'unregistered') core.register(options.phone);
  }
  return {
    core,
    driverPort: driver?.port,
    async close() {
      core.close();
      await driver?.close();
    },
  };
}
