/**
 * Pipelined training on a real WebGPU backend (headless Debian Chromium, `--enable-unsafe-webgpu`:
 * a SwiftShader adapter where the machine has no GPU): the loop's default on WebGPU pipelines the
 * steps (src/engine/train/loop.ts), and must give the unpipelined run's losses and weights bit for
 * bit, read each step's summary only after the next step's gated commit was dispatched, and leak
 * no tensors (tests/e2e/pages/pipeline-page.ts runs both in the page); the same run on WebGL
 * (not pipelined there) agrees within float tolerance.
 */
import { describe, expect, it } from 'vitest';
import { useDevServer } from './browser';

const app = useDevServer();

interface Run {
  status: string;
  losses: number[];
  leaked: number;
  atRead: number[];
  selects: number;
}

describe('pipelined training on WebGPU (Chromium)', () => {
  it('pipelines by default and matches the unpipelined run bit for bit', async () => {
    const page = await app.browser.newPage();
    try {
      await page.goto(`${app.url}tests/e2e/pages/pipeline.html`);
      await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady, null, {
        timeout: 120_000,
      });
      const r = (await page.evaluate(() =>
        (globalThis as unknown as { runPipelineCheck(): Promise<unknown> }).runPipelineCheck(),
      )) as {
        webgl: { backend: string; status?: string; losses?: number[]; selects?: number };
        backend: string;
        error?: string;
        piped: Run;
        plain: Run;
        sameWeights: boolean;
        finite: boolean;
      };
      expect(r.error).toBeUndefined();
      expect(r.backend).toBe('webgpu');
      expect(r.piped.status).toBe('completed');
      expect(r.plain.status).toBe('completed');
      expect(r.piped.losses).toEqual(r.plain.losses);
      expect(r.piped.losses.every(Number.isFinite)).toBe(true);
      expect(r.sameWeights).toBe(true);
      expect(r.finite).toBe(true);
      // 96 samples / 16 = 6 steps; the default on WebGPU gated every commit, the other run none
      const steps = 6;
      expect(r.plain.selects).toBe(0);
      expect(r.piped.atRead).toHaveLength(steps);
      const per = r.piped.selects / steps;
      expect(per).toBeGreaterThan(0);
      // step k is read after step k+1's commit was dispatched (the last one after the run's end)
      expect(r.piped.atRead).toEqual([2, 3, 4, 5, 6, 6].map((k) => k * per));
      expect([r.piped.leaked, r.plain.leaked]).toEqual([0, 0]);
      // WebGL: the same training (fused kernels and their gradients there), not pipelined
      expect(r.webgl.backend).toBe('webgl');
      expect(r.webgl.status).toBe('completed');
      expect(r.webgl.selects).toBe(0);
      const gl = r.webgl.losses ?? [];
      expect(gl).toHaveLength(r.piped.losses.length);
      gl.forEach((l, i) => expect(Math.abs(l - r.piped.losses[i])).toBeLessThan(1e-3));
    } finally {
      await page.close();
    }
  }, 180_000);
});
