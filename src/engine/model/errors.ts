/**
 * Typed errors of the model module. Each names what is wrong (the layer, the parameter, the file)
 * so a bad spec, a bad input or a corrupt file fails with a message a user can act on, never
 * deep inside tfjs.
 */

/** A model spec that cannot be built: bad field, impossible shape, duplicate name. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  /** the offending layer's name, when the problem belongs to one layer */
  readonly layer: string | undefined;
  constructor(message: string, layer?: string) {
    super(layer === undefined ? message : `layer '${layer}': ${message}`);
    this.layer = layer;
  }
}

/** A tensor or option handed to the model that does not fit it (input shape, mask, inject). */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';
}

/** Weights that do not match the spec (missing, extra or wrongly shaped parameters). */
export class WeightsError extends Error {
  override readonly name = 'WeightsError';
}

/** What is wrong with a serialized file. */
export type FormatProblem =
  | 'truncated'
  | 'header-too-large'
  | 'bad-header'
  | 'bad-json'
  | 'bad-dtype'
  | 'bad-shape'
  | 'bad-offsets'
  | 'size-mismatch'
  | 'bad-metadata'
  | 'spec-mismatch'
  | 'bad-name';

/** A serialized model file (safetensors or tfjs weights) that cannot be read. */
export class ModelFormatError extends Error {
  override readonly name = 'ModelFormatError';
  readonly file: string;
  readonly problem: FormatProblem;
  constructor(file: string, problem: FormatProblem, detail: string) {
    super(`${file}: ${problem}: ${detail}`);
    this.file = file;
    this.problem = problem;
  }
}
