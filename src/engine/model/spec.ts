/**
 * Architectures as data. A ModelSpec is plain JSON: it travels across the worker boundary, sits
 * in a safetensors file's `__metadata__`, and is validated in experiment configs.
 *
 * Tensor layout everywhere: images NHWC `[B, H, W, C]` with pixels in [0, 1]; conv kernels HWIO
 * `[kH, kW, Cin, Cout]`; dense kernels `[in, out]`; logits `[B, numClasses]`.
 *
 * A *prunable layer* is a conv2d or dense layer (also the two convs inside a residual block). Its
 * *neurons* are its output channels (conv) or units (dense): the unit of structured pruning and of
 * the anomaly score. Its tapped activation is its output after batch norm and activation.
 */
import type { ArchitectureName } from './catalog';

export type Activation = 'relu' | 'none';

export interface Conv2DLayer {
  kind: 'conv2d';
  name: string;
  filters: number;
  kernelSize: number;
  /** default 1 */
  stride?: number;
  /** default 'same' */
  padding?: 'same' | 'valid';
  /** batch norm between the convolution and the activation (no conv bias then); default false */
  batchNorm?: boolean;
  /** default 'relu' */
  activation?: Activation;
}

export interface DenseLayer {
  kind: 'dense';
  name: string;
  units: number;
  /** default 'relu'; the classifier head uses 'none' */
  activation?: Activation;
}

export interface MaxPoolLayer {
  kind: 'maxPool';
  name: string;
  size: number;
  /** default = size */
  stride?: number;
}

export interface GlobalAvgPoolLayer {
  kind: 'globalAvgPool';
  name: string;
}

export interface FlattenLayer {
  kind: 'flatten';
  name: string;
}

/**
 * ResNet basic block (He et al. 2016): conv3x3(stride)-BN-ReLU-conv3x3-BN, plus a shortcut
 * (identity, or conv1x1(stride)-BN when the shape changes), then ReLU. Its convs are named
 * `${name}/conv1`, `${name}/conv2` and `${name}/shortcut`.
 */
export interface ResidualBlockLayer {
  kind: 'residual';
  name: string;
  /** channels of the block's output (conv2, shortcut, the residual stream) */
  filters: number;
  /** channels of conv1 inside the block (default = filters); structured compaction shrinks it */
  midFilters?: number;
  /** default 1 */
  stride?: number;
}

export type LayerSpec =
  Conv2DLayer | DenseLayer | MaxPoolLayer | GlobalAvgPoolLayer | FlattenLayer | ResidualBlockLayer;

export interface ModelSpec {
  /** architecture name, e.g. 'mlp', 'lenet', 'vgg-small', 'resnet-small' */
  name: string;
  /** [H, W, C] */
  inputShape: [number, number, number];
  numClasses: number;
  layers: LayerSpec[];
}

/** MLP 784-300-100-10 (LeCun et al. 1998's 300-100 net; the usual pruning benchmark MLP). */
export function mlpSpec(
  inputShape: [number, number, number] = [28, 28, 1],
  numClasses = 10,
): ModelSpec {
  return {
    name: 'mlp',
    inputShape,
    numClasses,
    layers: [
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'fc1', units: 300 },
      { kind: 'dense', name: 'fc2', units: 100 },
      { kind: 'dense', name: 'fc3', units: numClasses, activation: 'none' },
    ],
  };
}

/** LeNet-style small CNN: conv5x5(6)-pool-conv5x5(16)-pool-fc120-fc84-fc10 (LeCun et al. 1998). */
export function lenetSpec(
  inputShape: [number, number, number] = [28, 28, 1],
  numClasses = 10,
): ModelSpec {
  return {
    name: 'lenet',
    inputShape,
    numClasses,
    layers: [
      { kind: 'conv2d', name: 'conv1', filters: 6, kernelSize: 5, padding: 'same' },
      { kind: 'maxPool', name: 'pool1', size: 2 },
      { kind: 'conv2d', name: 'conv2', filters: 16, kernelSize: 5, padding: 'valid' },
      { kind: 'maxPool', name: 'pool2', size: 2 },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'fc1', units: 120 },
      { kind: 'dense', name: 'fc2', units: 84 },
      { kind: 'dense', name: 'fc3', units: numClasses, activation: 'none' },
    ],
  };
}

/** Small VGG-style CNN (Simonyan and Zisserman 2015, shrunk): 2×[conv3x3-conv3x3-pool], fc. */
export function vggSmallSpec(
  inputShape: [number, number, number] = [28, 28, 1],
  numClasses = 10,
): ModelSpec {
  return {
    name: 'vgg-small',
    inputShape,
    numClasses,
    layers: [
      { kind: 'conv2d', name: 'conv1', filters: 32, kernelSize: 3 },
      { kind: 'conv2d', name: 'conv2', filters: 32, kernelSize: 3 },
      { kind: 'maxPool', name: 'pool1', size: 2 },
      { kind: 'conv2d', name: 'conv3', filters: 64, kernelSize: 3 },
      { kind: 'conv2d', name: 'conv4', filters: 64, kernelSize: 3 },
      { kind: 'maxPool', name: 'pool2', size: 2 },
      { kind: 'flatten', name: 'flatten' },
      { kind: 'dense', name: 'fc1', units: 128 },
      { kind: 'dense', name: 'fc2', units: numClasses, activation: 'none' },
    ],
  };
}

/** Small ResNet with batch norm for CIFAR-sized inputs (He et al. 2016, ResNet-8 shape). */
export function resnetSmallSpec(
  inputShape: [number, number, number] = [32, 32, 3],
  numClasses = 10,
): ModelSpec {
  return {
    name: 'resnet-small',
    inputShape,
    numClasses,
    layers: [
      { kind: 'conv2d', name: 'stem', filters: 16, kernelSize: 3, batchNorm: true },
      { kind: 'residual', name: 'block1', filters: 16 },
      { kind: 'residual', name: 'block2', filters: 32, stride: 2 },
      { kind: 'residual', name: 'block3', filters: 64, stride: 2 },
      { kind: 'globalAvgPool', name: 'gap' },
      { kind: 'dense', name: 'fc', units: numClasses, activation: 'none' },
    ],
  };
}

/**
 * The builder of every architecture of the catalog (catalog.ts: names, labels, papers), each
 * `(inputShape?, numClasses?) => ModelSpec`.
 */
export const ARCHITECTURES: {
  readonly [N in ArchitectureName]: (
    inputShape?: [number, number, number],
    numClasses?: number,
  ) => ModelSpec;
} = {
  mlp: mlpSpec,
  lenet: lenetSpec,
  'vgg-small': vggSmallSpec,
  'resnet-small': resnetSmallSpec,
};

export type { ArchitectureName };
