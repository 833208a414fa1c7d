/**
 * A TensorFlow.js Layers model: a `model.json` whose `modelTopology` `tf.loadLayersModel` opens
 * (https://js.tensorflow.org/api/latest/#loadLayersModel), plus one weights file, with the masks
 * baked into the weights (common.ts bakedWeights). The topology is the JSON that tfjs-layers'
 * own `model.save()` writes (a functional `Model`: class_name, config, inbound_nodes), so that
 * ResNet's residual adds can be expressed; layer configs carry every field tfjs-layers 4.x
 * serializes. The weights follow the tf.io weights-manifest conventions, named
 * `<layer>/kernel`, `<layer>/bias`, `<bn>/gamma`, `<bn>/beta`, `<bn>/moving_mean`,
 * `<bn>/moving_variance` as tfjs-layers names its variables.
 *
 * Mapping (the engine's forward.ts, layer by layer): conv → Conv2D (channels_last, TF 'same'
 * padding, which tfjs-layers computes exactly as the engine does: asymmetric for stride 2),
 * with its ReLU fused when it has a bias and no BN; conv + BN → Conv2D (no bias) →
 * BatchNormalization (inference: moving statistics, ε from bn.ts) → Activation('relu'); maxPool →
 * MaxPooling2D 'valid'; flatten → Flatten (NHWC order, as ours); globalAvgPool →
 * GlobalAveragePooling2D; dense → Dense; residual → conv1-BN-ReLU, conv2-BN, shortcut (identity
 * or conv-BN), Add, Activation('relu'). Layer names are ours with '/' replaced by '_'
 * (`block1/conv1` → `block1_conv1`, its BN `block1_conv1_bn`).
 *
 * This is a second, one-way format for other runtimes: the app's own round trip stays the tfjs
 * weights format of tfjs.ts (loadModelTfjs), which keeps masks as masks.
 */
import { BN_EPSILON } from '../bn';
import type { WeightData } from '../init';
import type { PrunableLayer } from '../plan';
import type { ModelSpec } from '../spec';
import type { Masks, Model } from '../types';
import { FORMAT_VERSION, bakedWeights } from './common';

/** The tfjs-layers version whose serialization the topology follows. */
export const TFJS_LAYERS_KERAS_VERSION = 'tfjs-layers 4.22.0';
export const TFJS_LAYERS_INPUT_NAME = 'input';

type Json = Record<string, unknown>;
type Inbound = [string, number, number, Json];

export interface TfjsLayersWeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface TfjsLayersModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: Json;
  weightsManifest: { paths: string[]; weights: TfjsLayersWeightEntry[] }[];
  userDefinedMetadata: {
    advprune: {
      formatVersion: string;
      spec: ModelSpec;
      bnEpsilon: number;
      input: { name: string; layout: 'NHWC'; shape: (number | null)[]; range: [number, number] };
      masks: 'baked into the weights' | 'none';
    };
  };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const initializer = (className: string, config: Json = {}): Json => ({
  class_name: className,
  config,
});
const GLOROT = initializer('VarianceScaling', {
  scale: 1,
  mode: 'fan_avg',
  distribution: 'normal',
  seed: null,
});

class Topology {
  layers: Json[] = [];
  weights: { entry: TfjsLayersWeightEntry; data: Float32Array }[] = [];
  private used = new Set<string>();

  constructor(private readonly source: Map<string, WeightData>) {}

  /** A unique Keras layer name from one of ours ('block1/conv1' → 'block1_conv1'). */
  name(ours: string): string {
    const base = ours.replace(/[^A-Za-z0-9_.-]/g, '_');
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }

  layer(className: string, ours: string, config: Json, inputs: string[]): string {
    const name = this.name(ours);
    this.layers.push({
      name,
      class_name: className,
      config: { ...config, name, trainable: true },
      inbound_nodes: inputs.length > 0 ? [inputs.map((i): Inbound => [i, 0, 0, {}])] : [],
    });
    return name;
  }

  weight(layer: string, weightName: string, param: string): void {
    const w = this.source.get(param);
    if (!w) throw new Error(`internal: no weight '${param}'`);
    this.weights.push({
      entry: { name: `${layer}/${weightName}`, shape: [...w.shape], dtype: 'float32' },
      data: w.data,
    });
  }
}

/** Conv2D (+ BatchNormalization) (+ Activation) of one conv layer; returns the output layer. */
function convLayers(t: Topology, l: PrunableLayer, input: string): string {
  const c = l.conv;
  if (!c) throw new Error(`internal: '${l.name}' is not a conv`);
  const fused = l.bnName === null && l.activation === 'relu';
  const conv = t.layer(
    'Conv2D',
    l.name,
    {
      filters: l.neurons,
      kernel_initializer: GLOROT,
      kernel_regularizer: null,
      kernel_constraint: null,
      kernel_size: [c.kernelSize, c.kernelSize],
      strides: [c.stride, c.stride],
      padding: c.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: fused ? 'relu' : 'linear',
      use_bias: l.biasName !== null,
      bias_initializer: initializer('Zeros'),
      bias_regularizer: null,
      activity_regularizer: null,
      bias_constraint: null,
    },
    [input],
  );
  t.weight(conv, 'kernel', l.kernelName);
  if (l.biasName !== null) t.weight(conv, 'bias', l.biasName);
  let out = conv;
  if (l.bnName !== null) {
    const bn = l.bnName;
    out = t.layer(
      'BatchNormalization',
      bn,
      {
        axis: -1,
        momentum: 0.9, // Keras convention: r ← 0.9·r + 0.1·batch, as ours (bn.ts)
        epsilon: BN_EPSILON,
        center: true,
        scale: true,
        beta_initializer: initializer('Zeros'),
        gamma_initializer: initializer('Ones'),
        moving_mean_initializer: initializer('Zeros'),
        moving_variance_initializer: initializer('Ones'),
        beta_regularizer: null,
        gamma_regularizer: null,
        beta_constraint: null,
        gamma_constraint: null,
      },
      [out],
    );
    t.weight(out, 'gamma', `${bn}/gamma`);
    t.weight(out, 'beta', `${bn}/beta`);
    t.weight(out, 'moving_mean', `${bn}/movingMean`);
    t.weight(out, 'moving_variance', `${bn}/movingVariance`);
  }
  if (!fused && l.activation === 'relu')
    out = t.layer('Activation', `${l.name}/relu`, { activation: 'relu' }, [out]);
  return out;
}

/**
 * Serialize `model` with `masks` baked in as a tfjs Layers model: the model.json object and the
 * weights file's bytes (named `weightsPath` in the manifest). Reads the backend (async); creates
 * no tensors. Throws ModelInputError for masks that do not fit the model.
 */
export async function saveModelTfjsLayers(
  model: Model,
  masks?: Masks,
  weightsPath = 'weights.bin',
): Promise<{ modelJson: TfjsLayersModelJson; weightsBin: Uint8Array }> {
  const { plan, weights } = await bakedWeights(model, masks);
  const spec = model.spec;
  const t = new Topology(weights);
  const [h, w, c] = spec.inputShape;
  const input = t.layer(
    'InputLayer',
    TFJS_LAYERS_INPUT_NAME,
    { batch_input_shape: [null, h, w, c], dtype: 'float32', sparse: false },
    [],
  );
  // an InputLayer's config has no 'trainable'
  delete (t.layers[0].config as Json).trainable;
  let x = input;
  let flat = false;
  for (const s of plan.steps) {
    switch (s.op) {
      case 'conv2d':
        x = convLayers(t, s.layer, x);
        break;
      case 'dense': {
        const l = s.layer;
        x = t.layer(
          'Dense',
          l.name,
          {
            units: l.neurons,
            activation: l.activation === 'relu' ? 'relu' : 'linear',
            use_bias: true,
            kernel_initializer: GLOROT,
            bias_initializer: initializer('Zeros'),
            kernel_regularizer: null,
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
          [x],
        );
        t.weight(x, 'kernel', l.kernelName);
        t.weight(x, 'bias', l.biasName ?? '');
        break;
      }
      case 'maxPool':
        x = t.layer(
          'MaxPooling2D',
          s.name,
          {
            pool_size: [s.size, s.size],
            padding: 'valid',
            strides: [s.stride, s.stride],
            data_format: 'channels_last',
          },
          [x],
        );
        break;
      case 'flatten':
        if (flat) break; // already flat: a no-op, as in the engine
        x = t.layer('Flatten', s.name, {}, [x]);
        flat = true;
        break;
      case 'globalAvgPool':
        x = t.layer('GlobalAveragePooling2D', s.name, { data_format: 'channels_last' }, [x]);
        flat = true;
        break;
      case 'residual': {
        const a1 = convLayers(t, s.conv1, x);
        const a2 = convLayers(t, s.conv2, a1);
        const sc = s.shortcut ? convLayers(t, s.shortcut, x) : x;
        const sum = t.layer('Add', `${s.name}/add`, {}, [a2, sc]);
        x = t.layer('Activation', `${s.name}/relu`, { activation: 'relu' }, [sum]);
        break;
      }
    }
  }

  const total = t.weights.reduce((a, e) => a + e.data.byteLength, 0);
  const weightsBin = new Uint8Array(total);
  const view = new DataView(weightsBin.buffer);
  let at = 0;
  for (const { data } of t.weights) {
    if (LITTLE_ENDIAN)
      weightsBin.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
    at += data.byteLength;
  }
  const modelTopology: Json = {
    class_name: 'Model',
    config: {
      name: t.name(spec.name),
      layers: t.layers,
      input_layers: [[input, 0, 0]],
      output_layers: [[x, 0, 0]],
    },
    keras_version: TFJS_LAYERS_KERAS_VERSION,
    backend: 'tensor_flow.js',
  };
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'AdvPrune Lab',
      convertedBy: null,
      modelTopology,
      weightsManifest: [{ paths: [weightsPath], weights: t.weights.map((e) => e.entry) }],
      userDefinedMetadata: {
        advprune: {
          formatVersion: FORMAT_VERSION,
          spec,
          bnEpsilon: BN_EPSILON,
          input: { name: input, layout: 'NHWC', shape: [null, h, w, c], range: [0, 1] },
          masks: masks && masks.size > 0 ? 'baked into the weights' : 'none',
        },
      },
    },
    weightsBin,
  };
}
