// The dashboard's backend policy: a software (fallback) WebGPU adapter loses to WASM by default,
// and says so; a forced backend is never second-guessed.
import { describe, expect, it } from 'vitest';
import { FALLBACK_ADAPTER_NOTE, initBackendWithPolicy } from '@/engine/backend/adapter';

describe('initBackendWithPolicy', () => {
  it('prefers WASM over a fallback WebGPU adapter and explains why', async () => {
    const c = await initBackendWithPolicy({
      platform: 'browser',
      probeAdapter: async () => ({ isFallbackAdapter: true }),
    });
    expect(c.name).toBe('wasm');
    expect(c.reason).toContain('isFallbackAdapter');
    expect(c.notUsed.webgpu).toBe(FALLBACK_ADAPTER_NOTE);
  });

  it('does not probe or override when a backend is forced, nor for a hardware adapter', async () => {
    let probes = 0;
    const probeAdapter = async () => {
      probes++;
      return { isFallbackAdapter: false };
    };
    const forced = await initBackendWithPolicy({
      platform: 'browser',
      prefer: 'webgpu',
      probeAdapter,
    });
    expect(probes).toBe(0);
    // no WebGPU loader in Node: the forced backend fails and the reason says it was requested
    expect(forced.reason).toMatch(/webgpu was requested/);
    const hw = await initBackendWithPolicy({ platform: 'browser', probeAdapter });
    expect(probes).toBe(1);
    expect(hw.notUsed.webgpu).not.toBe(FALLBACK_ADAPTER_NOTE);
    expect(hw.reason).toMatch(/first available/);
  });
});
