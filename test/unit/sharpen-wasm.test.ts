import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble, generated, SOURCES } from '../../scripts/build-wasm';
import { applyPixelWork } from '../../main/engine/providers/local/pixel-worker';

/** The sharpen written plainly: out = c + floor(a * (9c - s)), s the 3x3 sum with edges repeated. */
function plainSharpen(pixels: Uint8Array, width: number, height: number, aq15: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const at = (x: number, y: number, channel: number): number =>
    pixels[(Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) * 3 + channel] ?? 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let channel = 0; channel < 3; channel += 1) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy += 1) for (let dx = -1; dx <= 1; dx += 1) sum += at(x + dx, y + dy, channel);
        const c = at(x, y, channel);
        const value = c + Math.floor(((9 * c - sum) * aq15) / 32768);
        out[(y * width + x) * 3 + channel] = Math.min(255, Math.max(0, value));
      }
    }
  }
  return out;
}

/** Deterministic noise with flat patches and hard edges, so clamping at 0 and 255 is reached. */
function testImage(width: number, height: number, seed: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let index = 0; index < pixels.length; index += 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const pixel = Math.floor(index / 3);
    pixels[index] = (pixel >> 2) % 3 === 0 ? state >>> 24 : pixel % 7 < 3 ? 0 : 255;
  }
  return pixels;
}

describe('the WebAssembly sharpen', () => {
  it('is assembled from its source as committed', async () => {
    for (const source of SOURCES) {
      expect(fs.readFileSync(source.out, 'utf8'), `${source.out}: run npm run build:wasm`).toBe(
        generated(source.name, source.wat, await assemble(source.wat)),
      );
    }
  });

  it.each([
    [1, 1],
    [2, 3],
    [3, 1],
    [5, 4],
    [17, 9],
    [64, 33],
  ])('equals the formula computed plainly on a %i x %i image, at every edge and row end', async (width, height) => {
    for (const sharpen of [0.03, 0.1, 0.2]) {
      const pixels = testImage(width, height, width * 31 + height);
      const aq15 = Math.round(sharpen * 32768);
      const result = await applyPixelWork(pixels, width, height, { luts: null, sharpen });
      expect(Buffer.from(result).equals(Buffer.from(plainSharpen(pixels, width, height, aq15))), `a = ${sharpen}`).toBe(
        true,
      );
    }
  });

  it('applies the tone curves first, and only the curves when there is nothing to sharpen', async () => {
    const [width, height] = [9, 5];
    const pixels = testImage(width, height, 7);
    const invert = new Uint8Array(256).map((_, value) => 255 - value);
    const half = new Uint8Array(256).map((_, value) => value >> 1);
    const luts = [invert, half, invert] as const;
    const curved = Buffer.from(pixels.map((value, index) => (index % 3 === 1 ? half : invert)[value] ?? 0));
    expect(Buffer.from(await applyPixelWork(pixels, width, height, { luts, sharpen: 0 })).equals(curved)).toBe(true);
    const both = await applyPixelWork(pixels, width, height, { luts, sharpen: 0.1 });
    expect(Buffer.from(both).equals(Buffer.from(plainSharpen(curved, width, height, Math.round(0.1 * 32768))))).toBe(
      true,
    );
  });
});
