/**
 * Per-neuron and per-input signals of one batch, shared by the anomaly degree (anomaly.ts) and
 * the Taylor score (snip.ts). All functions are synchronous tensor code: call them inside
 * tf.tidy; they never dispose their inputs.
 *
 * Neuron signal of a prunable layer, per sample: a dense unit's value as is; a conv channel's
 * value averaged over its spatial positions (`[B, H, W, C]` → `[B, C]`). Activations are the
 * forward pass's taps (after BN and ReLU; residual conv2/shortcut before the add). Activation
 * gradients are g = ∂L/∂a with L = Σ_b CE(f(x_b), y_b) (summed, not averaged, so g of sample b
 * is that sample's own gradient; BN runs in inference mode, so samples are independent), taken
 * through the forward pass's zero `inject` tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../attacks/losses';
import { forward } from '../../model/forward';
import { planModel } from '../../model/plan';
import type { PrunableLayer } from '../../model/plan';
import type { Masks, Model } from '../../model/types';

/** Per-sample neuron values: conv `[B, H, W, C]` → spatial mean `[B, C]`; dense `[B, n]` as is. */
export function channelMean(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 4 ? tf.mean(t, [1, 2]) : t) as tf.Tensor2D; // [B, C]
}

/** Every prunable layer's activation a(x) (taps), in `layers` order, full shape `[B, ...out]`. */
export function layerActivations(
  model: Model,
  masks: Masks | undefined,
  x: tf.Tensor4D,
  layers: readonly PrunableLayer[],
): tf.Tensor[] {
  const { taps } = forward(model, x, { masks, tap: true });
  return layers.map((l) => taps.get(l.name) as tf.Tensor);
}

/**
 * ∂L/∂a of every prunable layer, L = Σ_b CE(f(x_b), y_b) in nats, in `layers` order, full shape
 * `[B, ...out]`. y: int32 `[B]` labels in [0, K) (checked by the caller: an error inside tf.grads
 * would leak the tape).
 */
export function layerActivationGrads(
  model: Model,
  masks: Masks | undefined,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  layers: readonly PrunableLayer[],
): tf.Tensor[] {
  const b = x.shape[0];
  const zeros = layers.map((l) => tf.zeros([b, ...l.outShape])); // [B, ...out] each
  const grad = tf.grads((...zs: tf.Tensor[]) => {
    const inject = new Map(layers.map((l, i) => [l.name, zs[i]]));
    const logits = forward(model, x, { masks, inject }).logits; // [B, K]
    return tf.sum(crossEntropy(logits, y)); // scalar
  });
  return grad(zeros);
}

/**
 * The input of every prunable layer, replayed from the taps along the model's plan (max pool,
 * flatten, global average pool, residual add + ReLU), keyed by layer name: conv `[B, H, W, Cin]`,
 * dense `[B, in]`. `taps` must come from a forward pass on `x` without inject.
 */
export function layerInputs(
  model: Model,
  x: tf.Tensor4D,
  taps: ReadonlyMap<string, tf.Tensor>,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const tap = (l: PrunableLayer): tf.Tensor => {
    const t = taps.get(l.name);
    if (!t) throw new Error(`internal: no tap for layer '${l.name}'`);
    return t;
  };
  let h: tf.Tensor = x;
  for (const s of planModel(model.spec).steps) {
    switch (s.op) {
      case 'conv2d':
      case 'dense':
        out.set(s.layer.name, h);
        h = tap(s.layer);
        break;
      case 'maxPool':
        h = tf.maxPool(h as tf.Tensor4D, s.size, s.stride, 'valid'); // [B, H', W', C]
        break;
      case 'flatten':
        h = tf.reshape(h, [h.shape[0], -1]); // [B, H·W·C]
        break;
      case 'globalAvgPool':
        h = tf.mean(h, [1, 2]); // [B, C]
        break;
      case 'residual': {
        out.set(s.conv1.name, h);
        out.set(s.conv2.name, tap(s.conv1));
        if (s.shortcut) out.set(s.shortcut.name, h);
        const sc = s.shortcut ? tap(s.shortcut) : h; // [B, H', W', F]
        h = tf.relu(tf.add(tap(s.conv2), sc)); // [B, H', W', F]
        break;
      }
    }
  }
  return out;
}

/**
 * Σ_b of the per-sample mean absolute input change of every prunable layer, concatenated in
 * `layers` order: per layer `[Cin]` (conv: |in(x') − in(x)| averaged over positions) or `[in]`
 * (dense). Length Σ_layers of kernelShape[rank − 2].
 */
export function inputChangeSums(
  model: Model,
  masks: Masks | undefined,
  x: tf.Tensor4D,
  xAdv: tf.Tensor4D,
  layers: readonly PrunableLayer[],
): tf.Tensor1D {
  const clean = layerInputs(model, x, forward(model, x, { masks, tap: true }).taps);
  const adv = layerInputs(model, xAdv, forward(model, xAdv, { masks, tap: true }).taps);
  const parts = layers.map((l) => {
    const d = tf.abs(tf.sub(adv.get(l.name) as tf.Tensor, clean.get(l.name) as tf.Tensor));
    return tf.sum(channelMean(d), 0); // [Cin] or [in]
  });
  return tf.concat(parts) as tf.Tensor1D;
}
