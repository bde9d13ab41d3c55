/**
 * Entry of a benchmark server process (started by server-child.ts with an IPC channel):
 * `server-process.ts <reference|bare> <config JSON>`. Binds 127.0.0.1 on a port from the OS, reports
 * `ready`, answers `memory` after a full GC, and exits on `stop` or when the parent goes away.
 */
import { startServer } from '../impl/server/index.js';
import type { ServerMutantId } from '../impl/server/mutants.js';
import { ConfigPatch } from '../model/protocol/config.js';
import { startBareServer } from './bare-server.js';
import type { ChildMessage, ParentMessage } from './server-child.js';

const send = (m: ChildMessage) => process.send?.(m);

async function main(): Promise<void> {
  const kind = process.argv[2];
  const config = ConfigPatch.parse(JSON.parse(process.argv[3] ?? '{}'));
  let close: () => Promise<void>;
  let connections = () => -1;
  if (kind === 'reference') {
    const mutants = (process.argv[4] ?? '').split(',').filter((m) => m !== '') as ServerMutantId[];
    const server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {}, config, mutants });
    close = () => server.close();
    send({ t: 'ready', wsUrl: server.wsUrl, controlToken: server.controlToken });
  } else if (kind === 'bare') {
    const server = await startBareServer();
    close = () => server.close();
    connections = () => server.connections();
    send({ t: 'ready', wsUrl: server.wsUrl, controlToken: undefined });
  } else {
    throw new Error(`unknown server kind ${String(kind)} (expected reference or bare)`);
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (m: ParentMessage) => {
    if (m.t === 'memory') {
      gc?.();
      gc?.();
      const mem = process.memoryUsage();
      send({ t: 'memory', rss: mem.rss, heapUsed: mem.heapUsed, connections: connections() });
    } else if (m.t === 'cpu') {
      const cpu = process.cpuUsage();
      send({ t: 'cpu', micros: cpu.user + cpu.system });
    } else if (m.t === 'stop') {
      void close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server process: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
