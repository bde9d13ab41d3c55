/**
 * Compares what the model says the server must send with what the target sent: field by field,
 * binding the target's made-up values on first sight (./bindings.ts) and checking values the
 * suite made up (keys, boxes, ciphertexts) come back byte-identical. Fields the model does not
 * pin down (`detail` texts, device descriptions, addresses, times) are not compared; numbers taken
 * from the configuration (`ttlMs`, code `length`) are compared with the target's configuration.
 */
import type { AbsBox, AbsCipher } from '../../model/abstract/values.js';
import type { Config } from '../../model/protocol/config.js';
import type { Bindings, ValueKind } from './bindings.js';

const ignored = new Set(['detail', 'device', 'address', 'requestedAt', 'retryAfterMs']);
const named: Readonly<Record<string, ValueKind>> = {
  ref: 'ref',
  sessionId: 'session',
  token: 'token',
  accountId: 'account',
  deviceToken: 'deviceToken',
  e: 'suite',
  pub: 'suite',
  tag: 'suite',
  identityKey: 'suite',
};

export const cipherName = (c: AbsCipher): string => `c:${c.k}|${c.n}|${c.m}`;
export const boxName = (b: AbsBox): string => `box:${b.k}|${b.account}`;

/** Returns why `actual` is not the frame the model expects, or undefined when it is. */
export function matchFrame(
  expected: Readonly<Record<string, unknown>>,
  actual: unknown,
  bindings: Bindings,
  config: Config,
): string | undefined {
  if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return 'not a JSON object';
  const a = actual as Record<string, unknown>;
  if (a.t !== expected.t) return `t is ${JSON.stringify(a.t)}, expected ${JSON.stringify(expected.t)}`;
  for (const [key, want] of Object.entries(expected)) {
    if (ignored.has(key)) continue;
    const path = `${String(expected.t)}.${key}`;
    if (!(key in a)) return `${path} is missing`;
    const why = matchField(String(expected.t), key, want, a[key], bindings, config, expected);
    if (why !== undefined) return `${path}: ${why}`;
  }
  return undefined;
}

function matchField(
  t: string,
  key: string,
  want: unknown,
  got: unknown,
  bindings: Bindings,
  config: Config,
  frame: Readonly<Record<string, unknown>>,
): string | undefined {
  if (key === 'c' && typeof want === 'object' && want !== null)
    return matchNamed('suite', cipherName(want as AbsCipher), got, bindings);
  if (key === 'box' && typeof want === 'object' && want !== null)
    return matchNamed('suite', boxName(want as AbsBox), got, bindings);
  const kind = named[key];
  if (kind !== undefined && typeof want === 'string') return matchNamed(kind, want, got, bindings);
  if (key === 'sessionIds' && Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length)
      return `expected ${want.length} session ids, got ${JSON.stringify(got)}`;
    return unordered(want, got, (w, g) => matchNamed('session', String(w), g, bindings));
  }
  if (key === 'sessions' && Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length)
      return `expected ${want.length} sessions, got ${JSON.stringify(got)}`;
    return unordered(want, got, (w, g) =>
      typeof g === 'object' && g !== null
        ? matchObject(w as Record<string, unknown>, g as Record<string, unknown>, bindings, config)
        : 'not an object',
    );
  }
  if (key === 'ttlMs') {
    const ttl =
      t === 'qr'
        ? frame.n === 1
          ? config.qrFirstTtlMs
          : config.qrTtlMs
        : t === 'register.sent'
          ? config.codeTtlMs
          : want;
    return got === ttl ? undefined : `expected ${String(ttl)} (the configuration), got ${JSON.stringify(got)}`;
  }
  if (key === 'length' && t === 'register.sent')
    return got === config.codeLength ? undefined : `expected ${config.codeLength}, got ${JSON.stringify(got)}`;
  if (typeof want === 'object' && want !== null) {
    if (typeof got !== 'object' || got === null) return `expected an object, got ${JSON.stringify(got)}`;
    return matchObject(want as Record<string, unknown>, got as Record<string, unknown>, bindings, config);
  }
  return got === want ? undefined : `expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

function matchObject(
  want: Readonly<Record<string, unknown>>,
  got: Readonly<Record<string, unknown>>,
  bindings: Bindings,
  config: Config,
): string | undefined {
  for (const [k, w] of Object.entries(want)) {
    if (ignored.has(k)) continue;
    if (!(k in got)) return `${k} is missing`;
    const why = matchField('', k, w, got[k], bindings, config, want);
    if (why !== undefined) return `${k}: ${why}`;
  }
  return undefined;
}

/** Matches each expected element with a distinct actual one, in any order. */
function unordered(
  want: readonly unknown[],
  got: readonly unknown[],
  match: (w: unknown, g: unknown) => string | undefined,
): string | undefined {
  const left = [...got];
  for (const w of want) {
    const i = left.findIndex((g) => match(w, g) === undefined);
    if (i < 0) return `no element matches ${JSON.stringify(w)} in ${JSON.stringify(got)}`;
    left.splice(i, 1);
  }
  return undefined;
}

function matchNamed(kind: ValueKind, name: string, got: unknown, bindings: Bindings): string | undefined {
  if (typeof got !== 'string') return `expected a string (${name}), got ${JSON.stringify(got)}`;
  if (kind === 'suite') {
    const mine = bindings.concrete(name);
    if (mine === undefined) return `the suite never sent a value for ${name}`;
    return mine === got ? undefined : `not the value the suite sent (${name}): a relayed value must arrive unchanged`;
  }
  return bindings.bind(kind, name, got);
}
