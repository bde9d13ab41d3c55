/**
 * A realistic `RunReport` for tests and docs: a run against a server with cases of every verdict,
 * two statecharts with covered and missed transitions, clause coverage with unchecked clauses, a
 * failed check with its wire log and a failed property case with its seed. The values are fixed
 * (no clock, no randomness), so what the writers make of it is reproducible.
 */
import { summarize } from './run-outcome.js';
import type {
  CaseResult,
  ChartCoverage,
  ClauseCoverage,
  Coverage,
  RunReport,
  TraceStep,
  WireEntry,
} from './run-report.js';

const ref1 = 'kQ3vX9a2LmPz7RtY0bWc1g';
const ref2 = 'Zt8Hc2pQvN4mW6xJ1sLk0a';
const web1Pub = 'q8WbN3XcV2ZkLmPo9RtYuI1eA0sD4fG7hJ6kL5zX3cV';
const sessionId = 'S7nXw2QpLk9VbRt4YcHz1A';
const accountId = 'A0cdEfGh1JkLmN2pQrStUv';
const device = { name: 'Firefox on Linux', platform: 'linux' };

function step(index: number, actor: string, action: string, frame?: unknown): TraceStep {
  return frame === undefined ? { index, actor, action } : { index, actor, action, frame };
}

function wire(stepIndex: number, peer: string, dir: 'in' | 'out', frame: unknown): WireEntry {
  return { step: stepIndex, peer, dir, frame };
}

/** The model path that links a web client: hello, claim, approve, confirm, finalize. */
function linkingTrace(): { trace: TraceStep[]; wireLog: WireEntry[] } {
  const hello = { t: 'hello', v: 1, device, keep: true };
  const trace = [
    step(0, 'control', 'reset'),
    step(1, 'phone1', 'phone1 registers +15550100001'),
    step(2, 'web1', 'web1 sends hello', hello),
    step(3, 'phone1', 'phone1 claims the current ref', { t: 'link.claim', ref: ref1 }),
    step(4, 'phone1', 'phone1 approves', {
      t: 'link.approve',
      ref: ref1,
      pub: web1Pub,
      box: 'c2VhbGVkLWJveC0xMjM0NTY3ODkw',
    }),
    step(5, 'web1', 'web1 confirms', { t: 'confirm', ref: ref1, tag: 'dGFnLTEyMzQ1Njc4OTAxMg' }),
    step(6, 'phone1', 'phone1 finalizes', { t: 'link.finalize', ref: ref1 }),
  ];
  const wireLog = [
    wire(1, 'phone1', 'out', { t: 'register', phone: '+15550100001' }),
    wire(1, 'phone1', 'in', { t: 'register.sent', phone: '+15550100001', ttlMs: 300000, length: 4 }),
    wire(2, 'web1', 'out', hello),
    wire(2, 'web1', 'in', { t: 'qr', ref: ref1, ttlMs: 60000, n: 1, of: 6 }),
    wire(3, 'phone1', 'out', { t: 'link.claim', ref: ref1 }),
    wire(3, 'phone1', 'in', { t: 'link.claimed', ref: ref1, device, address: '127.0.0.1', requestedAt: 1767225600000 }),
    wire(3, 'web1', 'in', { t: 'scanned', ref: ref1 }),
    wire(4, 'phone1', 'out', { t: 'link.approve', ref: ref1, pub: web1Pub, box: 'c2VhbGVkLWJveC0xMjM0NTY3ODkw' }),
    wire(4, 'web1', 'in', { t: 'offer', ref: ref1, pub: web1Pub, box: 'c2VhbGVkLWJveC0xMjM0NTY3ODkw' }),
    wire(5, 'web1', 'out', { t: 'confirm', ref: ref1, tag: 'dGFnLTEyMzQ1Njc4OTAxMg' }),
    wire(5, 'phone1', 'in', { t: 'link.confirm', ref: ref1, tag: 'dGFnLTEyMzQ1Njc4OTAxMg' }),
    wire(6, 'phone1', 'out', { t: 'link.finalize', ref: ref1 }),
    wire(6, 'web1', 'in', { t: 'linked', sessionId, accountId, token: 'dG9rZW4tMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw' }),
    wire(6, 'web1', 'in', { t: 'phone', online: true }),
    wire(6, 'phone1', 'in', { t: 'link.ok', ref: ref1, sessionId }),
  ];
  return { trace, wireLog };
}

function passedPathCase(): CaseResult {
  const { trace, wireLog } = linkingTrace();
  return {
    id: 'path/state/ref.used',
    title: 'Shortest path to ref state used',
    section: '7 Linking',
    kind: 'state-path',
    clauses: ['QR-1', 'LINK-1', 'LINK-5', 'LINK-8', 'LINK-9'],
    status: 'passed',
    durationMs: 14,
    trace,
    wireLog,
  };
}

/** A server that links a claim on an expired ref: the check the sample's main failure comes from. */
function failedCheckCase(): CaseResult {
  const trace = [
    step(0, 'control', 'reset'),
    step(1, 'phone1', 'phone1 registers +15550100001'),
    step(2, 'web1', 'web1 sends hello', { t: 'hello', v: 1, device, keep: false }),
    step(3, 'clock', 'clock passes qrFirstTtl (60000 ms)'),
    step(4, 'phone1', 'phone1 claims the expired ref', { t: 'link.claim', ref: ref1 }),
  ];
  const expected = { t: 'link.error', ref: ref1, reason: 'expired_ref' };
  const actual = { t: 'link.claimed', ref: ref1, device, address: '127.0.0.1', requestedAt: 1767225600000 };
  const wireLog = [
    wire(1, 'phone1', 'out', { t: 'register', phone: '+15550100001' }),
    wire(1, 'phone1', 'in', { t: 'register.sent', phone: '+15550100001', ttlMs: 300000, length: 4 }),
    wire(2, 'web1', 'out', { t: 'hello', v: 1, device, keep: false }),
    wire(2, 'web1', 'in', { t: 'qr', ref: ref1, ttlMs: 60000, n: 1, of: 6 }),
    wire(3, 'web1', 'in', { t: 'qr', ref: ref2, ttlMs: 20000, n: 2, of: 6 }),
    wire(4, 'phone1', 'out', { t: 'link.claim', ref: ref1 }),
    wire(4, 'phone1', 'in', actual),
    wire(4, 'web1', 'in', { t: 'scanned', ref: ref1 }),
  ];
  return {
    id: 'LINK-2/1',
    title: 'Claims a ref after its TTL',
    section: '7 Linking',
    kind: 'check',
    clauses: ['LINK-2', 'QR-3', 'QR-5'],
    requirement: 'The server MUST answer link.claim for an expired ref with link.error {reason: "expired_ref"}.',
    status: 'failed',
    reason: 'the server linked a claim on a rotated ref',
    durationMs: 9,
    trace,
    wireLog,
    error: { message: 'step 4: expected link.error expired_ref, got link.claimed', step: 4, expected, actual },
  };
}

/** A shrunk property counterexample: a relay frame forwarded twice. */
function failedPropertyCase(): CaseResult {
  const e = 'ZXBvY2gtMDAwMDAwMDAwMQ';
  const c = 'Y2lwaGVydGV4dC0wMDAwMDAwMDAwMDAwMDAw';
  const trace = [
    step(0, 'suite', 'link web1 with phone1 (keep: true)'),
    step(1, 'web1', 'web1 attaches', { t: 'attach', e }),
    step(2, 'web1', 'web1 sends 1 relay frame', { t: 'to_phone', e, n: 1, c }),
    step(3, 'phone1', 'drop the phone'),
    step(4, 'phone1', 'phone1 comes back (auth)'),
  ];
  const wireLog: WireEntry[] = [
    wire(1, 'web1', 'out', { t: 'attach', e }),
    wire(1, 'phone1', 'in', { t: 'web.attached', sessionId, e }),
    wire(2, 'web1', 'out', { t: 'to_phone', e, n: 1, c }),
    wire(2, 'phone1', 'in', { t: 'from_web', sessionId, e, n: 1, c }),
    { step: 3, peer: 'phone1', dir: 'out', close: { code: 1000, reason: 'dropped by the suite' } },
    wire(3, 'web1', 'in', { t: 'phone', online: false }),
    wire(4, 'phone1', 'out', { t: 'auth', phone: '+15550100001', deviceToken: 'ZGV2aWNlLXRva2Vu' }),
    wire(4, 'phone1', 'in', { t: 'auth.ok', accountId, sessions: [{ sessionId, device, keep: true }] }),
    wire(4, 'phone1', 'in', { t: 'web.attached', sessionId, e }),
    wire(4, 'phone1', 'in', { t: 'from_web', sessionId, e, n: 1, c }),
    wire(4, 'phone1', 'in', { t: 'from_web', sessionId, e, n: 1, c }),
  ];
  return {
    id: 'prop/relay-custody',
    title: 'Relay custody across phone reconnects (property)',
    section: '8 Relay',
    kind: 'property',
    clauses: ['RELAY-5', 'RELAY-9'],
    requirement: 'Custody re-delivers every unacknowledged frame once per reconnection, in acceptance order.',
    status: 'failed',
    reason: 'from_web n=1 delivered twice in one flush (shrunk from 23 commands, 7 shrinks)',
    durationMs: 412,
    trace,
    wireLog,
    seed: 1184273,
    error: {
      message: 'step 4: unexpected frame from_web n=1 (already delivered in this flush)',
      step: 4,
      expected: [
        { t: 'auth.ok', accountId, sessions: [{ sessionId, device, keep: true }] },
        { t: 'web.attached', sessionId, e },
        { t: 'from_web', sessionId, e, n: 1, c },
      ],
      actual: [
        { t: 'auth.ok', accountId, sessions: [{ sessionId, device, keep: true }] },
        { t: 'web.attached', sessionId, e },
        { t: 'from_web', sessionId, e, n: 1, c },
        { t: 'from_web', sessionId, e, n: 1, c },
      ],
    },
  };
}

function notJsonCase(): CaseResult {
  return {
    id: 'ERR-2/1',
    title: 'A text frame that is not JSON closes with 1007',
    section: '3 Transport',
    kind: 'check',
    clauses: ['ERR-2'],
    requirement: 'Invalid UTF-8 or not JSON MUST close the connection with 1007, without an error frame.',
    status: 'passed',
    durationMs: 3,
    trace: [step(0, 'control', 'reset'), step(1, 'web1', 'web1 sends a frame that is not JSON')],
    wireLog: [
      { step: 1, peer: 'web1', dir: 'out', text: '{"t":"hello",' },
      { step: 1, peer: 'web1', dir: 'in', close: { code: 1007, reason: '' } },
    ],
  };
}

function simpleCase(
  c: Omit<CaseResult, 'trace' | 'wireLog'> & Partial<Pick<CaseResult, 'trace' | 'wireLog'>>,
): CaseResult {
  return { trace: [step(0, 'control', 'reset')], wireLog: [], ...c };
}

function cases(): CaseResult[] {
  return [
    passedPathCase(),
    simpleCase({
      id: 'path/transition/ref.pending-expire',
      title: 'Transition ref pending --expire--> expired',
      section: '6 QR refs',
      kind: 'transition-path',
      clauses: ['QR-3'],
      status: 'passed',
      durationMs: 6,
    }),
    simpleCase({
      id: 'pair/ref.claim+ref.decline',
      title: 'Pair claim then decline',
      section: '7 Linking',
      kind: 'transition-pair',
      clauses: ['LINK-1', 'LINK-4'],
      status: 'passed',
      durationMs: 8,
    }),
    notJsonCase(),
    failedCheckCase(),
    failedPropertyCase(),
    simpleCase({
      id: 'CTL-4/1',
      title: 'Due timers fire in deadline order before clock.ok',
      section: '4 Control endpoint',
      kind: 'check',
      clauses: ['CTL-4'],
      status: 'skipped',
      reason: 'the target has no control endpoint (no --control-token given)',
      durationMs: 0,
      trace: [],
    }),
    simpleCase({
      id: 'SEC-2/1',
      title: 'Claims are rate-limited per phone connection',
      section: '17 Security considerations',
      kind: 'check',
      clauses: ['SEC-2'],
      requirement: 'The server SHOULD rate-limit claims per phone connection.',
      status: 'non-strict',
      reason: '200 claims within 1 s were all answered',
      durationMs: 31,
    }),
    simpleCase({
      id: 'RELAY-7/1',
      title: 'Custody refuses a frame past custodyLimit with queue_full',
      section: '8 Relay',
      kind: 'check',
      clauses: ['RELAY-7'],
      requirement: 'A further frame past custodyLimit MUST be refused with queue_full {e, n}.',
      status: 'expected-failure',
      reason: 'queue bound not implemented yet (expect-failures.json)',
      durationMs: 22,
      error: { message: 'step 66: expected queue_full n=65, got from_web n=65', step: 66 },
    }),
    simpleCase({
      id: 'SESS-12/1',
      title: 'A detached kept session ends after sessionIdleMs',
      section: '9 Sessions',
      kind: 'check',
      clauses: ['SESS-12'],
      status: 'unexpected-pass',
      reason: 'listed in expect-failures.json ("idle limit missing") but passed',
      durationMs: 11,
    }),
  ];
}

function charts(): ChartCoverage[] {
  const ref: ChartCoverage = {
    role: 'server',
    id: 'server.ref',
    initial: 'pending',
    states: [
      { id: 'pending', covered: true },
      { id: 'claimed', covered: true },
      { id: 'approved', covered: true },
      { id: 'confirmed', covered: true },
      { id: 'used', final: true, covered: true },
      { id: 'expired', final: true, covered: true },
      { id: 'declined', final: true, covered: true },
      { id: 'lapsed', final: true, covered: false },
      { id: 'web_gone', final: true, covered: true },
    ],
    transitions: [
      { id: 'ref.claim', from: 'pending', to: 'claimed', event: 'link.claim', clauses: ['LINK-1'], covered: true },
      { id: 'ref.expire', from: 'pending', to: 'expired', event: 'clock qrTtl', clauses: ['QR-3'], covered: true },
      { id: 'ref.approve', from: 'claimed', to: 'approved', event: 'link.approve', clauses: ['LINK-5'], covered: true },
      { id: 'ref.decline', from: 'claimed', to: 'declined', event: 'link.decline', clauses: ['LINK-4'], covered: true },
      { id: 'ref.lapse', from: 'claimed', to: 'lapsed', event: 'clock consentMs', clauses: ['LINK-3'], covered: false },
      { id: 'ref.confirm', from: 'approved', to: 'confirmed', event: 'confirm', clauses: ['LINK-8'], covered: true },
      { id: 'ref.abort', from: 'approved', to: 'declined', event: 'abort', clauses: ['LINK-12'], covered: false },
      {
        id: 'ref.finalize',
        from: 'confirmed',
        to: 'used',
        event: 'link.finalize',
        clauses: ['LINK-9', 'LINK-11'],
        covered: true,
      },
      { id: 'ref.webGone', from: 'pending', to: 'web_gone', event: 'web close', clauses: ['LINK-13'], covered: true },
    ],
  };
  const session: ChartCoverage = {
    role: 'server',
    id: 'server.session',
    initial: 'unattached',
    states: [
      { id: 'unattached', covered: true },
      { id: 'attached', covered: true },
      { id: 'detached', covered: true },
      { id: 'ended', final: true, covered: true },
    ],
    transitions: [
      {
        id: 'session.attach',
        from: 'unattached',
        to: 'attached',
        event: 'attach',
        clauses: ['RELAY-1', 'RELAY-2'],
        covered: true,
      },
      {
        id: 'session.detach',
        from: 'attached',
        to: 'detached',
        event: 'web close',
        clauses: ['RELAY-11'],
        covered: true,
      },
      {
        id: 'session.resume',
        from: 'detached',
        to: 'attached',
        event: 'resume + attach',
        clauses: ['SESS-2', 'SESS-6'],
        covered: true,
      },
      {
        id: 'session.takeover',
        from: 'attached',
        to: 'attached',
        event: 'resume (takeover)',
        clauses: ['SESS-3'],
        covered: true,
      },
      { id: 'session.logout', from: 'attached', to: 'ended', event: 'logout', clauses: ['SESS-9'], covered: true },
      { id: 'session.unlink', from: 'detached', to: 'ended', event: 'unlink', clauses: ['SESS-10'], covered: false },
      {
        id: 'session.idle',
        from: 'detached',
        to: 'ended',
        event: 'clock sessionIdleMs',
        clauses: ['SESS-12'],
        covered: true,
      },
      {
        id: 'session.closeUnacked',
        from: 'unattached',
        to: 'ended',
        event: 'web close',
        clauses: ['SESS-7', 'SESS-8'],
        covered: true,
      },
    ],
  };
  return [ref, session];
}

function clauseCoverage(): ClauseCoverage {
  const items: ClauseCoverage['items'] = [
    {
      id: 'ERR-2',
      level: 'MUST',
      text: 'Invalid UTF-8 or not JSON (incl. NaN/Infinity) -> close 1007, no error frame.',
      cases: ['ERR-2/1'],
      status: 'passed',
    },
    {
      id: 'CTL-4',
      level: 'MUST',
      text: 'Every timer runs on a manual clock that moves only by clock {advanceMs}.',
      cases: ['CTL-4/1'],
      status: 'skipped',
    },
    {
      id: 'QR-1',
      level: 'MUST',
      text: 'After hello: issue ref 1 bound to this web connection.',
      cases: ['path/state/ref.used'],
      status: 'passed',
    },
    {
      id: 'QR-3',
      level: 'MUST',
      text: "When a pending ref's TTL passes it dies (expired) and the next is issued.",
      cases: ['path/transition/ref.pending-expire', 'LINK-2/1'],
      status: 'failed',
    },
    { id: 'QR-5', level: 'MUST', text: 'A dead ref never comes back to life.', cases: ['LINK-2/1'], status: 'failed' },
    {
      id: 'LINK-1',
      level: 'MUST',
      text: 'link.claim on a pending live ref: atomically claimed, first claim wins.',
      cases: ['path/state/ref.used', 'pair/ref.claim+ref.decline'],
      status: 'passed',
    },
    {
      id: 'LINK-2',
      level: 'MUST',
      text: 'Claim errors: unknown_ref, expired_ref, used_ref, web_gone; the ref is unchanged.',
      cases: ['LINK-2/1'],
      status: 'failed',
    },
    {
      id: 'LINK-3',
      level: 'MUST',
      text: 'The consent timer runs from claim to finalize; its expiry lapses the attempt.',
      cases: [],
      status: 'unchecked',
    },
    {
      id: 'LINK-4',
      level: 'MUST',
      text: 'link.decline from claim until finalize: web declined {reason: declined}.',
      cases: ['pair/ref.claim+ref.decline'],
      status: 'passed',
    },
    {
      id: 'RELAY-5',
      level: 'MUST',
      text: 'Custody: every accepted relay frame is kept until the receiver acks it.',
      cases: ['prop/relay-custody'],
      status: 'failed',
    },
    {
      id: 'RELAY-7',
      level: 'MUST',
      text: 'custodyLimit unacked frames per session and direction: a further frame is refused with queue_full.',
      cases: ['RELAY-7/1'],
      status: 'failed',
    },
    {
      id: 'SESS-12',
      level: 'MUST',
      text: 'Kept sessions do not expire by time unless sessionIdleMs > 0.',
      cases: ['SESS-12/1'],
      status: 'passed',
    },
    {
      id: 'SESS-10',
      level: 'MUST',
      text: 'unlink {sessionId}: that session ends at once.',
      cases: [],
      status: 'unchecked',
    },
    {
      id: 'SEC-2',
      level: 'SHOULD',
      text: 'Rate-limit claims per phone connection.',
      cases: ['SEC-2/1'],
      status: 'failed',
    },
  ];
  const covered = items.filter((i) => i.status !== 'unchecked').length;
  return {
    covered,
    total: items.length,
    missed: items.filter((i) => i.status === 'unchecked').map((i) => i.id),
    items,
  };
}

function coverage(chartList: readonly ChartCoverage[]): Coverage {
  const states = chartList.flatMap((ch) => ch.states.map((s) => ({ id: `${ch.id}.${s.id}`, covered: s.covered })));
  const transitions = chartList.flatMap((ch) => ch.transitions.map((t) => ({ id: t.id, covered: t.covered })));
  const count = (list: readonly { id: string; covered: boolean }[]) => ({
    covered: list.filter((x) => x.covered).length,
    total: list.length,
    missed: list.filter((x) => !x.covered).map((x) => x.id),
  });
  return {
    states: count(states),
    transitions: count(transitions),
    transitionPairs: { covered: 31, total: 44, missed: ['ref.claim>ref.lapse', 'ref.approve>ref.abort'] },
    clauses: clauseCoverage(),
  };
}

/** A complete sample run against a server (10 cases, every verdict, 2 charts). */
export function sampleReport(): RunReport {
  const list = cases();
  const chartList = charts();
  return {
    summary: summarize(list, { durationMs: 4213, steps: 22330 }),
    target: 'ws://127.0.0.1:8080',
    role: 'server',
    seed: 1184273,
    strict: false,
    coverage: coverage(chartList),
    cases: list,
    charts: chartList,
    generatedAt: '2026-11-25T20:00:00.000Z',
    qrlinkVersion: '0.1.0',
  };
}

/**
 * Text a hostile or broken target could put anywhere in a report: markup that would run script if
 * written raw, `]]>`, quotes, a backslash, C0 controls (NUL, an ANSI escape), a lone surrogate,
 * a DOT-breaking quote and newline.
 */
export const hostileText = `</script><img src=x onerror=alert(1)> & ]]> "q" 'a' \\ \u0000\u0001\u001b[31m\ud800 line1\nline2 <!-- -->`;

/** `sampleReport()` with `hostileText` in every string a target or a check can influence. */
export function hostileReport(): RunReport {
  const base = sampleReport();
  const x = hostileText;
  const cases = base.cases.map((c, i) => ({
    ...c,
    id: i === 4 ? `${c.id} ${x}` : c.id,
    title: `${c.title} ${x}`,
    section: i % 2 === 0 ? `${c.section} ${x}` : c.section,
    ...(c.reason === undefined ? {} : { reason: `${c.reason} ${x}` }),
    ...(c.requirement === undefined ? {} : { requirement: `${c.requirement} ${x}` }),
    trace: c.trace.map((s) => ({ ...s, action: `${s.action} ${x}`, frame: { t: x, v: x } })),
    wireLog: [
      ...c.wireLog,
      { step: 1, peer: `web${x}`, dir: 'in' as const, frame: { t: `qr${x}`, ref: x } },
      { step: 1, peer: 'web1', dir: 'in' as const, text: x },
      { step: 1, peer: 'phone1', dir: 'in' as const, close: { code: 4000, reason: x } },
    ],
    ...(c.error === undefined
      ? {}
      : {
          error: {
            message: `${c.error.message} ${x}`,
            step: c.error.step ?? 1,
            expected: { t: x },
            actual: [x, { [x]: x }],
          },
        }),
  }));
  return {
    ...base,
    target: `ws://127.0.0.1:1/${x}`,
    cases,
    coverage: {
      ...base.coverage,
      states: { ...base.coverage.states, missed: [x] },
      clauses: {
        ...base.coverage.clauses,
        items: base.coverage.clauses.items.map((item) => ({
          ...item,
          text: `${item.text} ${x}`,
          cases: [...item.cases, x],
        })),
      },
    },
    charts: base.charts.map((ch) => ({
      ...ch,
      id: `${ch.id}${x}`,
      states: ch.states.map((s) => ({ ...s, id: `${s.id}${x}` })),
      initial: `${ch.initial}${x}`,
      transitions: ch.transitions.map((t) => ({
        ...t,
        from: `${t.from}${x}`,
        to: `${t.to}${x}`,
        event: `${t.event}${x}`,
        clauses: [...t.clauses, x],
      })),
    })),
    qrlinkVersion: x,
  };
}
