import { describe, expect, it } from 'vitest';
import {
  ENHANCE_REFERENCE_CASES,
  enhanceCase,
  meanDifference,
  readReference,
  samplesOf,
} from '../support/enhance-references';
import { testDecoder } from '../support/decoder';

const decoder = testDecoder();

/** The stored outputs were written before the enhance was made faster; a faster enhance must look the same. */
describe('local enhance against its stored reference outputs', () => {
  it.each(ENHANCE_REFERENCE_CASES.map((entry) => [entry.name, entry] as const))(
    '%s: the whole and a full-resolution crop within 1 level of mean difference',
    async (_name, entry) => {
      const samples = await samplesOf(await enhanceCase(decoder, entry), entry.crop);
      for (const key of ['whole', 'crop'] as const) {
        const reference = await readReference(entry, key);
        expect([samples[key].width, samples[key].height], key).toEqual([reference.width, reference.height]);
        expect(meanDifference(samples[key], reference), key).toBeLessThanOrEqual(1);
      }
    },
  );

  it('tells a changed output apart (the comparison can fail)', async () => {
    const [entry] = ENHANCE_REFERENCE_CASES;
    if (!entry) throw new Error('no reference cases');
    const reference = await readReference(entry, 'whole');
    const brighter = { ...reference, data: Buffer.from(reference.data.map((value) => Math.min(255, value + 3))) };
    expect(meanDifference(brighter, reference)).toBeGreaterThan(1);
    expect(meanDifference(reference, reference)).toBe(0);
  });
});
