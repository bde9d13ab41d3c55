/**
 * Registration by one-time SMS code [REG-1]..[REG-7]: code expiry, resend throttle, bad tries and
 * lockout per phone number (across connections). No timers: expiries are checked against the clock
 * when a request arrives.
 */
import type { Config } from '../../model/protocol/config.js';
import type { Account, Accounts } from './account.js';
import type { Clock } from './clock.js';
import { newCode, sameSecret } from './identifiers.js';
import type { ServerMutantId } from './mutants.js';
import type { SmsGateway } from './sms-gateway.js';

interface NumberState {
  code: string | null;
  sentAt: number;
  expiresAt: number;
  badTries: number;
  lockedUntil: number;
}

export type RegisterOutcome =
  | { ok: true; ttlMs: number; length: number }
  | { ok: false; reason: 'too_soon' | 'locked'; retryAfterMs: number };

export type VerifyOutcome =
  | { ok: true; account: Account; deviceToken: string; reregistered: boolean }
  | { ok: false; reason: 'locked'; retryAfterMs: number }
  | { ok: false; reason: 'bad_code'; attemptsLeft: number }
  | { ok: false; reason: 'code_expired' | 'no_code' };

export class Registration {
  readonly #numbers = new Map<string, NumberState>();
  /** Mutant flags (mutants.ts). */
  readonly #codeReusable: boolean;
  readonly #noLockout: boolean;

  constructor(
    private readonly clock: Clock,
    private readonly config: () => Config,
    private readonly sms: SmsGateway,
    private readonly accounts: Accounts,
    mutants: ReadonlySet<ServerMutantId> = new Set(),
  ) {
    this.#codeReusable = mutants.has('server.sms-code-reusable');
    this.#noLockout = mutants.has('server.no-lockout');
  }

  #state(phone: string): NumberState {
    let st = this.#numbers.get(phone);
    if (!st) {
      st = { code: null, sentAt: 0, expiresAt: 0, badTries: 0, lockedUntil: 0 };
      this.#numbers.set(phone, st);
    }
    const now = this.clock.now();
    if (st.lockedUntil !== 0 && st.lockedUntil <= now) {
      st.lockedUntil = 0;
      st.badTries = 0;
    }
    if (st.code !== null && st.expiresAt <= now) st.code = null;
    return st;
  }

  /** register {phone}: the same answer whether or not the number has an account [REG-12]. */
  register(phone: string): RegisterOutcome {
    const cfg = this.config();
    const now = this.clock.now();
    const st = this.#state(phone);
    // [REG-3] a locked number gets no code
    if (st.lockedUntil > now) return { ok: false, reason: 'locked', retryAfterMs: st.lockedUntil - now };
    // [REG-4] resend throttle while a code is outstanding; a new code keeps the bad-try count
    if (st.code !== null && now - st.sentAt < cfg.codeResendMs) {
      return { ok: false, reason: 'too_soon', retryAfterMs: st.sentAt + cfg.codeResendMs - now };
    }
    st.code = newCode(cfg.codeLength); // [REG-1] uniform random, codeLength digits
    st.sentAt = now;
    st.expiresAt = now + cfg.codeTtlMs;
    this.sms.send(phone, st.code);
    return { ok: true, ttlMs: cfg.codeTtlMs, length: cfg.codeLength };
  }

  /** register.verify {phone, code, identityKey}. */
  verify(phone: string, code: string, identityKey: string): VerifyOutcome {
    const cfg = this.config();
    const now = this.clock.now();
    const known = this.#numbers.get(phone);
    const hadCode = known?.code !== null && known !== undefined;
    const st = this.#state(phone);
    if (st.lockedUntil > now) return { ok: false, reason: 'locked', retryAfterMs: st.lockedUntil - now }; // [REG-3]
    if (st.code === null) {
      // [REG-2] an expired code is discarded (by #state) and reported once as expired; [REG-5] none at all
      return hadCode ? { ok: false, reason: 'code_expired' } : { ok: false, reason: 'no_code' };
    }
    if (!sameSecret(code, st.code)) {
      // [REG-3] one bad try; the try that brings the count to maxCodeAttempts (or beyond, after a
      // config change) discards the code, locks the number and answers locked instead of bad_code
      st.badTries++;
      // MUTANT server.no-lockout [REG-3]: the lock never comes; guessing goes on with bad_code
      if (this.#noLockout)
        return { ok: false, reason: 'bad_code', attemptsLeft: Math.max(1, cfg.maxCodeAttempts - st.badTries) };
      if (st.badTries >= cfg.maxCodeAttempts) {
        st.code = null;
        st.lockedUntil = now + cfg.lockMs;
        if (cfg.lockMs === 0) st.badTries = 0; // [REG-14] a zero-length lock ends at once
        return { ok: false, reason: 'locked', retryAfterMs: cfg.lockMs };
      }
      return { ok: false, reason: 'bad_code', attemptsLeft: cfg.maxCodeAttempts - st.badTries };
    }
    // [REG-6] single use; success clears the bad-try count
    // MUTANT server.sms-code-reusable [REG-6]: only the bad tries are cleared, the code stays outstanding
    if (this.#codeReusable) st.badTries = 0;
    else this.#numbers.delete(phone);
    const { account, deviceToken, reregistered } = this.accounts.register(phone, identityKey);
    return { ok: true, account, deviceToken, reregistered };
  }
}
