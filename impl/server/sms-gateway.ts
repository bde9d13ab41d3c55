/**
 * How one-time codes reach a phone number. The reference gateway is an outbox: it prints each code to
 * the log sink and remembers the last code per number for control `sms` [CTL-5].
 */

export interface SmsGateway {
  send(phone: string, code: string): void;
}

export class OutboxGateway implements SmsGateway {
  readonly #last = new Map<string, string>();

  constructor(private readonly log: (line: string) => void) {}

  send(phone: string, code: string): void {
    this.#last.set(phone, code);
    this.log(`sms to ${phone}: your qrlink code is ${code}`);
  }

  /** The last code sent to `phone`, or null. */
  lastCode(phone: string): string | null {
    return this.#last.get(phone) ?? null;
  }

  clear(): void {
    this.#last.clear();
  }
}
