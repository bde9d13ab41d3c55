/**
 * Clauses binding the phone role that a check driving a phone through its driver, with the suite as
 * its server, cannot observe, each with the reason. The report lists them (never as passed) and
 * leaves them out of the phone's clause coverage figure.
 */
export const phoneUnobservableClauses: ReadonlyMap<string, string> = new Map([
  ['TR-9', 'a deployment rule (TLS off loopback); the suite talks to the phone on loopback'],
  [
    'CONS-3',
    'the driver has one way to scan (the "Link a device" scanner); deep links, notifications and other cameras are not reachable through it',
  ],
  ['DRV-1', 'the suite reaches the driver at the URL it was given; another path or host would not be reached at all'],
  ['DRV-3', 'behaviour without a driver cannot be observed through the driver'],
  ['SEC-1', 'a deployment recommendation (procedural defences kept in force)'],
  [
    'E2E-19',
    "byte-for-byte reproduction of the test vectors needs the phone's randomness fixed, which the driver cannot ask for; every derived value is checked end to end instead",
  ],
]);
