/**
 * The phone state in a file (`qrlink phone --state FILE`): mode 0600, written atomically (a
 * temporary file in the same directory, then rename), so a crash leaves the old state or the new
 * one, never half of either. A file that is not a valid state is an error naming the file.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import {
  decodePhoneState,
  encodePhoneState,
  PhoneStateError,
  type PhoneStateRecord,
  type PhoneStateStore,
} from './phone-state.js';

export class FilePhoneState implements PhoneStateStore {
  constructor(readonly path: string) {}

  load(): PhoneStateRecord | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new PhoneStateError(`cannot read the phone state file ${this.path}: ${(err as Error).message}`);
    }
    return decodePhoneState(text, `the phone state file ${this.path}`);
  }

  save(record: PhoneStateRecord | undefined): void {
    if (!record) {
      rmSync(this.path, { force: true });
      return;
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, encodePhoneState(record), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
