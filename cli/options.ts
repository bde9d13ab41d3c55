/**
 * Option parsers shared by the commands. Each rejects bad input with a message that names the
 * option's expected form; commander turns it into a usage error (exit 2).
 */
import { InvalidArgumentError } from 'commander';

export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer, got "${value}".`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${value}.`);
    }
    return n;
  };
}

export const port = integer(0, 65535);

export function url(schemes: readonly string[]): (value: string) => string {
  return (value) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new InvalidArgumentError(`expected a URL such as ${schemes[0]}//127.0.0.1:8080, got "${value}".`);
    }
    if (!schemes.includes(parsed.protocol)) {
      throw new InvalidArgumentError(`expected a ${schemes.join(' or ')} URL, got "${value}".`);
    }
    return value;
  };
}

export const wsUrl = url(['ws:', 'wss:']);
export const httpUrl = url(['http:', 'https:']);

/** Parses `k=v,k=v` into a record of integers (for `--bounds` and `--config`). */
export function keyValues(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const out = { ...previous };
  for (const part of value.split(',')) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(\d+)$/.exec(part.trim());
    if (!m) throw new InvalidArgumentError(`expected key=integer pairs separated by commas, got "${part}".`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

export const E164 = (value: string): string => {
  if (!/^\+[1-9][0-9]{6,14}$/.test(value)) {
    throw new InvalidArgumentError(`expected an E.164 number such as +15551234567, got "${value}".`);
  }
  return value;
};
