/**
 * Conv-net training speed on the tfjs WASM backend in Node: `npx tsx bench/conv-grad.ts`.
 *
 * Prints (never asserts) milliseconds for
 *  1. Conv2DBackpropFilter on LeNet / VGG-small layer shapes, three ways: our kernel (a stride-1
 *     XNNPACK Conv2D with batch and channels swapped), the Conv3DBackpropFilterV2 route, and
 *     im2col (strided slices + concat + matmul), with each alternative's error against ours
 *     (ours is tested against the CPU backend in tests/engine/backend/);
 *  2. Conv2DBackpropInput: the WASM original vs our full-convolution replacement;
 *  3. one FGSM-training step (input gradient, x' = clip(x + ε·sign(g)), parameter gradients at x',
 *     SGD update) of the LeNet of src/engine/model/spec.ts at batch 64, 28×28×1, with the
 *     Conv3D route, our default kernels, and with `replaceSlow`.
 */
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, registerWasmTrainingKernels } from '../src/engine/backend';
import { composed } from '../src/engine/backend/kernels/compose';
import { convGeometry, padForWindows } from '../src/engine/backend/kernels/conv-geometry';

type Attrs = {
  strides: number;
  pad: 'same' | 'valid';
  filterShape: [number, number, number, number];
};

/** The "known approach": Conv3DBackpropFilterV2 on [B, 1, H, W, C] views (wrong for stride > 1). */
const viaConv3d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  return composed(backend, (s) => {
    const ci = convGeometry('bench', x.shape, a.filterShape, a.strides, a.pad, undefined);
    const xp = padForWindows(s, x, ci);
    const x5 = s.run('Reshape', { x: xp }, { shape: [xp.shape[0], 1, ...xp.shape.slice(1)] });
    const d5 = s.run('Reshape', { x: dy }, { shape: [dy.shape[0], 1, ...dy.shape.slice(1)] });
    const [kh, kw, cin, cout] = a.filterShape;
    const strides = [1, ci.strideHeight, ci.strideWidth];
    const w5 = s.run(
      'Conv3DBackpropFilterV2',
      { x: x5, dy: d5 },
      { strides, pad: 'valid', filterShape: [1, kh, kw, cin, cout] },
    );
    return s.run('Reshape', { x: w5 }, { shape: a.filterShape });
  });
};

/** im2col: kh·kw strided slices concatenated to [N, kh·kw·Cin], then patchesᵀ · dy. */
const viaIm2col: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  return composed(backend, (s) => {
    const ci = convGeometry('bench', x.shape, a.filterShape, a.strides, a.pad, undefined);
    const xp = padForWindows(s, x, ci);
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = ci;
    const parts: TensorInfo[] = [];
    for (let i = 0; i < ci.filterHeight; i++)
      for (let j = 0; j < ci.filterWidth; j++) {
        const end = [xp.shape[0], i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, xp.shape[3]];
        parts.push(
          s.run(
            'StridedSlice',
            { x: xp },
            {
              begin: [0, i, j, 0],
              end,
              strides: [1, sh, sw, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        );
      }
    const patches =
      parts.length === 1
        ? parts[0]
        : s.run('Concat', parts as unknown as tf.NamedTensorInfoMap, { axis: 3 });
    const n = ci.batchSize * oh * ow;
    const p2 = s.run(
      'Reshape',
      { x: patches },
      { shape: [n, ci.filterHeight * ci.filterWidth * ci.inChannels] },
    );
    const pt = s.run('Transpose', { x: p2 }, { perm: [1, 0] });
    const d2 = s.run('Reshape', { x: dy }, { shape: [n, ci.outChannels] });
    const mm = s.run('BatchMatMul', { a: pt, b: d2 }, { transposeA: false, transposeB: false });
    return s.run('Reshape', { x: mm }, { shape: a.filterShape });
  });
};

const LAYERS: {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number;
  pad: 'same' | 'valid';
}[] = [
  { name: 'lenet conv1 5x5 1→6 same', x: [64, 28, 28, 1], f: [5, 5, 1, 6], s: 1, pad: 'same' },
  { name: 'lenet conv2 5x5 6→16 valid', x: [64, 14, 14, 6], f: [5, 5, 6, 16], s: 1, pad: 'valid' },
  { name: 'vgg conv2 3x3 32→32 same', x: [64, 28, 28, 32], f: [3, 3, 32, 32], s: 1, pad: 'same' },
  { name: 'resnet 3x3 32→64 stride 2', x: [64, 14, 14, 32], f: [3, 3, 32, 64], s: 2, pad: 'same' },
];

async function time(f: () => tf.Tensor | void, reps: number): Promise<number> {
  const once = async () => {
    const r = f();
    if (r) {
      await r.data();
      r.dispose();
    }
  };
  await once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await once();
  return (performance.now() - t0) / reps;
}

async function relErr(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [av, bv] = [await a.data(), await b.data()];
  let e = 0;
  let m = 0;
  for (let i = 0; i < bv.length; i++)
    [e, m] = [Math.max(e, Math.abs(av[i] - bv[i])), Math.max(m, Math.abs(bv[i]))];
  return e / m;
}

function useFilterKernel(kernelFunc: KernelFunc): void {
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc });
}

async function layerBench(): Promise<void> {
  const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
  console.log('\nConv2DBackpropFilter, ms per call (error of the alternative vs ours)');
  for (const l of LAYERS) {
    const ci = tf.backend_util.computeConv2DInfo(l.x, l.f, l.s, 1, l.pad);
    const x = tf.randomNormal(l.x, 0, 1, 'float32', 1);
    const dy = tf.randomNormal(ci.outShape, 0, 1, 'float32', 2);
    const run = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: l.s, pad: l.pad, dataFormat: 'NHWC', filterShape: l.f },
        ) as tf.Tensor;
    const cells: string[] = [];
    const ref = run();
    for (const [label, k, reps] of [
      ['ours', ours, 10],
      ['conv3d', viaConv3d, 3],
      ['im2col', viaIm2col, 3],
    ] as const) {
      useFilterKernel(k);
      const alt = run();
      const err = label === 'ours' ? '' : ` (err ${(await relErr(alt, ref)).toExponential(1)})`;
      cells.push(`${label} ${(await time(run, reps)).toFixed(1)}${err}`);
      alt.dispose();
    }
    useFilterKernel(ours);
    console.log(`  ${l.name.padEnd(28)} ${cells.join(' | ')}`);
    tf.dispose([x, dy, ref]);
  }
}

async function inputBench(label: string): Promise<void> {
  const cells: string[] = [];
  for (const l of LAYERS) {
    const ci = tf.backend_util.computeConv2DInfo(l.x, l.f, l.s, 1, l.pad);
    const dy = tf.randomNormal(ci.outShape, 0, 1, 'float32', 3);
    const f = tf.randomNormal(l.f, 0, 1, 'float32', 4);
    const attrs = { strides: l.s, pad: l.pad, dataFormat: 'NHWC', inputShape: l.x };
    cells.push(
      (
        await time(
          () =>
            tf
              .engine()
              .runKernel('Conv2DBackpropInput', { dy, filter: f }, attrs as never) as tf.Tensor,
          5,
        )
      ).toFixed(1),
    );
    tf.dispose([dy, f]);
  }
  console.log(`  ${label.padEnd(28)} ${cells.join(' | ')}   (layers as above)`);
}

/** LeNet (conv5x5(6) same, pool, conv5x5(16) valid, pool, fc120, fc84, fc10) FGSM-training step. */
function makeFgsmStep(): { step: () => void; dispose: () => void } {
  const shapes: Record<string, number[]> = {
    c1: [5, 5, 1, 6],
    b1: [6],
    c2: [5, 5, 6, 16],
    b2: [16],
    f1: [400, 120],
    g1: [120],
    f2: [120, 84],
    g2: [84],
    f3: [84, 10],
    g3: [10],
  };
  const p: Record<string, tf.Variable> = {};
  for (const [i, [k, s]] of Object.entries(shapes).entries()) {
    p[k] = tf.variable(
      tf.tidy(() =>
        tf.mul(
          tf.randomNormal(s, 0, 1, 'float32', 10 + i),
          s.length > 1 ? Math.sqrt(2 / s.slice(0, -1).reduce((a, b) => a * b)) : 0,
        ),
      ),
    );
  }
  const logits = (x: tf.Tensor4D) => {
    let h = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(x, p.c1 as tf.Tensor4D, 1, 'same'), p.b1)) as tf.Tensor4D,
      2,
      2,
      'valid',
    ); // [B, 14, 14, 6]
    h = tf.maxPool(
      tf.relu(tf.add(tf.conv2d(h, p.c2 as tf.Tensor4D, 1, 'valid'), p.b2)) as tf.Tensor4D,
      2,
      2,
      'valid',
    ); // [B, 5, 5, 16]
    let f = tf.relu(tf.add(tf.matMul(tf.reshape(h, [h.shape[0], 400]), p.f1), p.g1)); // [B, 120]
    f = tf.relu(tf.add(tf.matMul(f, p.f2), p.g2)); // [B, 84]
    return tf.add(tf.matMul(f, p.f3), p.g3); // [B, 10]
  };
  const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 64 }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  );
  const loss = (xx: tf.Tensor4D) => tf.losses.softmaxCrossEntropy(y, logits(xx)) as tf.Scalar;
  const step = () =>
    tf.tidy(() => {
      const g = tf.grad((xx: tf.Tensor) => loss(xx as tf.Tensor4D))(x); // [B, 28, 28, 1]
      const adv = tf.clipByValue(tf.add(x, tf.mul(0.1, tf.sign(g))), 0, 1) as tf.Tensor4D;
      const { grads } = tf.variableGrads(() => loss(adv));
      for (const v of Object.values(p)) v.assign(tf.sub(v, tf.mul(0.01, grads[v.name])));
    });
  return { step, dispose: () => tf.dispose([x, y, ...Object.values(p)]) };
}

async function stepBench(label: string, reps = 10): Promise<number> {
  const { step, dispose } = makeFgsmStep();
  const ms = await time(step, 2);
  const t = await time(step, reps);
  dispose();
  console.log(`  ${label.padEnd(40)} ${t.toFixed(1)} ms/step (first ${ms.toFixed(0)})`);
  return t;
}

async function main(): Promise<void> {
  const choice = await initBackend({ prefer: 'wasm' });
  const d = await describeBackend();
  console.log(
    `tfjs ${tf.version_core} on ${choice.name}: SIMD ${d.wasm?.simd}, threads ${d.wasm?.threads}; Node ${process.version}, ${os.cpus().length} CPUs`,
  );
  await layerBench();
  console.log('\nConv2DBackpropInput, ms per call');
  await inputBench('wasm original');
  console.log('\nFGSM-training step, LeNet, batch 64, 28x28x1');
  const ours = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
  useFilterKernel(viaConv3d);
  await stepBench('Conv3D-route filter grad');
  useFilterKernel(ours);
  const base = await stepBench('our kernels (default)');
  registerWasmTrainingKernels({ replaceSlow: true });
  const fast = await stepBench('our kernels + replaceSlow');
  console.log(`  speed-up of replaceSlow: ${(base / fast).toFixed(2)}x`);
  console.log('\nConv2DBackpropInput, ms per call');
  await inputBench('full-convolution replacement');
}

await main();
