/**
 * One case's browser tab: a fresh browser context (empty storage [DRV-13]) with the hooks reader
 * installed in every document and its snapshots routed to whoever drives the tab, and optionally a
 * page made in advance (the target prepares the next case's tab while a case runs: making a page is
 * most of a fresh context's cost).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type HookSnapshot, READER_SCRIPT, SNAPSHOT_BINDING } from './page-hooks.js';

/** The viewport every page is shown in (CSS pixels, scale 1). */
export const VIEWPORT = { width: 1280, height: 1024 } as const;

export type SnapshotSink = (page: Page, snapshot: HookSnapshot) => void;

export class HookedTab {
  private sink: SnapshotSink | undefined;
  private spare: Page | undefined;

  private constructor(readonly context: BrowserContext) {}

  /** A fresh context with the reader installed; with `withPage`, its page made now. */
  static async create(browser: Browser, withPage: boolean): Promise<HookedTab> {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, serviceWorkers: 'block' });
    const tab = new HookedTab(context);
    try {
      await context.exposeBinding(SNAPSHOT_BINDING, (source, snapshot: HookSnapshot) =>
        tab.sink?.(source.page, snapshot),
      );
      await context.addInitScript(READER_SCRIPT);
      if (withPage) tab.spare = await context.newPage();
    } catch (err) {
      await context.close().catch(() => {});
      throw err;
    }
    return tab;
  }

  /** Where the snapshots of this tab's documents go from now on. */
  route(sink: SnapshotSink): void {
    this.sink = sink;
  }

  /** A page of this context: the one made in advance, else a new one. */
  async newPage(): Promise<Page> {
    const page = this.spare;
    this.spare = undefined;
    return page ?? this.context.newPage();
  }

  async close(): Promise<void> {
    this.sink = undefined;
    await this.context.close().catch(() => {});
  }
}
