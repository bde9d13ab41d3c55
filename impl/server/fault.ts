/**
 * The one error builder of the server: every refusal carries a stable code, the close code that
 * follows, a detail naming what was wrong, and the clause that prescribes it ([ERR-1]..[ERR-9]).
 */
import { Close, type ErrorCode, ErrorCodes } from '../../model/protocol/codes.js';

/** A refusal that ends the connection with an `error` frame first. */
export interface Fault {
  readonly code: ErrorCode;
  readonly close: number;
  readonly detail: string;
  readonly clause: string;
}

/** Builds a fault; the close code is the one the protocol ties to `code`. */
export function fault(code: ErrorCode, detail: string, clause: string): Fault {
  return { code, close: ErrorCodes[code], detail: detail.slice(0, 1024), clause };
}

export const badState = (detail: string, clause: string): Fault => fault('bad_state', detail, clause);
export const unauthorized = (detail: string, clause: string): Fault => fault('unauthorized', detail, clause);

/** Closes that carry no error frame [ERR-1] [ERR-2] [TR-5]. */
export const SilentClose = {
  binary: { close: Close.binary, reason: 'binary frame', clause: 'ERR-1' },
  notJson: { close: Close.badPayload, reason: 'not JSON', clause: 'ERR-2' },
} as const;
