/** The reference QR Link v1 server. */
export { type AdvanceableClock, type Clock, ManualClock, RealClock, type TimerHandle } from './clock.js';
export { type RunningServer, type ServerOptions, startServer } from './server.js';
export type { Stats } from './stats.js';
export { MemoryStore } from './storage/memory.js';
export { SqliteStore } from './storage/sqlite.js';
export type { Store } from './storage/store.js';
export type { Asset } from './transport.js';
