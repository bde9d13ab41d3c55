/** link.claimed.address as section 7.4 shows it. */
import { expect, test } from 'vitest';
import { consentAddress } from './remote-address.js';

test('[LINK-1] link.claimed.address (section 7.4): IPv4 as is, IPv4-mapped IPv6 shown as IPv4, IPv6 in lower-case compressed form', () => {
  expect(consentAddress('203.0.113.7')).toBe('203.0.113.7');
  expect(consentAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(consentAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  expect(consentAddress('2001:db8::1')).toBe('2001:db8::1');
  expect(consentAddress('::1')).toBe('::1');
  expect(consentAddress(undefined)).toBe('');
});
