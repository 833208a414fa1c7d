/**
 * The one error type of the training module. Bad configs, data that does not fit the model,
 * checkpoints that do not fit the run: each fails early with a `TrainError` that names the field
 * or the object at fault and a machine-readable problem code, never deep inside tfjs.
 */

/**
 * What is wrong.
 * - `bad-config`: a TrainConfig field is missing, out of range or of the wrong type
 * - `bad-data`: a dataset does not fit the model (image shape, number of classes, empty)
 * - `bad-mask`: a mask names no kernel of the model or has the wrong shape
 * - `bad-state`: optimizer or schedule state does not fit (other params, other kind)
 * - `bad-checkpoint`: a checkpoint does not fit the model or the config it is resumed with
 */
export type TrainProblem = 'bad-config' | 'bad-data' | 'bad-mask' | 'bad-state' | 'bad-checkpoint';

/** Bad training input. `message` is `${problem}: ${detail}`. */
export class TrainError extends Error {
  override readonly name = 'TrainError';
  /** machine-readable problem code */
  readonly problem: TrainProblem;
  /** the human-readable detail, without the problem prefix */
  readonly detail: string;

  constructor(problem: TrainProblem, detail: string, options?: { cause?: unknown }) {
    super(`${problem}: ${detail}`, options);
    this.problem = problem;
    this.detail = detail;
  }
}

/** True when `e` is a TrainError (optionally with the given problem code). */
export function isTrainError(e: unknown, problem?: TrainProblem): e is TrainError {
  return e instanceof TrainError && (problem === undefined || e.problem === problem);
}
