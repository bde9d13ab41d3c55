/**
 * The browser-mode query parameters (docs/conformance.md, "Checking a browser page"): what the
 * suite puts in the URL is what the page reads back; a malformed one is named; none at all means
 * the page's own server.
 */
import { describe, expect, it } from 'vitest';
import { pageParams, withPageParams } from './page-params.js';

describe('page parameters of browser mode', () => {
  it('round-trips server, keep and start through the URL, replacing earlier values', () => {
    const url = withPageParams('http://127.0.0.1:8080/?x=1&qrlink-keep=1', {
      server: 'ws://127.0.0.1:9000',
      keep: false,
      start: 'reopen',
    });
    expect(url).toBe(
      'http://127.0.0.1:8080/?x=1&qrlink-keep=0&qrlink-server=ws%3A%2F%2F127.0.0.1%3A9000&qrlink-start=reopen',
    );
    expect(pageParams(new URL(url).search)).toEqual({
      kind: 'ok',
      params: { server: 'ws://127.0.0.1:9000', keep: false, start: 'reopen' },
    });
  });

  it('without qrlink-server the page uses its own server; keep defaults to 0 and start to open', () => {
    expect(pageParams('')).toEqual({ kind: 'none' });
    expect(pageParams('?qrlink-keep=1')).toEqual({ kind: 'none' });
    expect(pageParams('?qrlink-server=wss://chat.example')).toEqual({
      kind: 'ok',
      params: { server: 'wss://chat.example', keep: false, start: 'open' },
    });
  });

  it('names the malformed parameter', () => {
    expect(pageParams('?qrlink-server=http://x')).toMatchObject({
      kind: 'bad',
      detail: expect.stringContaining('qrlink-server'),
    });
    expect(pageParams('?qrlink-server=ws://x/v1/web')).toMatchObject({
      kind: 'bad',
      detail: expect.stringContaining('qrlink-server'),
    });
    expect(pageParams('?qrlink-server=ws://x&qrlink-keep=true')).toMatchObject({
      kind: 'bad',
      detail: expect.stringContaining('qrlink-keep'),
    });
    expect(pageParams('?qrlink-server=ws://x&qrlink-start=resume')).toMatchObject({
      kind: 'bad',
      detail: expect.stringContaining('qrlink-start'),
    });
  });
});
