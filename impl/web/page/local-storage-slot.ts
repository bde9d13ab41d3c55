/**
 * The browser's storage slot: one localStorage key holding the kept-session store, one record per
 * session [E2E-14],
 * shared by the tabs of one browser, as the protocol assumes (SESS-14 compare-before-delete).
 */
import type { StorageSlot } from '../storage-slot.js';

export const STORAGE_KEY = 'qrlink.session';

export class LocalStorageSlot implements StorageSlot {
  constructor(private readonly store: Storage) {}

  read(): string | undefined {
    try {
      return this.store.getItem(STORAGE_KEY) ?? undefined;
    } catch {
      return undefined;
    }
  }

  write(text: string): void {
    try {
      this.store.setItem(STORAGE_KEY, text);
    } catch {
      // storage disabled or full: the session simply does not survive the tab
    }
  }

  remove(): void {
    try {
      this.store.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  }
}
