/**
 * Why a phone command (from the driver or the terminal) could not be carried out: a driver error
 * code [DRV] and a detail naming what was wrong.
 */
import type { DriverErrorCode } from '../../model/protocol/driver-frames.js';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: DriverErrorCode;

  constructor(code: DriverErrorCode, detail: string) {
    super(detail);
    this.code = code;
  }
}
