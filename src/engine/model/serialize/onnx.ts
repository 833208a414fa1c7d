/**
 * ONNX export: the model (masks baked into its weights) as an ONNX ModelProto that ONNX Runtime,
 * TensorRT, OpenVINO, ... run as it is. The protobuf messages come from the `onnx-proto` package
 * (https://github.com/chaosmail/onnx-proto: onnx.proto compiled by protobufjs's static code
 * generator), not from a hand-written encoder. Operators follow the ONNX operator spec at opset 13
 * (https://github.com/onnx/onnx/blob/main/docs/Operators.md); IR version 8.
 *
 * Graph (docs/format.md has the table):
 * - input `input`: float32 `[batch, H, W, C]` (NHWC, as the engine), pixels in [0, 1], no
 *   normalization; output `logits`: float32 `[batch, numClasses]` (before softmax).
 * - one Transpose to NCHW before the first image op; conv kernels are stored OIHW (ONNX's Conv
 *   layout); a Transpose back to NHWC before a Flatten, so the dense kernels keep our `[in, out]`
 *   rows in NHWC order (Gemm with transB = 0).
 * - conv 'same' padding is written as explicit pads in TensorFlow's rule: total =
 *   max((⌈in/s⌉ − 1)·s + k − in, 0), the smaller half before (a 3×3 stride-2 conv on an even input
 *   pads 0 before, 1 after). Max pooling is 'valid' (no pads).
 * - batch norm is BatchNormalization in inference mode (running statistics, ε from bn.ts).
 * - a residual block is Conv-BN-Relu, Conv-BN, the shortcut (identity or Conv-BN), Add, Relu.
 * Initializers keep our parameter names (`conv1/kernel` ...). Masks are multiplied in
 * (common.ts bakedWeights): a pruned weight, and for a structured mask its bias, gamma and beta,
 * is stored as exactly 0. The spec and the input contract are in the model's metadata_props.
 */
import onnxProto from 'onnx-proto';
import { BN_EPSILON } from '../bn';
import type { WeightData } from '../init';
import type { PrunableLayer } from '../plan';
import type { Masks, Model } from '../types';
import { FORMAT_NAME, FORMAT_VERSION, bakedWeights } from './common';

const { onnx } = onnxProto;

/** The ONNX opset the graph is written for (every operator used is unchanged up to opset 21). */
export const ONNX_OPSET = 13;
/** ONNX IR version (onnx 1.10+). */
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT_NAME = 'input';
export const ONNX_OUTPUT_NAME = 'logits';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An attribute value: `{ i }` INT, `{ f }` FLOAT, `{ ints }` INTS. */
type Attr = { i: number } | { f: number } | { ints: number[] };
const { AttributeType } = onnx.AttributeProto;

/** Little-endian bytes of float32 data (ONNX raw_data is always little-endian). */
function rawBytes(d: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN)
    return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  const out = new Uint8Array(d.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) view.setFloat32(4 * i, d[i], true);
  return out;
}

/** HWIO `[kH, kW, Cin, Cout]` → OIHW `[Cout, Cin, kH, kW]`. */
function hwioToOihw(w: WeightData): WeightData {
  const [kh, kw, ci, co] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let h = 0; h < kh; h++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++)
          out[((o * ci + i) * kh + h) * kw + x] = w.data[((h * kw + x) * ci + i) * co + o];
  return { shape: [co, ci, kh, kw], data: out };
}

/** TensorFlow's 'same' padding along one axis: [before, after]. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

class Graph {
  nodes: onnxProto.onnx.INodeProto[] = [];
  initializers: onnxProto.onnx.ITensorProto[] = [];
  private used = new Set<string>();

  constructor(private readonly weights: Map<string, WeightData>) {}

  /** A unique value name. */
  name(base: string): string {
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }

  node(op: string, inputs: string[], out: string, attrs: Record<string, Attr> = {}): string {
    const output = out === ONNX_OUTPUT_NAME ? out : this.name(out);
    const attribute = Object.entries(attrs).map(([name, v]) => ({
      name,
      ...v,
      type: 'ints' in v ? AttributeType.INTS : 'i' in v ? AttributeType.INT : AttributeType.FLOAT,
    }));
    this.nodes.push({ opType: op, name: output, input: inputs, output: [output], attribute });
    return output;
  }

  /** Add parameter `param` (optionally transformed) as an initializer; returns its name. */
  init(param: string, transform?: (w: WeightData) => WeightData): string {
    const w0 = this.weights.get(param);
    if (!w0) throw new Error(`internal: no weight '${param}'`);
    const w = transform ? transform(w0) : w0;
    const name = this.name(param);
    this.initializers.push({ name, dims: w.shape, dataType: FLOAT, rawData: rawBytes(w.data) });
    return name;
  }
}

type Layout = 'nhwc' | 'nchw' | 'flat';

/** Conv (+ BN) (+ Relu) of one prunable conv layer on an NCHW value. */
function convNodes(g: Graph, l: PrunableLayer, x: string): string {
  const c = l.conv;
  if (!c) throw new Error(`internal: '${l.name}' is not a conv`);
  const [h, w] = l.inShape;
  const [pt, pb] = c.padding === 'same' ? samePads(h, c.kernelSize, c.stride) : [0, 0];
  const [pl, pr] = c.padding === 'same' ? samePads(w, c.kernelSize, c.stride) : [0, 0];
  const inputs = [x, g.init(l.kernelName, hwioToOihw)];
  if (l.biasName !== null) inputs.push(g.init(l.biasName));
  let y = g.node('Conv', inputs, `${l.name}/conv`, {
    kernel_shape: { ints: [c.kernelSize, c.kernelSize] },
    strides: { ints: [c.stride, c.stride] },
    pads: { ints: [pt, pl, pb, pr] },
    dilations: { ints: [1, 1] },
    group: { i: 1 },
  });
  if (l.bnName !== null) {
    const bn = l.bnName;
    y = g.node(
      'BatchNormalization',
      [
        y,
        g.init(`${bn}/gamma`),
        g.init(`${bn}/beta`),
        g.init(`${bn}/movingMean`),
        g.init(`${bn}/movingVariance`),
      ],
      `${l.name}/bn`,
      { epsilon: { f: BN_EPSILON } },
    );
  }
  if (l.activation === 'relu') y = g.node('Relu', [y], `${l.name}/relu`);
  return y;
}

/**
 * Serialize `model` with `masks` baked in as ONNX bytes (a ModelProto). Reads the backend
 * (async); creates no tensors. Throws ModelInputError for masks that do not fit the model.
 */
export async function saveModelOnnx(model: Model, masks?: Masks): Promise<Uint8Array> {
  const { plan, weights } = await bakedWeights(model, masks);
  const spec = model.spec;
  const g = new Graph(weights);
  g.name(ONNX_INPUT_NAME);
  g.name(ONNX_OUTPUT_NAME);
  let x = ONNX_INPUT_NAME;
  let layout: Layout = 'nhwc';
  const nchw = (): void => {
    if (layout === 'nhwc')
      x = g.node('Transpose', [x], 'to_nchw', { perm: { ints: [0, 3, 1, 2] } });
    layout = 'nchw';
  };
  const last = plan.steps.length - 1;
  plan.steps.forEach((s, i) => {
    switch (s.op) {
      case 'conv2d':
        nchw();
        x = convNodes(g, s.layer, x);
        break;
      case 'dense': {
        const l = s.layer;
        const inputs = [x, g.init(l.kernelName), g.init(l.biasName ?? '')];
        const gemmOut = i === last && l.activation !== 'relu' ? ONNX_OUTPUT_NAME : `${l.name}/gemm`;
        x = g.node('Gemm', inputs, gemmOut, {
          alpha: { f: 1 },
          beta: { f: 1 },
          transA: { i: 0 },
          transB: { i: 0 },
        });
        if (l.activation === 'relu')
          x = g.node('Relu', [x], i === last ? ONNX_OUTPUT_NAME : `${l.name}/relu`);
        break;
      }
      case 'maxPool':
        nchw();
        x = g.node('MaxPool', [x], s.name, {
          kernel_shape: { ints: [s.size, s.size] },
          strides: { ints: [s.stride, s.stride] },
          pads: { ints: [0, 0, 0, 0] },
        });
        break;
      case 'flatten':
        if (layout === 'flat') break; // already flat: a no-op, as in the engine
        if (layout === 'nchw')
          x = g.node('Transpose', [x], 'to_nhwc', { perm: { ints: [0, 2, 3, 1] } });
        x = g.node('Flatten', [x], s.name, { axis: { i: 1 } }); // [batch, H·W·C] in NHWC order
        layout = 'flat';
        break;
      case 'globalAvgPool':
        nchw();
        x = g.node('GlobalAveragePool', [x], `${s.name}/pool`); // [batch, C, 1, 1]
        x = g.node('Flatten', [x], s.name, { axis: { i: 1 } }); // [batch, C]
        layout = 'flat';
        break;
      case 'residual': {
        nchw();
        const a1 = convNodes(g, s.conv1, x);
        const a2 = convNodes(g, s.conv2, a1);
        const sc = s.shortcut ? convNodes(g, s.shortcut, x) : x;
        x = g.node('Relu', [g.node('Add', [a2, sc], `${s.name}/add`)], `${s.name}/relu`);
        break;
      }
    }
  });
  if (x !== ONNX_OUTPUT_NAME) throw new Error('internal: the graph does not end in the logits');

  const [h, w, c] = spec.inputShape;
  const dims = (d: (number | string)[]): onnxProto.onnx.TensorShapeProto.IDimension[] =>
    d.map((v) => (typeof v === 'string' ? { dimParam: v } : { dimValue: v }));
  const valueInfo = (name: string, d: (number | string)[]): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims(d) } } },
  });
  const inputDoc = `float32 [batch, ${h}, ${w}, ${c}] (NHWC), pixels in [0, 1] (no normalization)`;
  const metadata: Record<string, string> = {
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    spec: JSON.stringify(spec),
    input_name: ONNX_INPUT_NAME,
    input_layout: 'NHWC',
    input_shape: JSON.stringify(['batch', h, w, c]),
    input_range: '[0, 1]',
    output_name: ONNX_OUTPUT_NAME,
    output: `float32 [batch, ${spec.numClasses}] logits (before softmax)`,
    masks: masks && masks.size > 0 ? 'baked into the weights (pruned weights are 0)' : 'none',
    bn_epsilon: String(BN_EPSILON),
  };
  const message = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'AdvPrune Lab',
    producerVersion: FORMAT_VERSION,
    modelVersion: 1,
    docString: `${spec.name}: input '${ONNX_INPUT_NAME}' ${inputDoc}; output '${ONNX_OUTPUT_NAME}' [batch, ${spec.numClasses}]`,
    graph: {
      name: spec.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT_NAME, ['batch', h, w, c])],
      output: [valueInfo(ONNX_OUTPUT_NAME, ['batch', spec.numClasses])],
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  const bytes = onnx.ModelProto.encode(message).finish();
  // a Node Buffer from protobufjs's BufferWriter, or a Uint8Array in browsers: a plain copy
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
