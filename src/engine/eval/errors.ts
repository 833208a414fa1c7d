/** Bad input to an evaluation (batch size, data shapes, report fields). No tfjs here. */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}
