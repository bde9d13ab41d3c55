/**
 * /v1/control (conformance mode only) [CTL-1]..[CTL-8]: reset, clock, sms, config, stats. A bad request
 * is answered with error bad_request and the connection stays open.
 */
import { ConfigPatch } from '../../model/protocol/config.js';
import type { ControlReply, ControlRequest } from '../../model/protocol/control-frames.js';
import { parseFrame } from '../../model/protocol/parse.js';
import { isAdvanceable } from './clock.js';
import type { Connection } from './connection.js';
import type { Core } from './core.js';
import { statsOf } from './stats.js';

/** What the control endpoint may do to the running server. */
export interface ControlPlane {
  core(): Core;
  reset(): void;
  controlConnections(): number;
}

type Id = string | number | undefined;

function idOf(text: string): Id {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && 'id' in v) {
      const id = (v as { id: unknown }).id;
      if ((typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isInteger(id))) return id;
    }
  } catch {}
  return undefined;
}

export class ControlClient {
  constructor(
    private readonly plane: ControlPlane,
    readonly conn: Connection<ControlReply>,
  ) {}

  #bad(id: Id, detail: string): void {
    this.conn.send({ t: 'error', id, code: 'bad_request', detail: detail.slice(0, 1024) }); // [CTL-8]
  }

  /** [CTL-8] a text message that is not UTF-8 is not JSON: bad_request, the connection stays open. */
  onInvalidText(): void {
    this.#bad(undefined, 'not JSON: the message is not valid UTF-8');
  }

  onText(text: string): void {
    const parsed = parseFrame<ControlRequest>('control-request', text);
    if (!parsed.ok) {
      this.#bad(idOf(text), parsed.error.detail);
      return;
    } // [CTL-6] [CTL-8]
    const f = parsed.frame;
    const id = f.id;
    switch (f.t) {
      case 'reset':
        this.plane.reset(); // [CTL-3]
        this.conn.send({ t: 'reset.ok', id });
        return;
      case 'clock': {
        const clock = this.plane.core().clock;
        if (!isAdvanceable(clock)) {
          this.#bad(id, 'clock: this server runs on a real clock');
          return;
        }
        clock.advance(f.advanceMs); // [CTL-4] due timers fire in deadline order before clock.ok
        this.conn.send({ t: 'clock.ok', id, now: clock.now() });
        return;
      }
      case 'sms': {
        this.conn.send({ t: 'sms.ok', id, phone: f.phone, code: this.plane.core().sms.lastCode(f.phone) });
        return;
      } // [CTL-5]
      case 'config': {
        const core = this.plane.core();
        if (f.set) {
          // [CTL-6] validated as a whole by the schema (unknown key or range -> bad_request above); atomic
          const patch = ConfigPatch.parse(f.set);
          core.config = Object.freeze({ ...core.config, ...patch });
        }
        this.conn.send({ t: 'config.ok', id, config: { ...core.config } });
        return;
      }
      case 'stats': {
        this.conn.send({ t: 'stats.ok', id, ...statsOf(this.plane.core(), this.plane.controlConnections()) });
        return;
      }
    }
  }
}
