// python/advprune_torch.py, the one-line PyTorch loader: every architecture's safetensors export,
// dense, masked (unstructured and structured) and compacted (ResNet with its residual-stream
// masks), loads as an nn.Module in Debian's PyTorch (/usr/bin/python3 with python3-torch, which
// the test set-up installs) and gives the engine's logits within 1e-4 on real Fashion-MNIST test
// images, fed NCHW (the default) and NHWC.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelSafetensors } from '@/engine/model';
import {
  ARCHS,
  VARIANTS,
  engineLogits,
  fashionImages,
  makeCase,
  maxAbsDiff,
} from './export-fixtures';

const PYTHON = process.env.ADVPRUNE_TORCH_PYTHON ?? '/usr/bin/python3';
const LOADER_DIR = fileURLToPath(new URL('../../../python/', import.meta.url));
const N = 24;

// For each file: load it twice (NHWC and the default NCHW) and write both logits as float32;
// check that model.masks name real parameters whose pruned entries are 0.
const DRIVER = `
import sys, torch
sys.path.insert(0, sys.argv[1])
from advprune_torch import load
torch.set_num_threads(1)
images, n = sys.argv[2], int(sys.argv[3])
x = torch.frombuffer(bytearray(open(images, "rb").read()), dtype=torch.float32).reshape(n, 28, 28, 1)
for f in sys.argv[4:]:
    model = load(f, input_layout="NHWC")
    assert not model.training
    params = dict(model.named_parameters())
    for name, m in model.masks.items():  # pruned entries are 0 in the module's parameters
        assert params[name].shape == m.shape, (f, name)
        assert bool((params[name][m == 0] == 0).all()), (f, name)
    with torch.no_grad():
        a = model(x)
        b = load(f)(x.permute(0, 3, 1, 2).contiguous())
    open(f + ".nhwc", "wb").write(a.contiguous().numpy().tobytes())
    open(f + ".nchw", "wb").write(b.contiguous().numpy().tobytes())
print("ok", torch.__version__)
`;

let dir = '';
const want = new Map<string, Float32Array>();

async function floats(file: string): Promise<Float32Array> {
  const b = await readFile(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

beforeAll(async () => {
  if (!existsSync(PYTHON))
    throw new Error(
      `${PYTHON} is missing: install Debian's python3-torch (scripts/test-setup.mjs does)`,
    );
  dir = await mkdtemp(path.join(tmpdir(), 'advprune-torch-'));
  const { data } = await fashionImages(N);
  await writeFile(path.join(dir, 'images.f32'), data);
  const files: string[] = [];
  for (const arch of ARCHS)
    for (const variant of VARIANTS) {
      const c = await makeCase(arch, variant);
      try {
        const file = path.join(dir, `${arch}-${variant}.safetensors`);
        await writeFile(file, await saveModelSafetensors(c.model, c.masks));
        want.set(`${arch}-${variant}`, await engineLogits(c, data));
        files.push(file);
      } finally {
        c.dispose();
      }
    }
  const { stdout } = await promisify(execFile)(
    PYTHON,
    ['-c', DRIVER, LOADER_DIR, path.join(dir, 'images.f32'), String(N), ...files],
    { timeout: 300_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } },
  );
  expect(stdout).toMatch(/^ok /);
}, 600_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('python/advprune_torch.py', () => {
  for (const arch of ARCHS)
    for (const variant of VARIANTS)
      it(`${arch} ${variant}: load(file) gives the engine's logits within 1e-4`, async () => {
        const key = `${arch}-${variant}`;
        const file = path.join(dir, `${key}.safetensors`);
        const ref = want.get(key) as Float32Array;
        expect(maxAbsDiff(await floats(`${file}.nhwc`), ref)).toBeLessThan(1e-4);
        expect(maxAbsDiff(await floats(`${file}.nchw`), ref)).toBeLessThan(1e-4);
      });
});
