/**
 * A browser web client page as a client target (`qrlink check --role web --browser URL`): one
 * headless chromium for the run (Debian's `/usr/bin/chromium`, never a downloaded browser), a
 * fresh browser context per case [DRV-13], the page driven through its DOM hooks
 * (`browser-driver.ts`).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { TargetError, type WireLog } from '../../target/target.js';
import type { ClientDriver, ClientTarget } from '../client-target.js';
import { type BrowserDriverOptions, openBrowserDriver } from './browser-driver.js';
import { HookedTab } from './browser-tab.js';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags chromium runs with: headless, no sandbox (containers), nothing fetched in the background. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
] as const;

export interface BrowserTargetOptions extends BrowserDriverOptions {
  /** The chromium binary (default /usr/bin/chromium). */
  readonly executablePath?: string;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Rejects with TargetError unless `pageUrl` is an http(s) URL that answers with a page. */
async function checkReachable(pageUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    throw new TargetError(`not a URL: ${JSON.stringify(pageUrl)} (expected http://host:port/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetError(`unsupported scheme ${url.protocol} in ${pageUrl} (expected an http: or https: URL)`);
  let status: number;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    status = response.status;
    await response.body?.cancel();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? firstLine(err);
    throw new TargetError(`cannot reach the page ${pageUrl}: ${cause}`);
  }
  if (status >= 400) throw new TargetError(`cannot load the page ${pageUrl}: HTTP ${status}`);
}

/** The page at `pageUrl` in a headless chromium; rejects with TargetError when either is missing. */
export async function browserClientTarget(
  pageUrl: string,
  options: BrowserTargetOptions = {},
): Promise<ClientTarget<'web'>> {
  const executablePath = options.executablePath ?? CHROMIUM;
  if (!existsSync(executablePath))
    throw new TargetError(
      `browser mode needs chromium at ${executablePath}, which is missing (on Debian: apt-get install -y chromium)`,
    );
  await checkReachable(pageUrl);
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  } catch (err) {
    throw new TargetError(`cannot start chromium (${executablePath}): ${firstLine(err)}`);
  }
  const drivers = new Set<ClientDriver<'web'>>();
  // The next case's tab, made while the current case runs (a fresh page costs most of a case's overhead).
  let spare: Promise<HookedTab | undefined> | undefined;
  const prepare = () => {
    spare ??= HookedTab.create(browser, true).catch(() => undefined);
  };
  return {
    role: 'web',
    description: pageUrl,
    control: undefined,
    controlMissing: 'a client target has no control endpoint (the suite owns the server and its clock)',
    missing: (capability) =>
      capability === 'driver'
        ? "a page is driven through its DOM hooks, and the suite's own adapter speaks the driver protocol: checking it would check the suite"
        : undefined,
    async openDriver(log: WireLog): Promise<ClientDriver<'web'>> {
      if (!browser.isConnected()) throw new TargetError(`chromium (${executablePath}) is gone`);
      let driver: ClientDriver<'web'>;
      try {
        const taken = spare; // taken at once: two cases never share a tab
        spare = undefined;
        const tab = (await taken) ?? (await HookedTab.create(browser, true));
        prepare();
        const opened: ClientDriver<'web'> = await openBrowserDriver(
          browser,
          pageUrl,
          log,
          { ...options, onClosed: () => drivers.delete(opened) },
          tab,
        );
        driver = opened;
      } catch (err) {
        throw new TargetError(`cannot open a browser context: ${firstLine(err)}`);
      }
      drivers.add(driver); // the target closes whatever the runner left open
      return driver;
    },
    async close(): Promise<void> {
      await Promise.all([...drivers].map((d) => d.close()));
      drivers.clear();
      await (await spare)?.close();
      await browser.close().catch(() => {});
    },
  };
}
