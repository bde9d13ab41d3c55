/**
 * Which lines of two texts differ (longest common subsequence), so the HTML report can highlight,
 * in the pretty JSON of expected and actual, the lines that are only on one side. Bounded: past
 * `maxLines` lines on either side it gives up and marks nothing (the texts are still shown whole).
 */

export interface LineMarks {
  /** For each line of `a`: true if it is not in the common subsequence. */
  readonly onlyA: boolean[];
  /** For each line of `b`: true if it is not in the common subsequence. */
  readonly onlyB: boolean[];
}

/** The LCS-based line marks of `a` and `b`, or all false when either has more than `maxLines` lines. */
export function diffLines(a: readonly string[], b: readonly string[], maxLines = 600): LineMarks {
  const onlyA = a.map(() => false);
  const onlyB = b.map(() => false);
  if (a.length > maxLines || b.length > maxLines) return { onlyA, onlyB };
  const width = b.length + 1;
  // lcs[i * width + j]: length of the LCS of a[i..] and b[j..].
  const lcs = new Uint16Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      onlyA[i++] = true;
    } else {
      onlyB[j++] = true;
    }
  }
  for (; i < a.length; i++) onlyA[i] = true;
  for (; j < b.length; j++) onlyB[j] = true;
  return { onlyA, onlyB };
}
