/**
 * Server clauses no black-box run over the wire can check, each with the reason. The report lists
 * them (never as passed) and leaves them out of the clause coverage figure, so that figure says
 * how much of what a suite can check was checked. Everything else a server must do is a goal.
 */
export const unobservableClauses: ReadonlyMap<string, string> = new Map([
  ['TR-9', 'a deployment rule (TLS off loopback); the suite reaches targets on loopback'],
  ['TR-11', 'needs the target restarted between steps, which the protocol cannot ask for'],
  ['REG-13', 'constant-time comparison is not observable over the network with any confidence'],
  ['ERR-11', 'no input makes a correct server fail internally'],
  [
    'CTL-1',
    'a target under test is in conformance mode by definition; that the mode is off by default is a deployment property',
  ],
  ['SEC-1', 'a deployment recommendation (procedural defences kept in force)'],
  [
    'SEC-2',
    'the failed-claim threshold is implementation-defined and has no configuration key, so no run can know when to expect the close',
  ],
  ['SEC-3', 'the origins a server serves its web client from are deployment configuration the suite cannot know'],
  [
    'SEC-4',
    'a deployment recommendation (codeLength); the control endpoint shows the configuration only after the suite set it',
  ],
  ['SEC-5', 'a deployment recommendation (sessionIdleMs); as for SEC-4'],
]);
