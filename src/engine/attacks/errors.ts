/**
 * Typed errors of the attack and robustness-evaluation modules. Each names what is wrong, so a
 * bad config or a cancelled run is reported clearly instead of failing deep inside tfjs.
 */

/** An attack option is missing, has the wrong type, or is out of range. */
export class AttackOptionError extends Error {
  /** the attack whose options were checked, e.g. 'pgd-linf' */
  readonly attack: string;
  /** the offending option, e.g. 'eps' */
  readonly field: string;

  constructor(attack: string, field: string, message: string) {
    super(`${attack}: option '${field}' ${message}`);
    this.name = 'AttackOptionError';
    this.attack = attack;
    this.field = field;
  }
}

/** The images, labels or logits given to an attack have the wrong rank, dtype or size. */
export class AttackInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttackInputError';
  }
}

/**
 * A long attack or evaluation was cancelled through its `signal`. `name` is 'AbortError', as for
 * a cancelled `fetch`, so callers can treat both alike.
 */
export class AttackAbortedError extends Error {
  constructor(what = 'attack') {
    super(`${what} aborted`);
    this.name = 'AbortError';
  }
}

/** An attack returned a point outside its ε-ball or outside [0, 1] (a bug, never expected). */
export class AttackBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttackBudgetError';
  }
}
