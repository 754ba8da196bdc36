import { describe, expect, it } from 'vitest';
import { jpegScaleFor } from '../../main/engine/providers/local/enhance';

/**
 * The enhance's analysis reduces a JPEG as sharp's shrink-on-load did when it decoded the photo a
 * second time for it (sharp's pipeline.cc): the largest of 8, 4, 2 not above the shrink to 384 px,
 * halved when the shrink's whole part equals it.
 */
describe("the enhance analysis' JPEG scale", () => {
  it.each([
    [6000, 4000, 8], // 15.6
    [4208, 3120, 8], // 10.96
    [3456, 2304, 8], // 9.0
    [3455, 2304, 4], // 8.997: whole part 8, halved
    [3264, 2448, 4], // 8.5: an 8 MP phone
    [3072, 2048, 4], // 8.0
    [2048, 1536, 4], // 5.33
    [1920, 1080, 4], // 5.0
    [1919, 1080, 2], // 4.997
    [1680, 1050, 2], // 4.375
    [1536, 1024, 2], // 4.0
    [1152, 768, 2], // 3.0
    [1151, 768, 1], // 2.997
    [800, 600, 1], // 2.08
    [767, 500, 1], // under 2
    [300, 200, 1],
  ])('%i x %i: 1/%i', (width, height, scale) => {
    expect(jpegScaleFor(width, height)).toBe(scale);
    expect(jpegScaleFor(height, width)).toBe(scale);
  });
});
