/**
 * For tests of the reference clients: wait, in event-loop turns and never in time, until `cond`
 * holds (the scripted peers answer within a few turns); a condition that never holds fails.
 */
export async function until(cond: () => boolean, turns = 5000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition never became true');
}
