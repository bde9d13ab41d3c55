/**
 * The frame of every client case: a driver reset to a fresh installation [DRV-13] and a scripted
 * server of the case's own, both closed when the case ends, whatever happened. A driver that
 * breaks the driver protocol or never reaches a state the case waits for fails the case with a
 * message naming why, instead of an internal error.
 */
import type { CaseContext } from '../engine/case.js';
import { CaseFailure } from '../engine/case.js';
import {
  type ClientDriver,
  type ClientRole,
  type ClientTarget,
  DriverBroken,
  DriverWaitTimeout,
} from './client-target.js';
import { type ScriptedServer, startScriptedServer } from './scripted-server.js';

export interface ClientRig<R extends ClientRole> {
  readonly driver: ClientDriver<R>;
  readonly server: ScriptedServer;
}

/** Runs `body` with a fresh driver and scripted server. */
export async function withClient<R extends ClientRole>(
  ctx: CaseContext<ClientTarget<R>>,
  body: (rig: ClientRig<R>) => Promise<void>,
): Promise<void> {
  let driver: ClientDriver<R> | undefined;
  let server: ScriptedServer | undefined;
  try {
    server = await startScriptedServer(ctx.wire);
    driver = await ctx.target.openDriver(ctx.wire);
    await body({ driver, server });
  } catch (err) {
    if (err instanceof DriverBroken) {
      ctx.cite([err.clause]);
      throw new CaseFailure(`${err.message} [${err.clause}]`, ctx.wire.step);
    }
    if (err instanceof DriverWaitTimeout) {
      throw new CaseFailure(err.message, ctx.wire.step, undefined, err.seen.at(-1));
    }
    throw err;
  } finally {
    await driver?.close().catch(() => {});
    await server?.close().catch(() => {});
  }
}
