/** The explorer's human output. */
import type { ExploreResult } from './explore.js';

export function formatExploreResult(r: ExploreResult): string {
  const lines: string[] = [];
  lines.push(`qrlink model: roles ${r.roles.join(', ')}`);
  lines.push(
    `bounds: ${Object.entries(r.bounds)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  lines.push(
    `explored ${r.states} states, ${r.transitions} transitions in ${r.durationMs} ms (${r.statesPerSec} states/s)`,
  );
  if (r.reduction === 'none') lines.push('every interleaving explored (no partial-order reduction)');
  else if (r.reduction === 'acyclic')
    lines.push(
      'partial-order reduction: persistent sets; the reduced graph has no cycle, so no cycle proviso is needed',
    );
  else if (r.reduction === 'proviso')
    lines.push('partial-order reduction: persistent sets with the cycle proviso (the reduced graph had a cycle)');
  if (!r.complete)
    lines.push(
      r.violations.length > 0
        ? 'search stopped at the first safety violation: liveness not checked'
        : 'INCOMPLETE: maxStates or maxDepth cut the search short; liveness not checked (checked in 0 states)',
    );
  lines.push(`invariants (${r.invariants.length}):`);
  for (const i of r.invariants)
    lines.push(
      `  ${r.violations.some((v) => v.invariant === i.id) ? 'VIOLATED' : 'ok      '} ${i.id} [${i.clauses.join(', ')}] checked in ${i.checked} states`,
    );
  if (r.violations.length === 0) lines.push('no violation');
  for (const v of r.violations) {
    lines.push('');
    lines.push(`VIOLATION ${v.invariant}: ${v.detail ?? ''} (shortest trace, ${v.trace.length} steps)`);
    v.trace.forEach((step, i) => {
      lines.push(`  ${String(i + 1).padStart(3)}. ${step}`);
    });
  }
  return lines.join('\n');
}
