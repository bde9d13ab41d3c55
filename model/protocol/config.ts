/**
 * Server configuration: every timer and limit of QR Link v1, with its default and its allowed range
 * (docs/protocol.md section "Timers and limits"). The control endpoint's `config` request sets a
 * partial `Config`, validated against these ranges.
 */
import { z } from 'zod';

const ms = (min: number, max: number) => z.number().int().min(min).max(max);
const DAY = 86_400_000;

/** Every key with its range. Shared by the server, the model and the control endpoint. */
export const ConfigShape = {
  qrFirstTtlMs: ms(1, DAY),
  qrTtlMs: ms(1, DAY),
  qrMaxRefs: z.number().int().min(1).max(100),
  consentMs: ms(1, DAY),
  sessionLimit: z.number().int().min(1).max(100),
  custodyLimit: z.number().int().min(1).max(65536),
  codeLength: z.number().int().min(4).max(8),
  codeTtlMs: ms(1, DAY),
  maxCodeAttempts: z.number().int().min(1).max(100),
  lockMs: ms(0, DAY),
  codeResendMs: ms(0, DAY),
  refMemoryMs: ms(0, DAY),
  sessionIdleMs: ms(0, 365 * DAY),
  frameLimit: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024),
  rateMessages: z.number().int().min(0).max(10_000_000),
  rateWindowMs: ms(1, 60_000),
} as const;

export const Config = z.strictObject(ConfigShape);
export type Config = z.infer<typeof Config>;
/** A partial configuration, as `config {set}` carries it. Unknown keys are rejected. */
export const ConfigPatch = z.strictObject(ConfigShape).partial();
export type ConfigPatch = z.infer<typeof ConfigPatch>;

/** The defaults of docs/protocol.md. `rateMessages: 0` turns the rate limit off. */
export const defaultConfig: Readonly<Config> = Object.freeze({
  qrFirstTtlMs: 60_000,
  qrTtlMs: 20_000,
  qrMaxRefs: 6,
  consentMs: 60_000,
  sessionLimit: 1,
  custodyLimit: 64,
  codeLength: 4,
  codeTtlMs: 300_000,
  maxCodeAttempts: 5,
  lockMs: 900_000,
  codeResendMs: 30_000,
  refMemoryMs: 600_000,
  sessionIdleMs: 0,
  frameLimit: 65_536,
  rateMessages: 1_000,
  rateWindowMs: 1_000,
});
