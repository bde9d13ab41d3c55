/**
 * Turning a received text into a frame of an endpoint's channel, or ending the connection the way
 * the spec prescribes for each kind of bad frame: not JSON closes with 1007 and no error frame
 * [ERR-2]; anything else that breaks the schema gets `error bad_frame` and close 4000 [ERR-3]..[ERR-5].
 */
import type { ChannelId } from '../../model/protocol/catalog.js';
import { parseFrame } from '../../model/protocol/parse.js';
import type { Connection } from './connection.js';
import { fault } from './fault.js';

/** The frame, or `undefined` after the connection was closed for it. */
export function inboundFrame<In>(conn: Connection<{ t: string }>, channel: ChannelId, text: string): In | undefined {
  const parsed = parseFrame<In>(channel, text);
  if (parsed.ok) return parsed.frame;
  const err = parsed.error;
  if (err.kind === 'not_json')
    conn.close(err.close, 'not JSON'); // [ERR-2] 1007, no error frame
  else conn.fail(fault('bad_frame', err.detail, err.clause)); // [ERR-3] [ERR-4] [ERR-5]
  return undefined;
}
