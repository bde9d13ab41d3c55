/** The TLS notice of a non-loopback bind [TR-9]. */
import { expect, test } from 'vitest';
import { isLoopback, plaintextWarning } from './loopback.js';

test('[TR-9] loopback binds need no TLS; any other bind gets a start-up warning naming TR-9', () => {
  for (const h of ['127.0.0.1', '127.5.6.7', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
    expect(isLoopback(h)).toBe(true);
    expect(plaintextWarning(h)).toBeNull();
  }
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '::ffff:10.0.0.1']) {
    expect(isLoopback(h)).toBe(false);
    expect(plaintextWarning(h)).toContain('TR-9');
  }
});
