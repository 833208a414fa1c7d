/**
 * Parameter initialization and the life cycle of a Model's variables.
 *
 * Kernels: He/Kaiming normal, N(0, 2/fanIn) (He et al. 2015, arXiv 1502.01852), for every layer
 * whose output goes through a ReLU (conv/dense with activation 'relu' and all residual-block
 * convs, whose sum is ReLU'd); Glorot normal, N(0, 2/(fanIn + fanOut)) (Glorot and Bengio 2010),
 * for layers without one (the classifier head). fanIn = k·k·Cin or in; fanOut = k·k·Cout or out.
 * Biases 0; BN gamma 1, beta 0, moving mean 0, moving variance 1.
 *
 * Seeding: `new Rng(seed)` draws one tfjs seed per kernel in parameter order, so the same seed
 * gives bit-identical weights on every backend (tfjs draws random numbers on the CPU).
 */
import * as tf from '@tensorflow/tfjs-core';
import { WeightsError } from './errors';
import { layerParams, paramShapes } from './params';
import { planModel } from './plan';
import type { PrunableLayer } from './plan';
import { Rng } from '../rng';
import type { ModelSpec } from './spec';
import type { Model, ParamName } from './types';

/** A parameter's values as plain data: `data.length` = product of `shape`. */
export interface WeightData {
  shape: number[];
  data: Float32Array;
}

function kernelStd(layer: PrunableLayer, reluAfter: boolean): number {
  const fanIn = layer.fanIn;
  const k = layer.conv ? layer.conv.kernelSize * layer.conv.kernelSize : 1;
  const fanOut = k * layer.neurons;
  return reluAfter ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * A freshly initialized model. `seed`: any finite number (reduced to 32 bits by Rng). The caller
 * owns the variables: free them with disposeModel. Throws SpecError for an invalid spec.
 */
export function initModel(spec: ModelSpec, seed: number): Model {
  const plan = planModel(spec);
  const rng = new Rng(seed);
  const params = new Map<ParamName, tf.Variable>();
  const buffers = new Map<ParamName, tf.Variable>();
  const layers: [PrunableLayer, boolean][] = plan.steps.flatMap((s): [PrunableLayer, boolean][] => {
    if (s.op === 'conv2d' || s.op === 'dense') return [[s.layer, s.layer.activation === 'relu']];
    if (s.op === 'residual') {
      const ls: [PrunableLayer, boolean][] = [
        [s.conv1, true],
        [s.conv2, true],
      ];
      if (s.shortcut) ls.push([s.shortcut, true]);
      return ls;
    }
    return [];
  });
  for (const [layer, reluAfter] of layers) {
    for (const p of layerParams(layer)) {
      const v = tf.tidy(() => {
        let t: tf.Tensor;
        if (p.kind === 'kernel') {
          t = tf.randomNormal(p.shape, 0, kernelStd(layer, reluAfter), 'float32', rng.seed());
        } else if (p.kind === 'gamma' || p.kind === 'movingVariance') {
          t = tf.ones(p.shape);
        } else {
          t = tf.zeros(p.shape);
        }
        return tf.variable(t, p.trainable);
      });
      (p.trainable ? params : buffers).set(p.name, v);
    }
  }
  return { spec: JSON.parse(JSON.stringify(spec)) as ModelSpec, params, buffers };
}

/** Dispose every variable of `model` and empty its maps (a second call is a no-op). */
export function disposeModel(model: Model): void {
  for (const v of model.params.values()) v.dispose();
  for (const v of model.buffers.values()) v.dispose();
  model.params.clear();
  model.buffers.clear();
}

/** An independent copy (new variables, same values, deep-copied spec). */
export function cloneModel(model: Model): Model {
  const copy = (m: Map<ParamName, tf.Variable>): Map<ParamName, tf.Variable> =>
    new Map(
      [...m].map(([name, v]) => [name, tf.tidy(() => tf.variable(tf.clone(v), v.trainable))]),
    );
  return {
    spec: JSON.parse(JSON.stringify(model.spec)) as ModelSpec,
    params: copy(model.params),
    buffers: copy(model.buffers),
  };
}

/** Every parameter and buffer as plain float32 data, in paramShapes order. */
export async function getWeights(model: Model): Promise<Map<ParamName, WeightData>> {
  const out = new Map<ParamName, WeightData>();
  for (const p of paramShapes(model.spec)) {
    const v = (p.trainable ? model.params : model.buffers).get(p.name);
    if (!v) throw new WeightsError(`model has no variable '${p.name}' (disposed?)`);
    const data = await v.data();
    out.set(p.name, { shape: [...v.shape], data: new Float32Array(data) });
  }
  return out;
}

/**
 * Check that `weights` holds exactly the parameters and buffers of `spec`, each with its shape
 * and a Float32Array of matching length. Throws WeightsError naming the first problem.
 */
export function checkWeights(spec: ModelSpec, weights: Map<ParamName, WeightData>): void {
  const expected = paramShapes(spec);
  const names = new Set(expected.map((p) => p.name));
  for (const name of weights.keys())
    if (!names.has(name))
      throw new WeightsError(`unexpected weight '${name}' for spec '${spec.name}'`);
  for (const p of expected) {
    const w = weights.get(p.name);
    if (!w) throw new WeightsError(`missing weight '${p.name}'`);
    if (w.shape.length !== p.shape.length || w.shape.some((d, i) => d !== p.shape[i]))
      throw new WeightsError(`weight '${p.name}' has shape [${w.shape}], expected [${p.shape}]`);
    const size = p.shape.reduce((a, b) => a * b, 1);
    if (!(w.data instanceof Float32Array) || w.data.length !== size)
      throw new WeightsError(`weight '${p.name}' needs a Float32Array of length ${size}`);
  }
}

/**
 * Overwrite every parameter and buffer of `model` from plain data. All-or-nothing: validated
 * first (checkWeights), then assigned.
 */
export function setWeights(model: Model, weights: Map<ParamName, WeightData>): void {
  checkWeights(model.spec, weights);
  for (const p of paramShapes(model.spec)) {
    const v = (p.trainable ? model.params : model.buffers).get(p.name);
    if (!v) throw new WeightsError(`model has no variable '${p.name}' (disposed?)`);
    const w = weights.get(p.name) as WeightData;
    // copy: on the CPU backend tf.tensor keeps a reference to the caller's array
    tf.tidy(() => v.assign(tf.tensor(w.data.slice(), w.shape, 'float32')));
  }
}

/** A model whose variables hold the given plain data (validated like setWeights). */
export function modelFromWeights(spec: ModelSpec, weights: Map<ParamName, WeightData>): Model {
  checkWeights(spec, weights);
  const params = new Map<ParamName, tf.Variable>();
  const buffers = new Map<ParamName, tf.Variable>();
  for (const p of paramShapes(spec)) {
    const w = weights.get(p.name) as WeightData;
    const v = tf.tidy(() =>
      tf.variable(tf.tensor(w.data.slice(), w.shape, 'float32'), p.trainable),
    );
    (p.trainable ? params : buffers).set(p.name, v);
  }
  return { spec: JSON.parse(JSON.stringify(spec)) as ModelSpec, params, buffers };
}
