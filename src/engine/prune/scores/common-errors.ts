/**
 * The error type of the pruning scores: a bad score context or bad score options (empty data,
 * wrong image shape, labels out of range, an unknown option value). Each message names the field
 * that is wrong, so a bad config fails clearly before any tensor work. Cancellation is reported
 * with the attacks' AttackAbortedError (named 'AbortError').
 */

/** A score context or score option that cannot be used; `field` names the offending input. */
export class ScoreInputError extends Error {
  override readonly name = 'ScoreInputError';
  /** e.g. 'data.x', 'batchSize', 'delta' */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`pruning scores: '${field}' ${message}`);
    this.field = field;
  }
}
