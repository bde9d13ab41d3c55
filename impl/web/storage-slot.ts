/**
 * One slot of persistent text where the web client keeps its kept sessions, one record per session
 * (kept-session.ts):
 * the browser's localStorage (shared by the tabs of one browser), a file for the Node client's
 * `--storage FILE`, memory in tests. The slot knows nothing of what the text means.
 */

export interface StorageSlot {
  /** The stored text, or undefined when nothing is stored. */
  read(): string | undefined;
  write(text: string): void;
  remove(): void;
}

/** A slot in memory: a Node client without a storage file, and tests (shared by two cores = two tabs). */
export class MemoryStorageSlot implements StorageSlot {
  private text: string | undefined;
  /** Every text ever written, in order (tests check what was stored). */
  readonly writes: string[] = [];

  read(): string | undefined {
    return this.text;
  }

  write(text: string): void {
    this.text = text;
    this.writes.push(text);
  }

  remove(): void {
    this.text = undefined;
  }
}
