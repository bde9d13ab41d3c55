/**
 * JSON text of values the target sent or the engine recorded (`frame`, `expected`, `actual`): frames
 * are `unknown`, so this never throws. A bigint becomes its decimal string, a repeated reference to
 * an object that contains it becomes `"[Circular]"`, `undefined` at the top becomes `null`.
 */
export function jsonText(value: unknown, space?: number): string {
  const ancestors: object[] = [];
  const text = JSON.stringify(
    value,
    function (this: unknown, _key: string, v: unknown): unknown {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v !== 'object' || v === null) return v;
      // `this` is the holder of `v`: drop ancestors that are not on the path to it.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(v)) return '[Circular]';
      ancestors.push(v);
      return v;
    },
    space,
  );
  return text ?? 'null';
}
