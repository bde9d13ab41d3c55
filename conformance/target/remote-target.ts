/**
 * A server under test reached over the network (`qrlink check --target ws://host:port`): checked
 * reachable up front, its control endpoint opened when a token is given, and every peer socket it
 * opened closed by `close()`.
 */
import { openControl } from './control-client.js';
import { causeOf, openPeerSocket } from './peer-socket.js';
import { type ControlClient, type PeerSocket, type Target, TargetError, type WireLog } from './target.js';

export interface RemoteTargetOptions {
  /** The control token (`--control-token` or `QRLINK_CONTROL_TOKEN`); without it there is no control. */
  readonly controlToken?: string;
}

/** Why a remote target has no control endpoint when no token was given. */
export const NO_CONTROL_TOKEN = 'no control token (--control-token or QRLINK_CONTROL_TOKEN)';

/** `ws://host:port` from what the user typed (`ws`, `wss`, `http` or `https`; any path is dropped). */
export function baseWsUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`not a URL: ${JSON.stringify(url)} (expected ws://host:port)`);
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[parsed.protocol];
  if (!scheme) throw new TargetError(`unsupported scheme ${parsed.protocol} in ${url} (expected ws://host:port)`);
  return `${scheme}//${parsed.host}`;
}

/** Opens the web endpoint once and closes it: the target speaks QR Link at this address. */
async function probe(wsUrl: string, shown: string): Promise<void> {
  const log: WireLog = { step: 0, entries: [] };
  try {
    const socket = await openPeerSocket(`${wsUrl}/v1/web`, 'probe', log);
    await socket.close();
  } catch (err) {
    const cause = err instanceof TargetError ? err.message.replace(/^cannot connect to \S+: /, '') : causeOf(err);
    throw new TargetError(`cannot reach ${shown}: ${cause}`);
  }
}

/** The parts of a target both adapters share: peer tracking, control, and closing. */
export async function connectTarget(
  wsUrl: string,
  description: string,
  controlToken: string | undefined,
  stop?: () => Promise<void>,
): Promise<Target> {
  await probe(wsUrl, description === wsUrl ? wsUrl : `${description} (${wsUrl})`);
  const control: ControlClient | undefined =
    controlToken === undefined || controlToken === '' ? undefined : await openControl(wsUrl, controlToken);
  const open = new Set<PeerSocket>();
  let closed = false;
  return {
    description,
    wsUrl,
    control,
    ...(control ? {} : { controlMissing: NO_CONTROL_TOKEN }),
    async openPeer(path, peer, log, options) {
      if (closed) throw new TargetError(`target ${description} is closed`);
      let socket: PeerSocket | undefined;
      const opened = await openPeerSocket(`${wsUrl}${path}`, peer, log, {
        ...options,
        onClosed: () => {
          if (socket) open.delete(socket);
        },
      });
      socket = opened;
      if (!opened.closed) open.add(opened);
      return opened;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...open].map((s) => s.drop()));
      open.clear();
      await control?.close();
      await stop?.();
    },
  };
}

/** A server at `url` (ws://host:port). Rejects with TargetError when unreachable or the token is refused. */
export function remoteTarget(url: string, options: RemoteTargetOptions = {}): Promise<Target> {
  const wsUrl = baseWsUrl(url);
  return connectTarget(wsUrl, url, options.controlToken);
}
