/**
 * The web connection's address as the consent screen shows it (section 7.4, `link.claimed.address`):
 * dotted-quad IPv4, or IPv6 in RFC 5952 form, an IPv4-mapped IPv6 address shown as IPv4. Forwarded-for
 * headers are not trusted (implementation-defined; the reference reads the socket only).
 */
import { isIP } from 'node:net';

/** Text of the socket's remote address for `link.claimed.address` (at most 64 characters). */
export function consentAddress(remote: string | undefined): string {
  if (!remote) return '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  if (mapped?.[1] && isIP(mapped[1]) === 4) return mapped[1];
  return (isIP(remote) === 6 ? remote.toLowerCase() : remote).slice(0, 64);
}
