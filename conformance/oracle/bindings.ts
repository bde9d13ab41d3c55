/**
 * The bindings between the model's abstract values and the concrete values on the wire. A value
 * the target makes up (a ref, a session id, a token, an account id, a device token) is bound the
 * first time it appears where the model names it, and must then reappear exactly where the model
 * names it again; a value the suite makes up (a key, an epoch, a box, a ciphertext) is bound when
 * the suite sends it. A concrete value may stand for one abstract value only: a target that hands
 * out one ref twice, or a token again after it was replaced, fails the freshness check.
 */

/** What kind of value a name is (freshness is checked within a kind). */
export type ValueKind = 'ref' | 'session' | 'token' | 'account' | 'deviceToken' | 'suite';

export class Bindings {
  readonly #toConcrete = new Map<string, string>();
  readonly #toAbstract = new Map<string, string>();
  readonly #provisional: [string, string][] = [];

  /**
   * Binds a name the target has not issued (yet) to a value the suite made up for one step: a ref
   * or token of no one, a ref the target will issue later. `endStep` forgets it, so the name is
   * free for the value the target issues later.
   */
  provisional(kind: ValueKind, name: string, value: string): void {
    this.#toConcrete.set(name, value);
    this.#toAbstract.set(`${kind}\u0000${value}`, name);
    this.#provisional.push([name, `${kind}\u0000${value}`]);
  }

  /** Forgets the step's provisional bindings. */
  endStep(): void {
    for (const [name, key] of this.#provisional.splice(0)) {
      this.#toConcrete.delete(name);
      this.#toAbstract.delete(key);
    }
  }

  /** The concrete value of `name`, if bound. */
  concrete(name: string): string | undefined {
    return this.#toConcrete.get(name);
  }

  /** The abstract name of a concrete value within a kind, if bound. */
  abstract(kind: ValueKind, value: string): string | undefined {
    return this.#toAbstract.get(`${kind}\u0000${value}`);
  }

  /**
   * Binds `name` to `value`, or checks an existing binding. Returns an error text (the target
   * broke consistency or freshness) or undefined.
   */
  bind(kind: ValueKind, name: string, value: string): string | undefined {
    const known = this.#toConcrete.get(name);
    if (known !== undefined) {
      return known === value ? undefined : `${name} was ${show(known)} before, now ${show(value)}`;
    }
    const other = this.#toAbstract.get(`${kind}\u0000${value}`);
    if (other !== undefined) return `${show(value)} is not fresh: it already stood for ${other} (${name} must be new)`;
    this.#toConcrete.set(name, value);
    this.#toAbstract.set(`${kind}\u0000${value}`, name);
    return undefined;
  }

  /** Every binding, for failure reports. */
  entries(): [string, string][] {
    return [...this.#toConcrete.entries()];
  }
}

function show(value: string): string {
  return value.length > 24 ? `"${value.slice(0, 21)}..."` : `"${value}"`;
}
