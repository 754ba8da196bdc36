import fs from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { assemble, generated, SOURCES } from '../../scripts/build-wasm';
import { SharedPixels, type PixelWork } from '../../main/engine/providers/local/pixel-worker';

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

/** The pixels with the work done, as a copy (the shared memory is released). */
async function applyPixelWork(pixels: Buffer, width: number, height: number, work: PixelWork): Promise<Buffer> {
  const shared = SharedPixels.copyOf(pixels, width, height);
  try {
    await shared.apply(work);
    return Buffer.from(shared.data);
  } finally {
    shared.release();
  }
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

describe('the WebAssembly pixel work', () => {
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

  it.each([
    [1, 1],
    [3, 2],
    [5, 1],
    [9, 5],
    [17, 2],
  ])(
    'applies the tone curves once to every row before sharpening (%i x %i), and only the curves when there is nothing to sharpen',
    async (width, height) => {
      const pixels = testImage(width, height, 7 + width);
      const invert = new Uint8Array(256).map((_, value) => 255 - value);
      const half = new Uint8Array(256).map((_, value) => value >> 1);
      const luts = [invert, half, invert] as const;
      const curved = Buffer.from(pixels.map((value, index) => (index % 3 === 1 ? half : invert)[value] ?? 0));
      expect((await applyPixelWork(pixels, width, height, { luts, sharpen: 0 })).equals(curved)).toBe(true);
      const both = await applyPixelWork(pixels, width, height, { luts, sharpen: 0.1 });
      expect(both.equals(Buffer.from(plainSharpen(curved, width, height, Math.round(0.1 * 32768))))).toBe(true);
    },
  );

  it.each([
    [1, 1, 2],
    [7, 5, 2],
    [16, 16, 4],
    [19, 13, 4],
    [64, 41, 8],
    [3, 30, 8],
  ])(
    'takes the rounded mean of each block on a %i x %i image in blocks of %i, edge blocks cut short',
    async (width, height, block) => {
      const pixels = testImage(width, height, width + 5 * height);
      const shared = SharedPixels.copyOf(pixels, width, height, block);
      const means = await shared.blockMeans();
      expect([means.width, means.height]).toEqual([Math.ceil(width / block), Math.ceil(height / block)]);
      expect(means.data.equals(plainBlockMeans(pixels, width, height, block))).toBe(true);
      shared.release();
    },
  );

  it('gives a released memory to the next photo without letting the last one show through', async () => {
    const big = SharedPixels.copyOf(testImage(90, 70, 3), 90, 70, 8);
    await big.blockMeans();
    await big.apply({ luts: null, sharpen: 0.2 });
    big.release();
    await expect(big.apply({ luts: null, sharpen: 0.1 })).rejects.toThrow(/released/);
    const [width, height] = [33, 21];
    const pixels = testImage(width, height, 11);
    const small = SharedPixels.copyOf(pixels, width, height, 4);
    await small.apply({ luts: null, sharpen: 0.1 });
    expect(
      Buffer.from(small.data).equals(Buffer.from(plainSharpen(pixels, width, height, Math.round(0.1 * 32768)))),
    ).toBe(true);
    const expected = plainBlockMeans(small.data, width, height, 4);
    const means = await small.blockMeans();
    expect(means.data.equals(expected)).toBe(true);
    small.release();
    expect(() => small.data).toThrow(/released/);
  });

  it("takes a decode's own memory to a worker, which copies it in and frees it", async () => {
    const [width, height] = [37, 23];
    const pixels = testImage(width, height, 5);
    const decoded = Buffer.alloc(pixels.length);
    decoded.set(pixels);
    const shared = await SharedPixels.fromDecode(decoded, width, height, 4);
    expect(decoded.length).toBe(0); // moved away, not copied and kept
    expect(Buffer.from(shared.data).equals(pixels)).toBe(true);
    const means = await shared.blockMeans();
    expect(means.data.equals(plainBlockMeans(pixels, width, height, 4))).toBe(true);
    shared.release();
  });

  it("moves sharp's own decode (native memory Node will not send as it is) into a memory a photo used before", async () => {
    const dirty = SharedPixels.copyOf(Buffer.alloc(64 * 48 * 3, 0xff), 64, 48, 8);
    dirty.release(); // back to the pool, full of white: the next photo must not show it
    const [width, height] = [40, 30];
    const decoded = await sharp(testImage(width, height, 21), { raw: { width, height, channels: 3 } })
      .raw()
      .toBuffer();
    const expected = Buffer.from(decoded);
    const shared = await SharedPixels.fromDecode(decoded, width, height, 8);
    expect(decoded.length).toBe(0);
    expect(Buffer.from(shared.data).equals(expected)).toBe(true);
    const means = await shared.blockMeans();
    expect(means.data.equals(plainBlockMeans(expected, width, height, 8))).toBe(true);
    shared.release();
  });

  it.each([
    [37, 23, 4],
    [64, 41, 8],
    [3, 30, 8],
    [50, 16, 8],
    [21, 9, 2],
    [5, 3, 8],
    [19, 7, 1],
  ])('takes the block means of a %i x %i decode as it copies it in (blocks of %i)', async (width, height, block) => {
    const dirty = SharedPixels.copyOf(Buffer.alloc(80 * 60 * 3, 0xff), 80, 60, 8);
    dirty.release(); // the rows not yet copied in hold another photo's white
    const pixels = testImage(width, height, width * 7 + height);
    const decoded = Buffer.alloc(pixels.length);
    decoded.set(pixels);
    const shared = await SharedPixels.fromDecode(decoded, width, height, block);
    expect(decoded.length).toBe(0); // moved to the worker, which copied it in
    // Nothing reads the pixels between the load and these means, so they are the ones it took.
    const means = await shared.blockMeans();
    expect(means.data.equals(plainBlockMeans(pixels, width, height, block))).toBe(true);
    await shared.apply({ luts: null, sharpen: 0.2 });
    const again = await shared.blockMeans(); // the pass changed the pixels: taken again
    const sharpened = Buffer.from(shared.data);
    expect(again.data.equals(plainBlockMeans(sharpened, width, height, block))).toBe(true);
    expect(sharpened.equals(Buffer.from(plainSharpen(pixels, width, height, Math.round(0.2 * 32768))))).toBe(true);
    shared.release();
    await expect(shared.blockMeans()).rejects.toThrow(/released/);
  });

  it('refuses the means a load took once the pixels are released (the memory may hold another photo)', async () => {
    const [width, height] = [16, 12];
    const decoded = Buffer.alloc(width * height * 3); // its own memory, moved to the worker whole
    decoded.set(testImage(width, height, 3));
    const shared = await SharedPixels.fromDecode(decoded, width, height, 4);
    expect(decoded.length).toBe(0);
    shared.release();
    await expect(shared.blockMeans()).rejects.toThrow(/released/);
  });

  it('copies a decode in memory that cannot be detached (a WebAssembly memory) where it is', async () => {
    // Node's type declarations leave the WebAssembly JS API out.
    const { Memory } = (
      globalThis as unknown as { WebAssembly: { Memory: new (size: { initial: number }) => { buffer: ArrayBuffer } } }
    ).WebAssembly;
    const [width, height] = [256, 256]; // 3 pages of 64 KiB, exactly
    const memory = new Memory({ initial: 3 });
    const decoded = Buffer.from(memory.buffer);
    decoded.set(testImage(width, height, 2));
    const shared = await SharedPixels.fromDecode(decoded, width, height);
    expect(Buffer.from(shared.data).equals(decoded)).toBe(true);
    shared.release();
    expect(decoded.length).toBe(width * height * 3);
  });

  it('copies a decode that is a view into a larger memory, leaving that memory alone', async () => {
    const [width, height] = [9, 4];
    const pixels = testImage(width, height, 8);
    const larger = Buffer.alloc(pixels.length + 100, 7);
    const view = larger.subarray(50, 50 + pixels.length);
    view.set(pixels);
    const shared = await SharedPixels.fromDecode(view, width, height);
    expect(Buffer.from(shared.data).equals(pixels)).toBe(true);
    shared.release();
    expect(larger.length).toBe(pixels.length + 100);
    expect(view.equals(pixels)).toBe(true);
  });

  it('refuses a decode of the wrong size before moving it anywhere', async () => {
    const decoded = Buffer.alloc(10);
    await expect(SharedPixels.fromDecode(decoded, 2, 2)).rejects.toThrow(/Expected 2 × 2 RGB pixels, got 10 bytes/);
    expect(decoded.length).toBe(10);
  });

  it('refuses pixels of the wrong size, and a photo over 4 GiB before allocating anything', () => {
    expect(() => SharedPixels.copyOf(Buffer.alloc(10), 2, 2)).toThrow(/Expected 2 × 2 RGB pixels, got 10 bytes/);
    const huge = { byteLength: 40_000 * 40_000 * 3 } as Uint8Array;
    expect(() => SharedPixels.copyOf(huge, 40_000, 40_000)).toThrow(/too large to enhance/);
  });
});

/** Block means written plainly: each block's sum over its pixels inside the image, divided, rounded half up. */
function plainBlockMeans(pixels: Uint8Array, width: number, height: number, block: number): Buffer {
  const [across, down] = [Math.ceil(width / block), Math.ceil(height / block)];
  const out = Buffer.alloc(across * down * 3);
  for (let by = 0; by < down; by += 1) {
    for (let bx = 0; bx < across; bx += 1) {
      for (let channel = 0; channel < 3; channel += 1) {
        let [sum, count] = [0, 0];
        for (let y = by * block; y < Math.min(height, (by + 1) * block); y += 1) {
          for (let x = bx * block; x < Math.min(width, (bx + 1) * block); x += 1) {
            sum += pixels[(y * width + x) * 3 + channel] ?? 0;
            count += 1;
          }
        }
        out[(by * across + bx) * 3 + channel] = Math.round(sum / count);
      }
    }
  }
  return out;
}
