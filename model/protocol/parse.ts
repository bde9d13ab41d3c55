/**
 * Parsing a received text frame against a channel of the catalogue. Every failure is a typed
 * `FrameError` naming what was wrong and the close code the protocol prescribes [ERR-2]..[ERR-5].
 */

import { type Channel, type ChannelId, channels, frameType } from './catalog.js';
import { Close } from './codes.js';

/** Why a frame was refused, the close code that follows, and the clause that says so. */
export interface FrameError {
  readonly kind: 'not_json' | 'not_object' | 'no_type' | 'unknown_type' | 'schema';
  readonly close: typeof Close.badPayload | typeof Close.protocol;
  readonly code: 'bad_frame';
  readonly detail: string;
  readonly clause: string;
}

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; error: FrameError };

type Parser = (value: unknown) => { success: true; data: unknown } | { success: false; error: { issues: Issue[] } };
interface Issue {
  path: PropertyKey[];
  message: string;
}

const parsers = new Map<ChannelId, Map<string, Parser>>();
function parsersOf(ch: Channel): Map<string, Parser> {
  let map = parsers.get(ch.id);
  if (!map) {
    map = new Map();
    for (const s of ch.schemas) map.set(frameType(s, ch.key), (v) => s.safeParse(v) as ReturnType<Parser>);
    parsers.set(ch.id, map);
  }
  return map;
}

function fail(kind: FrameError['kind'], detail: string, clause: string): { ok: false; error: FrameError } {
  const close = kind === 'not_json' ? Close.badPayload : Close.protocol;
  return { ok: false, error: { kind, close, code: 'bad_frame', detail, clause } };
}

/** Validates an already decoded JSON value against a channel. */
export function parseValue<T = unknown>(channelId: ChannelId, value: unknown): ParseResult<T> {
  const ch = channels[channelId];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('not_object', 'frame is not a JSON object', 'ERR-3');
  }
  const type = (value as Record<string, unknown>)[ch.key];
  if (typeof type !== 'string') return fail('no_type', `field "${ch.key}" is missing or not a string`, 'ERR-3');
  const parser = parsersOf(ch).get(type);
  if (!parser) return fail('unknown_type', `unknown ${ch.key} "${type.slice(0, 64)}" on ${ch.title}`, 'ERR-4');
  const result = parser(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : ch.key;
    return fail('schema', `${type}: ${where}: ${issue?.message ?? 'invalid'}`, 'ERR-5');
  }
  return { ok: true, frame: result.data as T };
}

/** Decodes a text frame (JSON) and validates it against a channel. */
export function parseFrame<T = unknown>(channelId: ChannelId, text: string): ParseResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not_json', 'frame is not JSON', 'ERR-2');
  }
  return parseValue<T>(channelId, value);
}
