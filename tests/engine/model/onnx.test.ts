// ONNX export: every architecture, dense, masked (unstructured and structured) and compacted,
// runs in ONNX Runtime (onnxruntime-node, CPU) to the engine's logits within 1e-4 on real
// Fashion-MNIST test images; pruned weights (and a removed unit's bias, gamma and beta) are exactly
// 0 in the file; the input contract is in metadata_props; opset 13; no tensor leaks.
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planModel } from '@/engine/model';
import { ONNX_OPSET, saveModelOnnx } from '@/engine/model/serialize/onnx';
import { expectNoLeak } from './helpers';
import {
  ARCHS,
  VARIANTS,
  engineLogits,
  fashionImages,
  makeCase,
  maxAbsDiff,
} from './export-fixtures';
import type { Case } from './export-fixtures';

const { onnx } = onnxProto;
const N = 24;
let images: Float32Array;

beforeAll(async () => {
  images = (await fashionImages(N)).data;
});

function floats(t: onnxProto.onnx.ITensorProto): Float32Array {
  const raw = t.rawData as Uint8Array;
  const copy = raw.slice();
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** Every masked-out entry is exactly 0 in the file (kernels OIHW for convs, [in, out] for dense). */
function expectPrunedZero(c: Case, model: onnxProto.onnx.ModelProto): void {
  const inits = new Map((model.graph?.initializer ?? []).map((t) => [t.name as string, t]));
  let checked = 0;
  for (const l of planModel(c.model.spec).prunable) {
    const m = c.plain.get(l.kernelName);
    if (!m) continue;
    const k = inits.get(l.kernelName);
    expect(k, l.kernelName).toBeDefined();
    const w = floats(k as onnxProto.onnx.ITensorProto);
    const structured = m.shape.length === 1;
    const shape = l.kernelShape; // HWIO or [in, out]
    const out = shape[shape.length - 1];
    for (let i = 0; i < w.length; i++) {
      // position i of the file's kernel → index into the engine's kernel layout
      let o: number;
      let src: number;
      if (shape.length === 4) {
        const [kh, kw, ci] = shape;
        const x = i % kw;
        const h = Math.floor(i / kw) % kh;
        const cin = Math.floor(i / (kw * kh)) % ci;
        o = Math.floor(i / (kw * kh * ci));
        src = ((h * kw + x) * ci + cin) * out + o;
      } else {
        o = i % out;
        src = i;
      }
      if ((structured ? m.data[o] : m.data[src]) === 0) {
        expect(Object.is(w[i], 0), `${l.kernelName}[${i}]`).toBe(true);
        checked++;
      }
    }
    if (structured) {
      const names = l.bnName ? [`${l.bnName}/gamma`, `${l.bnName}/beta`] : [l.biasName ?? ''];
      for (const n of names) {
        const v = floats(inits.get(n) as onnxProto.onnx.ITensorProto);
        m.data.forEach((keep, u) => {
          if (keep === 0) expect(Object.is(v[u], 0), `${n}[${u}]`).toBe(true);
        });
      }
    }
  }
  if (c.variant === 'masked' || c.variant === 'structured') expect(checked).toBeGreaterThan(0);
}

describe('ONNX export', () => {
  for (const arch of ARCHS) {
    for (const variant of VARIANTS) {
      it(`${arch} ${variant}: ONNX Runtime's logits match the engine's within 1e-4`, async () => {
        const c = await makeCase(arch, variant);
        try {
          const bytes = await saveModelOnnx(c.model, c.masks);
          const decoded = onnx.ModelProto.decode(bytes);
          // int64 fields decode as Long objects: Number() them
          expect(decoded.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
            ['', ONNX_OPSET],
          ]);
          expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
          const meta = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
          expect(meta.input_name).toBe('input');
          expect(meta.input_layout).toBe('NHWC');
          expect(meta.input_range).toBe('[0, 1]');
          expect(JSON.parse(meta.spec)).toEqual(c.model.spec);
          expectPrunedZero(c, decoded);

          const session = await ort.InferenceSession.create(bytes);
          try {
            expect(session.inputNames).toEqual(['input']);
            expect(session.outputNames).toEqual(['logits']);
            const x = new ort.Tensor('float32', images, [N, 28, 28, 1]);
            const { logits } = await session.run({ input: x });
            expect(logits.dims).toEqual([N, 10]);
            const want = await engineLogits(c, images);
            expect(maxAbsDiff(logits.data as Float32Array, want)).toBeLessThan(1e-4);
          } finally {
            await session.release();
          }
        } finally {
          c.dispose();
        }
      });
    }
  }

  it('creates no tensors (repeated calls)', async () => {
    const c = await makeCase('resnet-small', 'structured');
    try {
      await expectNoLeak(() => saveModelOnnx(c.model, c.masks));
    } finally {
      c.dispose();
    }
  });

  afterAll(() => undefined);
});
