/**
 * The functional forward pass over a Model's explicit parameters. Differentiable: call it inside
 * tf.grad / tf.variableGrads / optimizer.minimize. Every intermediate is freed by an inner
 * tf.tidy; the returned tensors (logits, taps, batch stats) belong to the caller, or to an
 * enclosing tidy.
 *
 * Shapes: x `[B, H, W, C]` (the spec's inputShape) → logits `[B, K]`. Conv layers run
 * conv2d → (+bias) → (BN) → (ReLU); dense layers matMul → +bias → (ReLU). A layer with a bias and
 * no BN runs as ONE fused kernel (./fused.ts: FusedConv2D / _FusedMatMul with its activation),
 * under a gradient tape too.
 *
 * Masks: kernel ⊙ mask (a full-shape mask, or an `[out]` mask broadcast over the last axis); an
 * `[out]` mask also multiplies bias, BN gamma and BN beta, so a removed unit outputs exactly 0.
 *
 * Taps: every prunable layer's output after BN and activation. In a residual block, conv1 is
 * tapped after BN-ReLU, conv2 and the shortcut after their BN, *before* the add (so a removed
 * unit's tap is exactly 0, and a unit's tap is its own contribution); the block output is
 * ReLU(conv2 + shortcut). Inject tensors are added to these tapped activations (after tapping)
 * before they flow on: with zeros, ∂L/∂inject = ∂L/∂activation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchMoments, batchNormApply } from './bn';
import { ModelInputError } from './errors';
import { fusedConv2d, fusedMatMul } from './fused';
import { checkMasks } from './masks';
import { planModel } from './plan';
import type { Plan, PrunableLayer } from './plan';
import type { ForwardOptions, ForwardResult, LogitsFn, Masks, Model } from './types';

export { updateBnRunningStats, BN_EPSILON } from './bn';

type Named = Record<string, tf.Tensor>;

interface Ctx {
  model: Model;
  masks: Masks | undefined;
  training: boolean;
  tap: boolean;
  inject: Map<string, tf.Tensor> | undefined;
  taps: Named;
  means: Named;
  variances: Named;
}

function param(model: Model, name: string, buffer = false): tf.Tensor {
  const v = (buffer ? model.buffers : model.params).get(name);
  if (!v) throw new ModelInputError(`model has no parameter '${name}' (disposed or wrong spec?)`);
  return v;
}

/** One prunable layer: x `[B, H, W, Cin]` or `[B, in]` → activation `[B, H', W', Cout]` or `[B, out]`. */
function applyLayer(layer: PrunableLayer, x: tf.Tensor, ctx: Ctx): tf.Tensor {
  const { model } = ctx;
  const mask = ctx.masks?.get(layer.kernelName);
  const unit = mask !== undefined && mask.rank === 1 ? mask : undefined; // structured [out]
  const maskUnit = (t: tf.Tensor): tf.Tensor => (unit ? tf.mul(t, unit) : t);
  const kernel = param(model, layer.kernelName);
  const w = mask ? tf.mul(kernel, mask) : kernel; // same shape as the kernel
  if (layer.biasName !== null && layer.bnName === null) {
    // conv/matmul + bias (+ ReLU) as one kernel, under a gradient tape too (./fused.ts)
    const bias = maskUnit(param(model, layer.biasName));
    const act = layer.activation === 'relu' ? 'relu' : 'linear';
    const out = layer.conv
      ? fusedConv2d(
          x as tf.Tensor4D,
          w as tf.Tensor4D,
          bias,
          layer.conv.stride,
          layer.conv.padding,
          act,
        ) // [B, H', W', Cout]
      : fusedMatMul(x as tf.Tensor2D, w as tf.Tensor2D, bias, act); // [B, out]
    if (ctx.tap) ctx.taps[layer.name] = out;
    const added = ctx.inject?.get(layer.name);
    return added ? tf.add(out, added) : out;
  }
  let y = layer.conv
    ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, layer.conv.stride, layer.conv.padding) // [B, H', W', Cout]
    : tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D); // [B, out]
  if (layer.biasName !== null) y = tf.add(y, maskUnit(param(model, layer.biasName)));
  if (layer.bnName !== null) {
    const bn = layer.bnName;
    const gamma = maskUnit(param(model, `${bn}/gamma`)); // [C]
    const beta = maskUnit(param(model, `${bn}/beta`)); // [C]
    if (ctx.training) {
      const { mean, variance } = batchMoments(y); // [C] each
      ctx.means[bn] = mean;
      ctx.variances[bn] = variance;
      y = batchNormApply(y, mean, variance, gamma, beta);
    } else {
      const mean = param(model, `${bn}/movingMean`, true);
      const variance = param(model, `${bn}/movingVariance`, true);
      y = batchNormApply(y, mean, variance, gamma, beta);
    }
  }
  if (layer.activation === 'relu') y = tf.relu(y);
  if (ctx.tap) ctx.taps[layer.name] = y;
  const add = ctx.inject?.get(layer.name);
  if (add) y = tf.add(y, add);
  return y;
}

function checkOptions(model: Model, x: tf.Tensor, opts: ForwardOptions): Plan {
  const plan = planModel(model.spec);
  const [h, w, c] = model.spec.inputShape;
  if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c || x.shape[0] < 1)
    throw new ModelInputError(
      `model '${model.spec.name}' expects input [B, ${h}, ${w}, ${c}], got [${x.shape}]`,
    );
  if (x.dtype !== 'float32') throw new ModelInputError(`input must be float32, got ${x.dtype}`);
  checkMasks(plan.prunable, opts.masks);
  if (opts.inject) {
    const byName = new Map(plan.prunable.map((l) => [l.name, l]));
    for (const [name, t] of opts.inject) {
      const layer = byName.get(name);
      if (!layer) throw new ModelInputError(`inject key '${name}' is not a prunable layer`);
      const want = [x.shape[0], ...layer.outShape];
      if (t.rank !== want.length || t.shape.some((d, i) => d !== want[i]) || t.dtype !== 'float32')
        throw new ModelInputError(
          `inject for '${name}' must be float32 [${want}], got ${t.dtype} [${t.shape}]`,
        );
    }
  }
  return plan;
}

/**
 * Run the model on `x` `[B, H, W, C]` (pixels in [0, 1]). Returns logits `[B, K]`, the taps
 * (with `tap`), and per-BN batch mean/variance `[C]` (with `training`). Throws ModelInputError
 * for a mismatched input, mask or inject tensor.
 */
export function forward(model: Model, x: tf.Tensor4D, opts: ForwardOptions = {}): ForwardResult {
  const plan = checkOptions(model, x, opts);
  const out = tf.tidy(() => {
    const ctx: Ctx = {
      model,
      masks: opts.masks,
      training: opts.training ?? false,
      tap: opts.tap ?? false,
      inject: opts.inject,
      taps: {},
      means: {},
      variances: {},
    };
    let h: tf.Tensor = x;
    for (const s of plan.steps) {
      switch (s.op) {
        case 'conv2d':
        case 'dense':
          h = applyLayer(s.layer, h, ctx);
          break;
        case 'maxPool':
          h = tf.maxPool(h as tf.Tensor4D, s.size, s.stride, 'valid'); // [B, H', W', C]
          break;
        case 'flatten':
          h = tf.reshape(h, [h.shape[0], -1]); // [B, H·W·C] (NHWC order)
          break;
        case 'globalAvgPool':
          h = tf.mean(h, [1, 2]); // [B, C]
          break;
        case 'residual': {
          const a1 = applyLayer(s.conv1, h, ctx); // [B, H', W', F]
          const a2 = applyLayer(s.conv2, a1, ctx); // [B, H', W', F]
          const sc = s.shortcut ? applyLayer(s.shortcut, h, ctx) : h; // [B, H', W', F]
          h = tf.relu(tf.add(a2, sc));
          break;
        }
      }
    }
    return { logits: h, taps: ctx.taps, means: ctx.means, variances: ctx.variances };
  });
  const bnBatchStats: ForwardResult['bnBatchStats'] = new Map();
  for (const bn of Object.keys(out.means))
    bnBatchStats.set(bn, {
      mean: out.means[bn] as tf.Tensor1D,
      variance: out.variances[bn] as tf.Tensor1D,
    });
  return {
    logits: out.logits as tf.Tensor2D,
    taps: new Map(Object.entries(out.taps)),
    bnBatchStats,
  };
}

/**
 * A logits function for attacks and evaluation: x `[B, H, W, C]` → logits `[B, K]`, with fixed
 * masks and BN mode (inference by default). Each call frees everything but the logits.
 */
export function logitsFn(
  model: Model,
  opts: Pick<ForwardOptions, 'masks' | 'training'> = {},
): LogitsFn {
  const o: ForwardOptions = { masks: opts.masks, training: opts.training };
  return (x: tf.Tensor4D) => tf.tidy(() => forward(model, x, o).logits);
}
