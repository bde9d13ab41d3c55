/**
 * The reference server started in this process in conformance mode, as a target (`qrlink check`
 * without `--target`). It is reached over real WebSockets on 127.0.0.1 like any remote target.
 */
import { startServer } from '../../impl/server/index.js';
import { connectTarget } from './remote-target.js';
import { type Target, TargetError } from './target.js';

export async function embeddedTarget(): Promise<Target> {
  const server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {} });
  if (server.controlToken === undefined) {
    await server.close();
    throw new TargetError('the embedded reference server started without a control token');
  }
  try {
    return await connectTarget(server.wsUrl, 'embedded reference', server.controlToken, () => server.close());
  } catch (err) {
    await server.close();
    throw err;
  }
}
