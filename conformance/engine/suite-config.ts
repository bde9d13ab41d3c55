/**
 * The configuration the suite sets on a target with a control endpoint before every case [CTL-6].
 * Timers keep the protocol defaults that the checks exercise (QR and consent TTLs); limits that
 * would make a run depend on how fast the suite is (the rate limit, the code resend interval)
 * are turned off, and the timers the model does not run (code expiry, lock, tombstones, idle
 * expiry) are set far enough away that no clock advance of a case reaches them. A case that checks
 * one of those sets it itself through `ctx.control.config()`.
 */
import { type Config, defaultConfig } from '../../model/protocol/config.js';

const DAY = 86_400_000;

export const suiteConfig: Readonly<Config> = Object.freeze({
  ...defaultConfig,
  qrMaxRefs: 2,
  codeTtlMs: DAY,
  lockMs: DAY,
  codeResendMs: 0,
  refMemoryMs: DAY,
  sessionIdleMs: 0,
  rateMessages: 0,
});
