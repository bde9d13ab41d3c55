/**
 * Writes docs/schema/: one JSON Schema (2020-12) per channel of the message catalogue
 * (model/protocol/catalog.ts), a `oneOf` over the channel's frame types, each titled with its type
 * and described, plus index.json listing the files. The schemas are zod's input schemas, so unknown
 * fields stay allowed (TR-4).
 *
 *   npm run schema                      write docs/schema/
 *   npm run schema -- --check           exit 1 naming every file that differs from what would be written
 *   npm run schema -- --out DIR         write to (or check) DIR instead
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { type Channel, type ChannelId, channels } from '../model/protocol/catalog.js';

export const DEFAULT_DIR = fileURLToPath(new URL('../docs/schema/', import.meta.url));
export const INDEX_FILE = 'index.json';
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const GENERATED = 'Generated from model/protocol by `npm run schema`; do not edit.';

/** One sentence per frame type and channel: the `description` of that frame's schema. */
export const frameDescriptions: Readonly<Record<ChannelId, Readonly<Record<string, string>>>> = {
  'web-to-server': {
    hello:
      'First frame of a fresh web connection: protocol version, device shown on the consent screen, keep me signed in [LINK-16].',
    resume: 'First frame of a web connection that resumes a kept session with its stored token [SESS-2].',
    status: "Asks the state of one of this connection's refs; always answered with status.result [QR-6].",
    confirm: 'Proves the web client opened the box: the tag over the transcript and the box [LINK-8, E2E-7].',
    abort:
      'Ends the running attempt because the offer was unusable; the web client then closes and starts afresh [LINK-12, E2E-6].',
    attach: "Makes this connection the session's attachment under a fresh epoch [RELAY-1].",
    to_phone: 'A sealed app op for the phone, counter n in epoch e [RELAY-4].',
    ack: 'Cumulative acknowledgement of from_phone frames of epoch e up to n [RELAY-6].',
    logout: 'Ends the session: revoked logout and close 1000 follow [SESS-9].',
  },
  'server-to-web': {
    qr: 'A new ref for the QR code: its lifetime, its index n and the most refs this connection gets [QR-1].',
    'qr.exhausted': 'No more refs for this connection; close 4008 follows [QR-3].',
    'status.result': 'The state of a ref of this connection, revealing no account data [QR-6].',
    scanned: 'A phone claimed the ref shown; the consent screen is up [LINK-1].',
    declined:
      'The attempt on this ref ended without a link (declined, lapsed or phone gone); a fresh qr follows [LINK-3, LINK-4, LINK-15].',
    offer: "The phone's approval: its ephemeral public key and the sealed box, both unchanged [LINK-5].",
    linked: 'Admission: the new session, the account, and a resume token when hello had keep [LINK-9, LINK-10].',
    resumed: 'The resumed session with a fresh pending resume token [SESS-4].',
    phone: "Whether the account's phone is online [RELAY-10].",
    from_phone: 'A sealed app op from the phone, with e, n and c exactly as the phone sent them [RELAY-4].',
    acked: 'The phone acknowledged to_phone frames of epoch e up to n [RELAY-6].',
    queue_full: 'The to_phone frame n was refused: custody is full [RELAY-7].',
    revoked: 'The session ended; the close code follows the reason [SESS-1, SESS-3, SESS-9, SESS-10].',
    error: 'A fatal error; the close code of the error code follows [ERR-3..ERR-7].',
  },
  'phone-to-server': {
    register: 'Asks for a one-time code by SMS for this number [REG-1].',
    'register.verify': "Proves the number with the code and registers the phone's identity key [REG-7].",
    auth: 'Authenticates a registered phone with its device token [REG-9].',
    'link.claim': 'Claims the ref of a scanned QR code; the first claim wins [LINK-1].',
    'link.decline': 'The user declined, or the phone abandons the attempt [LINK-4].',
    'link.approve': 'The user approved: the ephemeral public key and the sealed box for the web client [LINK-5].',
    'link.finalize': 'The confirm tag checked out: admit the web client [LINK-9].',
    to_web: "A sealed app op for a session's web client, counter n in epoch e [RELAY-4].",
    ack: 'Cumulative acknowledgement of from_web frames of a session and epoch up to n [RELAY-6].',
    unlink: 'Ends one linked session [SESS-10].',
    unlink_all: 'Ends every linked session of the account [SESS-11].',
  },
  'server-to-phone': {
    'register.sent': 'A code is on its way: its lifetime and its number of digits [REG-1].',
    'register.error': 'Registration refused, with attempts left or the wait where they apply [REG-2..REG-5].',
    'register.ok': 'Registered: the account id (stable per number) and the device token [REG-7].',
    'auth.ok': 'Authenticated: the account id and its live sessions [REG-9].',
    'link.claimed': 'The claim succeeded: what the consent screen shows [LINK-1, CONS-1].',
    'link.error': 'A claim, approval, decline or finalize failed, or the attempt ended [LINK-2, LINK-3, LINK-6].',
    'link.confirm': "The web client's confirm tag, unchanged, for the phone to check [LINK-8].",
    'link.ok': 'The web client is admitted as this session [LINK-9].',
    'web.attached': 'A web client attached to the session under epoch e [RELAY-2].',
    'web.detached': "The session's web client went away; the session lives on [RELAY-11].",
    from_web: "A sealed app op from a session's web client, e, n and c exactly as sent [RELAY-4].",
    acked: 'The web client acknowledged to_web frames of epoch e up to n [RELAY-6].',
    queue_full: 'The to_web frame n was refused: custody is full [RELAY-7].',
    'session.ended':
      'A session ended without the phone asking: logout, close, replacement or idleness [SESS-1, SESS-7..SESS-9, SESS-12].',
    unlinked: 'The sessions an unlink or unlink_all ended (none if unknown) [SESS-10, SESS-11].',
    error: 'A fatal error; the close code of the error code follows [ERR-3..ERR-7].',
  },
  'control-request': {
    reset: 'Closes every phone and web connection (1012) and clears all protocol state and config [CTL-3].',
    clock: 'Advances the manual clock, firing due timers in deadline order [CTL-4].',
    sms: 'Reads the last code sent to a number [CTL-5].',
    config: 'Changes configuration keys atomically, or reads the configuration when set is absent [CTL-6].',
    stats: "Reads the server's counters [CTL-7].",
  },
  'control-reply': {
    'reset.ok': 'The server was reset [CTL-3].',
    'clock.ok': 'The clock moved and every due timer fired; the current time [CTL-4].',
    'sms.ok': 'The last code sent to the number, or null [CTL-5].',
    'config.ok': 'The full configuration now in force [CTL-6].',
    'stats.ok': 'Connections, refs, sessions, custody, timers and accounts, counted exactly [CTL-7].',
    error: 'The request was refused; nothing changed and the connection stays open [CTL-8].',
  },
  'web-to-phone-op': {
    history: 'Asks for a page of chats and messages (inside a sealed to_phone) [E2E-12].',
    send: 'Asks the phone to send a message in a chat (inside a sealed to_phone) [E2E-12].',
  },
  'phone-to-web-op': {
    history: 'A page of chats and messages answering history (inside a sealed to_web) [E2E-12].',
    message: 'A new message in a chat (inside a sealed to_web) [E2E-12].',
    sent: 'The message a send produced (inside a sealed to_web) [E2E-12].',
  },
  'web-driver-request': {
    open: 'Starts the web client afresh, as a new tab: connect to the server and say hello with keep.',
    state: "Reads the web client's state.",
    history: 'Asks the phone for history, of one chat or of all.',
    send: 'Sends a chat message through the phone.',
    logout: 'Logs out: the session ends and the stored token is wiped.',
    close: 'Closes the web client, as closing the tab; a stored token stays.',
    reopen: 'Starts the web client again with what it stored, as reopening the tab: resume if it kept a token.',
    reset: 'Forgets everything, as a fresh install: closes any connection, wipes storage, state idle [DRV-13].',
  },
  'phone-driver-request': {
    connect: 'Connects the phone to the server, authenticating if it is registered.',
    register: 'Starts registration of a number.',
    code: 'Types the code received by SMS.',
    scan: 'Scans a QR code with the "Link a device" scanner; qr is the text the code holds.',
    approve: 'The user approves the request on the consent screen.',
    decline: 'The user declines the request on the consent screen.',
    unlink: 'Unlinks one linked device.',
    unlink_all: 'Unlinks every linked device.',
    online: 'Takes the phone off the network (false) or back on (true).',
    state: "Reads the phone's state.",
    reset:
      'Forgets everything, as a fresh install: closes any connection, wipes the device token, state idle [DRV-13].',
  },
  'driver-reply': {
    'reply.ok': "The command succeeded: the client's state right after it took effect.",
    'reply.error': 'The command failed: why (bad_request, unknown_cmd, bad_state, failed).',
    state: 'Pushed by the client on every change of its state.',
  },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The order keywords take in a schema object; keywords not listed follow in alphabetical order. */
const KEYWORD_ORDER = [
  '$schema',
  '$id',
  'title',
  'description',
  '$comment',
  'type',
  'const',
  'enum',
  'format',
  'contentEncoding',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'properties',
  'required',
  'additionalProperties',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$defs',
];
/** Keywords whose value maps names to schemas: the names keep their (source) order. */
const SCHEMA_MAPS = new Set(['properties', '$defs', 'patternProperties', 'dependentSchemas']);

function rank(keyword: string): number {
  const i = KEYWORD_ORDER.indexOf(keyword);
  return i < 0 ? KEYWORD_ORDER.length : i;
}

/** A copy of a JSON Schema with its keywords in a fixed order, at every depth. */
function canonical(node: Json): Json {
  if (Array.isArray(node)) return node.map(canonical);
  if (node === null || typeof node !== 'object') return node;
  const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: JsonObject = {};
  for (const key of keys) {
    const value = node[key] as Json;
    if (SCHEMA_MAPS.has(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const map: JsonObject = {};
      for (const [name, schema] of Object.entries(value)) map[name] = canonical(schema);
      out[key] = map;
    } else if (key === 'enum' || key === 'const' || key === 'required' || key === 'examples' || key === 'default') {
      out[key] = value;
    } else {
      out[key] = canonical(value);
    }
  }
  return out;
}

/** The JSON Schema of one frame type: zod's input schema with the type as title and its description. */
export function frameSchema(ch: Channel, type: string, schema: z.ZodType): JsonObject {
  const description = frameDescriptions[ch.id][type];
  if (description === undefined) throw new Error(`no description for frame "${type}" of channel ${ch.id}`);
  const { $schema: _dialect, ...body } = z.toJSONSchema(schema, { io: 'input' }) as JsonObject;
  return { title: type, description, ...body };
}

/** The JSON Schema of one channel. */
export function channelSchema(ch: Channel): JsonObject {
  const how =
    typeKey(ch) === null
      ? 'A reply has ok (true or false) and the id of its request; an event has event. Unknown fields are ignored.'
      : `Field "${ch.key}" names the frame type; unknown fields are ignored.`;
  return canonical({
    $schema: DIALECT,
    $id: `${ch.id}.json`,
    title: ch.title,
    description: `Every frame on channel ${ch.id}. ${how} ${GENERATED}`,
    oneOf: ch.frames.map((f) => frameSchema(ch, f.type, f.schema)),
  }) as JsonObject;
}

function render(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** The field naming the type of every frame of the channel, or null if some frame has none (driver-reply). */
export function typeKey(ch: Channel): string | null {
  return ch.frames.every((f) => ch.key in f.schema.shape) ? ch.key : null;
}

/** Every file of docs/schema/, by file name, with its exact content. */
export function generateSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const index: Json[] = [];
  for (const ch of Object.values(channels)) {
    const file = `${ch.id}.json`;
    files.set(file, render(channelSchema(ch)));
    index.push({ id: ch.id, title: ch.title, file, key: typeKey(ch), types: ch.frames.map((f) => f.type) });
  }
  files.set(
    INDEX_FILE,
    render({ description: `JSON Schema (2020-12) of every channel of QR Link v1. ${GENERATED}`, channels: index }),
  );
  return files;
}

/** Writes every file into `dir`. */
export function writeSchemas(dir: string, files = generateSchemas()): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
}

/** The files of `dir` that differ from what would be written: changed, missing, or not generated any more. */
export function driftedFiles(dir: string, files = generateSchemas()): string[] {
  const drifted: string[] = [];
  for (const [name, text] of files) {
    let current: string | undefined;
    try {
      current = readFileSync(join(dir, name), 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== text) drifted.push(name);
  }
  let present: string[] = [];
  try {
    present = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    present = [];
  }
  for (const name of present) if (!files.has(name)) drifted.push(name);
  return drifted.sort();
}

/** The command line: `[--check] [--out DIR]`. Returns the exit code. */
export function main(argv: readonly string[], log: (line: string) => void = console.error): number {
  let check = false;
  let dir = DEFAULT_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) dir = resolve(argv[++i] as string);
    else {
      log(`gen-schema: unknown option ${arg} (usage: gen-schema [--check] [--out DIR])`);
      return 2;
    }
  }
  const shown = relative(process.cwd(), dir) || '.';
  const files = generateSchemas();
  if (!check) {
    writeSchemas(dir, files);
    log(`gen-schema: wrote ${files.size} files to ${shown}`);
    return 0;
  }
  const drifted = driftedFiles(dir, files);
  for (const name of drifted) log(`gen-schema: ${join(shown, name)} is out of date`);
  if (drifted.length > 0) {
    log('gen-schema: run `npm run schema` to regenerate docs/schema/');
    return 1;
  }
  log(`gen-schema: ${files.size} files in ${shown} are up to date`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
