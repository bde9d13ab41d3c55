/**
 * Builds the browser page: bundles main.ts (the shared web core, crypto, qrcode) with esbuild and
 * inlines it into page.html, giving one self-contained HTML string for the server's `page` option.
 * Built once per process, on first call.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

let cached: Promise<{ html: string }> | undefined;

/**
 * zod's namespace object re-exports every locale (about 260 KB minified, half the page); the page
 * only ever uses the English messages zod configures itself with, so `zod/v4/locales/index.js` is
 * replaced by a module that exports `en` alone. Every chromium load parses the page's script: this
 * halves what the conformance suite's browser mode pays per case.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-english-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

async function buildOnce(): Promise<{ html: string }> {
  const [template, result] = await Promise.all([
    readFile(here('./page.html'), 'utf8'),
    build({
      entryPoints: [here('./main.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['chrome110', 'firefox115', 'safari16'],
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      plugins: [zodEnglishOnly],
    }),
  ]);
  const js = result.outputFiles[0]?.text;
  if (js === undefined) throw new Error('esbuild produced no bundle for the web page');
  // A literal "</script" inside the bundle would end the inline script early.
  const safe = js.replace(/<\/script/gi, '<\\/script');
  const marker = '/*QRLINK_BUNDLE*/';
  const at = template.indexOf(marker);
  if (at < 0) throw new Error('page.html has no bundle marker');
  return { html: template.slice(0, at) + safe + template.slice(at + marker.length) };
}

/** The page as one HTML string with the bundle inlined. */
export function buildWebPage(): Promise<{ html: string }> {
  cached ??= buildOnce().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
