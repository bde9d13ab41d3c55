/**
 * stats [CTL-7]: counts taken from the live state, so a leak (a ref, session, custody frame or timer
 * left behind by a closed connection) shows as a number that does not return to its baseline.
 */
import type { Stats } from '../../model/protocol/control-frames.js';
import type { Core } from './core.js';

export type { Stats };

export function statsOf(core: Core, controlConnections: number): Stats {
  let attached = 0;
  let toPhone = 0;
  let toWeb = 0;
  for (const s of core.sessions.all()) {
    if (s.attached) attached++;
    toPhone += s.toPhone.size;
    toWeb += s.toWeb.size;
  }
  return {
    connections: { web: core.webs.size, phone: core.phoneConns.size, control: controlConnections },
    refs: { live: core.refs.liveCount, claimed: core.refs.claimedCount },
    sessions: { live: core.sessions.liveCount, attached },
    custody: { toPhone, toWeb },
    timers: core.timerCount,
    accounts: core.accounts.count,
  };
}
