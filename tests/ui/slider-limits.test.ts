// The slider's cap and fine-tuned floor, one function for the engine and the UI.
import { describe, expect, it } from 'vitest';
import { sliderPosition } from '@/workers/protocol';

describe('sliderPosition', () => {
  it('caps the request at the ranking’s maximum and says so', () => {
    expect(sliderPosition(0.95, { maxSparsity: 0.9, fineTunedSparsity: null })).toEqual({
      sparsity: 0.9,
      masked: 0.9,
      capped: true,
      floored: false,
    });
    // percent ↔ fraction round-off is not a cap
    expect(sliderPosition(0.9 + 1e-12, { maxSparsity: 0.9, fineTunedSparsity: null }).capped).toBe(
      false,
    );
  });

  it('applies the fine-tuned floor to the masks, not to the figure asked for', () => {
    const limits = { maxSparsity: 0.99, fineTunedSparsity: 0.7 };
    expect(sliderPosition(0.5, limits)).toEqual({
      sparsity: 0.5,
      masked: 0.7,
      capped: false,
      floored: true,
    });
    expect(sliderPosition(0.8, limits)).toEqual({
      sparsity: 0.8,
      masked: 0.8,
      capped: false,
      floored: false,
    });
  });
});
