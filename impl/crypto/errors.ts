/**
 * The one error type of `impl/crypto`: a stable `code`, a message naming what was wrong, and the
 * clause of docs/protocol.md the check enforces.
 */

/** Stable codes callers branch on. */
export type CryptoErrorCode =
  /** X25519 gave the all-zero value (a low-order public key) [E2E-3]. */
  | 'zero_shared_secret'
  /** A key or secret of the wrong length or form [E2E-4]. */
  | 'bad_key'
  /** The approval box does not open under kP2W and T [E2E-6]. */
  | 'box_does_not_open'
  /** The box opened but its plaintext is not valid account data [E2E-6]. */
  | 'bad_account_data'
  /** A relay frame does not open (for callers that turn `openRelay`'s `undefined` into an error) [E2E-13]. */
  | 'relay_does_not_open'
  /** A non-key argument out of range: a ref, epoch or counter of the wrong size, an op too large to relay. */
  | 'bad_input';

const defaultClause: Record<CryptoErrorCode, string> = {
  zero_shared_secret: 'E2E-3',
  bad_key: 'E2E-4',
  box_does_not_open: 'E2E-6',
  bad_account_data: 'E2E-6',
  relay_does_not_open: 'E2E-13',
  bad_input: 'E2E-4',
};

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  readonly code: CryptoErrorCode;
  /** The docs/protocol.md clause the failed check enforces, e.g. `E2E-3`. */
  readonly clause: string;

  constructor(code: CryptoErrorCode, message: string, clause: string = defaultClause[code]) {
    super(`[${clause}] ${message}`);
    this.code = code;
    this.clause = clause;
  }
}
