/**
 * Training losses on logits z `[B, K]`: batch-mean softmax cross-entropy, and the per-sample
 * Kullback-Leibler divergence between two softmax distributions used by TRADES.
 * Both are differentiable tfjs expressions (logSumExp / logSoftmax, stable for large logits).
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from '../../attacks/losses';

/** mean_b CE(z_b, y_b) = mean_b (log Σ_k exp z_bk − z_{b,y_b}), a scalar in nats. */
export function meanCrossEntropy(z: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(crossEntropy(z, y)) as tf.Scalar);
}

/**
 * KL(softmax(zP) ‖ softmax(zQ)) per sample: Σ_k p_k (log p_k − log q_k), `[B]`, nats, ≥ 0.
 * Gradients flow through both arguments.
 */
export function softmaxKl(zP: tf.Tensor2D, zQ: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(zP); // [B, K]
    const logQ = tf.logSoftmax(zQ); // [B, K]
    return tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1) as tf.Tensor1D; // [B]
  });
}

/** Number of rows whose argmax equals the label, as a float32 scalar. */
export function correctCount(z: tf.Tensor2D, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(z, 1), y), 'float32')) as tf.Scalar);
}
