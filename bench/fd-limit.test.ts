import { describe, expect, test } from 'vitest';
import { FdLimitError, openFileLimit, requireOpenFiles } from './fd-limit.js';

describe('open-file limit', () => {
  test('a limit too low stops the benchmark with the number needed, never silently shrinking it', () => {
    expect(() => requireOpenFiles(10_300, 'the sessions benchmark (10000 sessions)', 1024)).toThrow(FdLimitError);
    expect(() => requireOpenFiles(10_300, 'the sessions benchmark', 1024)).toThrow(
      'the sessions benchmark needs about 10300 open files per process but ulimit -n is 1024: raise it (ulimit -n 10300) and run again',
    );
  });
  test('enough, unlimited or unreadable: no error', () => {
    expect(() => requireOpenFiles(10_300, 'x', 20_000)).not.toThrow();
    expect(() => requireOpenFiles(10_300, 'x', Number.POSITIVE_INFINITY)).not.toThrow();
    expect(() => requireOpenFiles(10_300, 'x', undefined)).not.toThrow();
  });
  test('this process can read its own limit', () => {
    const n = openFileLimit();
    expect(n === undefined || n > 0).toBe(true);
  });
});
