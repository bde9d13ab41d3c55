/**
 * The Node web client's `--storage FILE`: the kept-session store (one record per session) in a file of mode 0600, written
 * atomically (a temporary file in the same directory, then rename), so that a crash never leaves
 * half a record. No file means nothing stored.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { StorageSlot } from './storage-slot.js';

export class FileStorageSlot implements StorageSlot {
  constructor(readonly path: string) {}

  read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the web client's storage file ${this.path}: ${(err as Error).message}`);
    }
  }

  write(text: string): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
