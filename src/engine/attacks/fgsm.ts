/**
 * FGSM, the Fast Gradient Sign Method (L∞, white-box, one step).
 *   Goodfellow, Shlens, Szegedy 2015, "Explaining and Harnessing Adversarial Examples",
 *   arXiv 1412.6572:   x' = clip_[0,1](x + ε · sign(∇_x CE(f(x), y)))
 *
 * FGSM-RS, FGSM with a random start (the inner step of "fast" adversarial training):
 *   Wong, Rice, Kolter 2020, "Fast is better than free", arXiv 2001.03994:
 *   δ₀ ~ U[−ε, ε]^d,  δ = clip_[−ε,ε](δ₀ + α · sign(∇_x CE(f(x + δ₀), y))),  x' = clip_[0,1](x + δ)
 *   with α = 1.25 ε by default (their recommendation; α = 2ε leads to catastrophic overfitting).
 *
 * Shapes: x `[B, H, W, C]` float32 in [0, 1], y `[B]` int32 → x' `[B, H, W, C]`, ‖x' − x‖∞ ≤ ε.
 * Defaults per dataset: see registry.ts (ε 0.3 MNIST, 0.1 Fashion-MNIST, 8/255 CIFAR-10).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model/types';
import { Rng } from '../rng';
import { checkAttackInputs, inputGradient, projectLinf, throwIfAborted } from './common';
import { FGSM_FIELDS, FGSM_RS_FIELDS } from './fields';
import { validateOptions, type SignalOption } from './options';

export interface FgsmOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
}

export interface FgsmRsOptions extends SignalOption {
  /** L∞ radius ε, pixel units in [0, 1] */
  eps: number;
  /** step size α, pixel units; Wong et al. use 1.25 ε */
  stepSize: number;
  /** seed of the uniform random start */
  seed?: number;
}

/** FGSM: one signed-gradient step of size ε on the cross-entropy. Returns a new tensor. */
export async function fgsm(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: FgsmOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<FgsmOptions>('fgsm', FGSM_FIELDS, opts);
  checkAttackInputs('fgsm', x, y);
  throwIfAborted(o.signal);
  return tf.tidy(() => {
    const g = inputGradient(f, 'ce', x, y); // [B, H, W, C]
    const stepped = tf.add(x, tf.mul(tf.sign(g), o.eps)); // [B, H, W, C]
    return projectLinf(stepped, x, o.eps);
  });
}

/** FGSM-RS: uniform random start in the ε-ball, then one signed step of size α. */
export async function fgsmRs(
  f: LogitsFn,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  opts: FgsmRsOptions,
): Promise<tf.Tensor4D> {
  const o = validateOptions<Required<FgsmRsOptions>>('fgsm-rs', FGSM_RS_FIELDS, opts);
  checkAttackInputs('fgsm-rs', x, y);
  throwIfAborted(o.signal);
  const seed = new Rng(o.seed).seed();
  return tf.tidy(() => {
    const delta0 = tf.randomUniform(x.shape, -o.eps, o.eps, 'float32', seed); // [B, H, W, C]
    const start = tf.clipByValue(tf.add<tf.Tensor4D>(x, delta0), 0, 1); // [B, H, W, C]
    const g = inputGradient(f, 'ce', start, y); // [B, H, W, C]
    const stepped = tf.add(start, tf.mul(tf.sign(g), o.stepSize)); // [B, H, W, C]
    return projectLinf(stepped, x, o.eps);
  });
}
