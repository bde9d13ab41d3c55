/**
 * Frames on `/v1/control` (conformance mode only; docs/protocol.md section "Control endpoint").
 */
import { z } from 'zod';
import { Config, ConfigPatch } from './config.js';
import { E164, Millis } from './encoding.js';

const Id = z.union([z.string().max(64), z.number().int()]).optional();

// ---- suite -> server ----
export const ResetRequest = z.object({ t: z.literal('reset'), id: Id });
export const ClockRequest = z.object({
  t: z.literal('clock'),
  id: Id,
  advanceMs: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
});
export const SmsRequest = z.object({ t: z.literal('sms'), id: Id, phone: E164 });
export const ConfigRequest = z.object({ t: z.literal('config'), id: Id, set: ConfigPatch.optional() });
export const StatsRequest = z.object({ t: z.literal('stats'), id: Id });

// ---- server -> suite ----
export const ResetOk = z.object({ t: z.literal('reset.ok'), id: Id });
export const ClockOk = z.object({ t: z.literal('clock.ok'), id: Id, now: Millis });
export const SmsOk = z.object({ t: z.literal('sms.ok'), id: Id, phone: E164, code: z.string().nullable() });
export const ConfigOk = z.object({ t: z.literal('config.ok'), id: Id, config: Config });
const count = z.number().int().min(0);
export const Stats = z.object({
  connections: z.object({ web: count, phone: count, control: count }),
  refs: z.object({ live: count, claimed: count }),
  sessions: z.object({ live: count, attached: count }),
  custody: z.object({ toPhone: count, toWeb: count }),
  timers: count,
  accounts: count,
});
export type Stats = z.infer<typeof Stats>;
export const StatsOk = Stats.extend({ t: z.literal('stats.ok'), id: Id });
export const ControlError = z.object({
  t: z.literal('error'),
  id: Id,
  code: z.literal('bad_request'),
  detail: z.string().max(1024),
});

export const controlRequests = [ResetRequest, ClockRequest, SmsRequest, ConfigRequest, StatsRequest] as const;
export const controlReplies = [ResetOk, ClockOk, SmsOk, ConfigOk, StatsOk, ControlError] as const;
export const ControlRequest = z.discriminatedUnion('t', controlRequests);
export type ControlRequest = z.infer<typeof ControlRequest>;
export const ControlReply = z.discriminatedUnion('t', controlReplies);
export type ControlReply = z.infer<typeof ControlReply>;
