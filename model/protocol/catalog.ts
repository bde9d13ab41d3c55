/**
 * The message catalogue: for each channel (endpoint and direction), the schema of every frame type
 * that may travel on it. The JSON Schema in docs/schema/ is generated from this table.
 */
import type { z } from 'zod';
import { phoneToWebOps, webToPhoneOps } from './app-ops.js';
import { controlReplies, controlRequests } from './control-frames.js';
import {
  DriverReplyError,
  DriverReplyOk,
  DriverStateEvent,
  phoneDriverRequests,
  webDriverRequests,
} from './driver-frames.js';
import { phoneToServer, serverToPhone } from './phone-frames.js';
import { serverToWeb, webToServer } from './web-frames.js';

type FrameSchema = z.ZodObject<z.ZodRawShape>;

/** The field whose string literal names a frame's type on a channel. */
export type ChannelKey = 't' | 'op' | 'cmd' | 'event';

/** One frame type of a channel: its name and its schema. */
export interface ChannelFrame {
  readonly type: string;
  readonly schema: FrameSchema;
}

/** A channel: what flows on one endpoint in one direction, and the discriminating field. */
export interface Channel {
  readonly id: ChannelId;
  readonly title: string;
  /** The field `parseValue` dispatches on. */
  readonly key: ChannelKey;
  /** The frames `parseValue` dispatches on: each has a string literal at `key`. */
  readonly schemas: readonly FrameSchema[];
  /**
   * Every frame type of the channel, named: what docs/schema/ and the tests cover. On every channel
   * but `driver-reply` these are `schemas`, named by their `key` literal.
   */
  readonly frames: readonly ChannelFrame[];
}

export type ChannelId =
  | 'web-to-server'
  | 'server-to-web'
  | 'phone-to-server'
  | 'server-to-phone'
  | 'control-request'
  | 'control-reply'
  | 'web-to-phone-op'
  | 'phone-to-web-op'
  | 'web-driver-request'
  | 'phone-driver-request'
  | 'driver-reply';

function channel(id: ChannelId, title: string, key: ChannelKey, schemas: readonly unknown[]): Channel {
  const list = schemas as readonly FrameSchema[];
  return { id, title, key, schemas: list, frames: list.map((schema) => ({ type: frameType(schema, key), schema })) };
}

/**
 * The driver's client -> suite channel. Replies have no string type field (they are told apart by the
 * boolean `ok`), so `parseValue` dispatches only the event, on `event`; a reply there is refused as
 * `no_type`. Parse this channel with `DriverMessage` (driver-frames.ts). The frames are named
 * `reply.ok`, `reply.error` and, for the event, its `event` value.
 */
const driverReply: Channel = {
  id: 'driver-reply',
  title: 'Client driver to suite (replies and events)',
  key: 'event',
  schemas: [DriverStateEvent],
  frames: [
    { type: 'reply.ok', schema: DriverReplyOk },
    { type: 'reply.error', schema: DriverReplyError },
    { type: 'state', schema: DriverStateEvent },
  ],
};

export const channels: Readonly<Record<ChannelId, Channel>> = {
  'web-to-server': channel('web-to-server', 'Web client to server on /v1/web', 't', webToServer),
  'server-to-web': channel('server-to-web', 'Server to web client on /v1/web', 't', serverToWeb),
  'phone-to-server': channel('phone-to-server', 'Phone to server on /v1/phone', 't', phoneToServer),
  'server-to-phone': channel('server-to-phone', 'Server to phone on /v1/phone', 't', serverToPhone),
  'control-request': channel('control-request', 'Suite to server on /v1/control', 't', controlRequests),
  'control-reply': channel('control-reply', 'Server to suite on /v1/control', 't', controlReplies),
  'web-to-phone-op': channel('web-to-phone-op', 'Relay plaintext, web client to phone', 'op', webToPhoneOps),
  'phone-to-web-op': channel('phone-to-web-op', 'Relay plaintext, phone to web client', 'op', phoneToWebOps),
  'web-driver-request': channel('web-driver-request', 'Suite to web client driver', 'cmd', webDriverRequests),
  'phone-driver-request': channel('phone-driver-request', 'Suite to phone driver', 'cmd', phoneDriverRequests),
  'driver-reply': driverReply,
};

/** The literal value of a schema's discriminating field. */
export function frameType(schema: FrameSchema, key: ChannelKey): string {
  const field = schema.shape[key] as unknown as { value: string };
  return field.value;
}
