/**
 * Web client clauses a check through the driver and the scripted server cannot observe, each with
 * the reason. The report lists them (never as passed) and leaves them out of the web role's clause
 * coverage figure.
 */
export const webUnobservableClauses: ReadonlyMap<string, string> = new Map([
  ['TR-9', 'a deployment rule (TLS off loopback); the scripted server is on loopback'],
  [
    'TR-10',
    "a SHOULD on the client's own timer (status at most once per second): the driver cannot move the client's clock, and counting real seconds would make the run slow and flaky",
  ],
  [
    'DRV-2',
    'the suite holds one driver connection per case (the client target hides the driver URL from cases), so a second connection is never opened',
  ],
  ['DRV-3', 'the client without a driver cannot be observed at all'],
  ['SEC-6', 'how a web page is served (HTTPS, HSTS) and where it renders the QR is outside the driver protocol'],
]);
