/**
 * The message catalogue: for each channel (endpoint and direction), the schema of every frame type
 * that may travel on it. The JSON Schema in docs/schema/ is generated from this table.
 */
import type { z } from 'zod';
import { phoneToWebOps, webToPhoneOps } from './app-ops.js';
import { controlReplies, controlRequests } from './control-frames.js';
import { phoneToServer, serverToPhone } from './phone-frames.js';
import { serverToWeb, webToServer } from './web-frames.js';

type FrameSchema = z.ZodObject<z.ZodRawShape>;

/** A channel: what flows on one endpoint in one direction, and the discriminating field. */
export interface Channel {
  readonly id: ChannelId;
  readonly title: string;
  readonly key: 't' | 'op';
  readonly schemas: readonly FrameSchema[];
}

export type ChannelId =
  | 'web-to-server'
  | 'server-to-web'
  | 'phone-to-server'
  | 'server-to-phone'
  | 'control-request'
  | 'control-reply'
  | 'web-to-phone-op'
  | 'phone-to-web-op';

function channel(id: ChannelId, title: string, key: 't' | 'op', schemas: readonly unknown[]): Channel {
  return { id, title, key, schemas: schemas as readonly FrameSchema[] };
}

export const channels: Readonly<Record<ChannelId, Channel>> = {
  'web-to-server': channel('web-to-server', 'Web client to server on /v1/web', 't', webToServer),
  'server-to-web': channel('server-to-web', 'Server to web client on /v1/web', 't', serverToWeb),
  'phone-to-server': channel('phone-to-server', 'Phone to server on /v1/phone', 't', phoneToServer),
  'server-to-phone': channel('server-to-phone', 'Server to phone on /v1/phone', 't', serverToPhone),
  'control-request': channel('control-request', 'Suite to server on /v1/control', 't', controlRequests),
  'control-reply': channel('control-reply', 'Server to suite on /v1/control', 't', controlReplies),
  'web-to-phone-op': channel('web-to-phone-op', 'Relay plaintext, web client to phone', 'op', webToPhoneOps),
  'phone-to-web-op': channel('phone-to-web-op', 'Relay plaintext, phone to web client', 'op', phoneToWebOps),
};

/** The literal value of a schema's discriminating field. */
export function frameType(schema: FrameSchema, key: 't' | 'op'): string {
  const field = schema.shape[key] as unknown as { value: string };
  return field.value;
}
