/**
 * [TR-9] /v1/phone and /v1/web must travel over TLS except on the loopback interface. The reference
 * server speaks plain ws, so bound to any other address it needs a TLS-terminating proxy in front;
 * `plaintextWarning` says so at start-up.
 */
import { isIP } from 'node:net';

/** True for a host name or address that only the loopback interface reaches. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && (mapped[1] ?? '').startsWith('127.');
}

/** The start-up warning for a non-loopback bind, or null on loopback. */
export function plaintextWarning(host: string): string | null {
  if (isLoopback(host)) return null;
  return `warning [TR-9]: listening on ${host} without TLS; /v1/phone and /v1/web must reach clients as wss:// through a TLS-terminating proxy`;
}
