/**
 * Registers tfjs's gradient functions. `@tensorflow/tfjs-core` alone registers none (they ship in
 * `dist/register_all_gradients`, which the `@tensorflow/tfjs` package imports), so without this
 * `tf.grad` fails with "gradient function not found for RealDiv".
 *
 * Where they come from depends on the platform, because Node cannot load tfjs-core's ESM files
 * (they use extensionless directory imports):
 * - browser / worker (Vite bundles ESM): `@tensorflow/tfjs-core/dist/register_all_gradients`;
 * - Node: the `@tensorflow/tfjs` CommonJS bundle, which registers the same gradients into the
 *   same global registry (its specifier is hidden from Vite so the browser bundle never holds it).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Gradients every training run needs; if these are registered, all of tfjs's are. */
const PROBES = ['Conv2D', 'RealDiv', 'MaxPool', 'FusedBatchNorm'];

/** True when tfjs's gradient functions are registered. */
export function gradientsRegistered(): boolean {
  return PROBES.every((k) => tf.getGradient(k) !== undefined);
}

/**
 * Register tfjs's gradients once. Returns 'already registered' or 'registered'; throws an Error
 * naming the module when loading fails (a packaging problem: training would be impossible).
 */
export async function ensureGradients(
  platform: 'node' | 'browser',
): Promise<'already registered' | 'registered'> {
  if (gradientsRegistered()) return 'already registered';
  const nodeBundle = '@tensorflow/tfjs';
  try {
    if (platform === 'node') await import(/* @vite-ignore */ nodeBundle);
    else await import('@tensorflow/tfjs-core/dist/register_all_gradients');
  } catch (e) {
    const from =
      platform === 'node' ? nodeBundle : '@tensorflow/tfjs-core/dist/register_all_gradients';
    throw new Error(`could not load tfjs gradients from ${from}: ${String(e)}`);
  }
  if (!gradientsRegistered()) {
    throw new Error(`loading tfjs gradients (${platform}) did not register ${PROBES.join(', ')}`);
  }
  return 'registered';
}
