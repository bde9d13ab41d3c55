/**
 * What stops browser mode before any case runs (exit 2 in the CLI): no chromium where it must be,
 * a page URL that is not http(s), nothing answering at the page URL, a page answering with an HTTP
 * error. Each is a TargetError that says what is wrong; none launches a browser.
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { TargetError } from '../../target/target.js';
import { browserClientTarget } from './browser-target.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a TargetError');
    },
    (err: Error) => err,
  );
}

describe('browserClientTarget refusals', () => {
  it('a missing chromium is a TargetError naming the path and how to install it', async () => {
    const err = await failure(browserClientTarget('http://127.0.0.1:9/', { executablePath: '/nonexistent/chromium' }));
    expect(err).toBeInstanceOf(TargetError);
    expect(err.message).toBe(
      'browser mode needs chromium at /nonexistent/chromium, which is missing (on Debian: apt-get install -y chromium)',
    );
  });

  it('a URL that is not http(s) is a TargetError', async () => {
    const err = await failure(browserClientTarget('ws://127.0.0.1:9/', { executablePath: process.execPath }));
    expect(err).toBeInstanceOf(TargetError);
    expect(err.message).toContain('expected an http: or https: URL');
  });

  it('an unreachable page is a TargetError naming the URL and the cause', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve)); // a port nothing listens on
    const err = await failure(browserClientTarget(`http://127.0.0.1:${port}/`, { executablePath: process.execPath }));
    expect(err).toBeInstanceOf(TargetError);
    expect(err.message).toBe(`cannot reach the page http://127.0.0.1:${port}/: ECONNREFUSED`);
  });

  it('a page answering 404 is a TargetError with the status', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/nope`;
    try {
      const err = await failure(browserClientTarget(url, { executablePath: process.execPath }));
      expect(err).toBeInstanceOf(TargetError);
      expect(err.message).toBe(`cannot load the page ${url}: HTTP 404`);
    } finally {
      server.close();
    }
  });
});
