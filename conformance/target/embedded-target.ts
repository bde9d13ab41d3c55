/**
 * The reference server started in this process in conformance mode, as a target (`qrlink check`
 * without `--target`; `qrlink mutants` with faults switched on). It is reached over real
 * WebSockets on 127.0.0.1 like any remote target.
 */
import { startServer } from '../../impl/server/index.js';
import { serverMutantSet } from '../../impl/server/mutants.js';
import { connectTarget } from './remote-target.js';
import { type Target, TargetError } from './target.js';

/** The reference server with `mutants` (impl/server/mutants.ts) switched on; none by default. */
export async function embeddedTarget(mutants: readonly string[] = []): Promise<Target> {
  const server = await startServer({
    conformance: true,
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    ...(mutants.length === 0 ? {} : { mutants: serverMutantSet(mutants) }),
  });
  if (server.controlToken === undefined) {
    await server.close();
    throw new TargetError('the embedded reference server started without a control token');
  }
  const description = mutants.length === 0 ? 'embedded reference' : `embedded reference with ${mutants.join(', ')}`;
  try {
    return await connectTarget(server.wsUrl, description, server.controlToken, () => server.close());
  } catch (err) {
    await server.close();
    throw err;
  }
}
