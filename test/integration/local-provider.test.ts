import fs from 'node:fs';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { MaskContentInput } from '../../shared/mask';
import { MaskContentSchema } from '../../shared/mask';
import { rasterizeStrokes } from '../../shared/mask-raster';
import type { FetchedOutput, ProviderInputs, SubmitContext } from '../../main/engine/providers/contract';
import { createLocalProvider } from '../../main/engine/providers/local';
import { corpusPath } from '../support/corpus';
import { openPhotoBytes, openPhotoFile, testDecoder } from '../support/decoder';
import { releaseBuffer } from '../../main/engine/release-buffer';
import { call, startTestEngine } from '../support/engine';
import { tempDir } from '../support/temp';

const decoder = testDecoder();

/** Photos and masks by id, read and decoded for real (the engine's own inputs read them from the library). */
function inputs(files: Record<string, string>, masks: Record<string, MaskContentInput> = {}): ProviderInputs {
  return {
    image: async (ref) => {
      if (ref.kind !== 'asset') throw new Error('photos only in this test');
      return { ref, ...(await openPhotoFile(decoder, files[ref.assetId] ?? '')) };
    },
    mask: (ref, width, height) =>
      Promise.resolve(rasterizeStrokes(MaskContentSchema.parse(masks[ref.maskId]), width, height)),
    variant: (variantId) => Promise.reject(new Error(`no variant ${variantId} in this test`)),
  };
}

const provider = createLocalProvider({ workDir: tempDir() });

/** The local provider hands its results over in memory. */
function bytesOf(output: FetchedOutput): Buffer {
  if (output.bytes === undefined) throw new Error('expected the output in memory');
  return Buffer.from(output.bytes);
}

/** Runs one local job through the provider contract and returns its decoded output. */
async function run(
  operation: string,
  params: Record<string, unknown>,
  source: ProviderInputs,
  maskId?: string,
): Promise<{ output: FetchedOutput; pixels: Buffer; width: number; height: number }> {
  const id = `job-${Math.random().toString(36).slice(2)}`;
  const context: SubmitContext = {
    signal: new AbortController().signal,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    inputs: source,
    baseUrl: '',
    stage: null,
    request: () => Promise.reject(new Error('the local provider makes no requests')),
    tempFile: () => {
      throw new Error('the local provider downloads nothing');
    },
    job: {
      id,
      shootId: null,
      operation,
      params,
      inputs: {
        source: { kind: 'asset', assetId: 'a', version: 1 },
        ...(maskId ? { mask: { maskId, version: 1 } } : {}),
      },
      idempotencyKey: id,
    },
    step: () => Promise.reject(new Error('the local provider pays for nothing')),
  };
  const { remote } = await provider.submit(context);
  const poll = await provider.poll(context, remote);
  if (poll.status !== 'done') throw new Error(`poll: ${JSON.stringify(poll)}`);
  const [output] = await provider.fetchOutputs(context, remote, poll.outputs);
  if (!output) throw new Error('no output');
  const decoded = await sharp(bytesOf(output)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { output, pixels: decoded.data, width: decoded.info.width, height: decoded.info.height };
}

async function rgbOf(file: string): Promise<{ pixels: Buffer; width: number; height: number }> {
  const decoded = await sharp(file)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: decoded.data, width: decoded.info.width, height: decoded.info.height };
}

function channelMeans(pixels: Buffer): number[] {
  const sums = [0, 0, 0];
  for (let index = 0; index < pixels.length; index += 3) {
    for (let channel = 0; channel < 3; channel += 1) sums[channel]! += pixels[index + channel] ?? 0;
  }
  return sums.map((sum) => sum / (pixels.length / 3));
}

/** Distance between the 1st and 99th percentile of luminance: how much of the range the photo uses. */
function histogramSpan(pixels: Buffer): number {
  const histogram = new Uint32Array(256);
  for (let index = 0; index < pixels.length; index += 3) {
    const y = 0.2126 * (pixels[index] ?? 0) + 0.7152 * (pixels[index + 1] ?? 0) + 0.0722 * (pixels[index + 2] ?? 0);
    histogram[Math.round(y)]! += 1;
  }
  const total = pixels.length / 3;
  const at = (share: number): number => {
    let seen = 0;
    for (let value = 0; value < 256; value += 1) {
      seen += histogram[value] ?? 0;
      if (seen >= total * share) return value;
    }
    return 255;
  };
  return at(0.99) - at(0.01);
}

const spread = (means: number[]): number => Math.max(...means) - Math.min(...means);

describe('local enhance', () => {
  it('brings a washed-out, colour-cast copy closer to neutral and widens its histogram', async () => {
    const dir = tempDir();
    const castCopy = path.join(dir, 'cast.png');
    // A warm cast (blue cut by a quarter), then squeezed into 60% of the range: a faded, yellowed print.
    await sharp(corpusPath('photos/bythewater_nokia-n9.jpg'))
      .linear([0.6, 0.54, 0.45], [60, 60, 60])
      .png()
      .toFile(castCopy);
    const before = await rgbOf(castCopy);
    const after = await run('enhance', { preset: 'auto', output: 'png' }, inputs({ a: castCopy }));
    expect(after.output.mimeType).toBe('image/png');
    expect([after.width, after.height]).toEqual([before.width, before.height]);
    const [spreadBefore, spreadAfter] = [spread(channelMeans(before.pixels)), spread(channelMeans(after.pixels))];
    expect(spreadAfter).toBeLessThan(spreadBefore * 0.8);
    expect(histogramSpan(after.pixels)).toBeGreaterThan(histogramSpan(before.pixels) * 1.4);
  });

  it.each(['photos/bythewater_nokia-n9.jpg', 'photos/colorfulcups_sony-nex3n_gps_srgb.jpg'])(
    'does no harm to a well-exposed photo (%s): every channel mean moves by less than 5 levels',
    async (name) => {
      const before = channelMeans((await rgbOf(corpusPath(name))).pixels);
      const after = channelMeans((await run('enhance', { output: 'png' }, inputs({ a: corpusPath(name) }))).pixels);
      for (let channel = 0; channel < 3; channel += 1) {
        expect(Math.abs((after[channel] ?? 0) - (before[channel] ?? 0)), `channel ${channel}`).toBeLessThan(5);
      }
    },
  );

  it('carries capture time, camera and copyright to the output, in sRGB', async () => {
    const result = await run(
      'enhance',
      { preset: 'real_estate' },
      inputs({ a: corpusPath('photos/after-the-rain_pentax-k7_srgb.jpg') }),
    );
    expect(result.output.mimeType).toBe('image/jpeg');
    const tags = (await exifr.parse(bytesOf(result.output), {
      pick: ['Make', 'Model', 'Copyright', 'Artist', 'DateTimeOriginal'],
      reviveValues: false,
    })) as Record<string, string>;
    expect(tags).toMatchObject({
      Make: 'PENTAX',
      Model: 'PENTAX K-7',
      Artist: 'Stef Binde',
      Copyright: 'Stef Binde www.vogliaditerra.com',
      DateTimeOriginal: '2014:11:18 17:43:55',
    });
    expect((await sharp(bytesOf(result.output)).metadata()).icc).toBeDefined();
  });
});

describe('local provider bookkeeping', () => {
  it('costs nothing and estimates its duration from its own recent runs', () => {
    const fresh = createLocalProvider({ workDir: tempDir() });
    expect(fresh.estimateCost('upscale', {}, { source: { kind: 'asset', assetId: 'a', version: 1 } }, [])).toEqual({
      credits: 0,
    });
    expect(
      provider.estimateCost('enhance', {}, { source: { kind: 'asset', assetId: 'a', version: 1 } }, []),
    ).toMatchObject({ credits: 0 });
    expect(
      provider.estimateCost('enhance', {}, { source: { kind: 'asset', assetId: 'a', version: 1 } }, []).durationMs,
    ).toBeGreaterThan(0);
  });

  it('stops when the job is canceled, mid-fill too', async () => {
    const controller = new AbortController();
    const context: SubmitContext = {
      signal: controller.signal,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      baseUrl: '',
      stage: null,
      inputs: inputs(
        { a: corpusPath('photos/bythewater_nokia-n9.jpg') },
        { m: { width: 2560, height: 1600, strokes: [{ points: [{ x: 900, y: 900 }], size: 40, mode: 'paint' }] } },
      ),
      request: () => Promise.reject(new Error('no requests')),
      tempFile: () => {
        throw new Error('no downloads');
      },
      job: {
        id: 'canceled-job',
        shootId: null,
        operation: 'spot-heal',
        params: {},
        inputs: { source: { kind: 'asset', assetId: 'a', version: 1 }, mask: { maskId: 'm', version: 1 } },
        idempotencyKey: 'k',
      },
      step: () => Promise.reject(new Error('nothing to pay')),
    };
    const running = provider.submit(context);
    setTimeout(() => controller.abort(new Error('Canceled by the user.')), 150);
    await expect(running).rejects.toThrow('Canceled by the user.');
    expect(await provider.poll(context, { id: 'canceled-job' })).toMatchObject({ status: 'failed' });
  });
});

describe("the photo's bytes", () => {
  /**
   * inputs() whose photo is read here, so its release truly frees its bytes (as the engine's
   * does), and which counts the sharp runs over it still going when it is released.
   */
  function watched(file: string): { source: ProviderInputs; released: () => number; runningAtRelease: () => number } {
    let released = 0;
    let running = 0;
    let runningAtRelease = 0;
    const source: ProviderInputs = {
      ...inputs({}),
      image: async (ref) => {
        const { photo, bytes } = await openPhotoBytes(decoder, file);
        return {
          ref,
          ...photo,
          pipeline: () => {
            const pipeline = photo.pipeline();
            const toBuffer = pipeline.toBuffer.bind(pipeline) as (options?: object) => Promise<unknown>;
            (pipeline as unknown as { toBuffer: typeof toBuffer }).toBuffer = (options) => {
              running += 1;
              return toBuffer(options).finally(() => {
                running -= 1;
              });
            };
            return pipeline;
          },
          release: () => {
            released += 1;
            runningAtRelease += running;
            releaseBuffer(bytes);
          },
        };
      },
    };
    return { source, released: () => released, runningAtRelease: () => runningAtRelease };
  }

  it.each([
    ['enhance', { preset: 'auto', output: 'jpeg' }],
    ['upscale', { factor: 2, output: 'jpeg' }],
    ['resize-for-listing', { longEdge: 400, maxMegabytes: 1 }],
  ])('are let go once %s has made its output, with no sharp run over them left going', async (operation, params) => {
    const file = corpusPath('photos/panasonic-gf1_orient6.jpg');
    const kept = await run(operation, params, inputs({ a: file }));
    const { source, released, runningAtRelease } = watched(file);
    const freed = await run(operation, params, source);
    expect(released()).toBe(1);
    expect(runningAtRelease()).toBe(0);
    // The same picture as when the bytes are left to the collector: nothing read them after.
    expect([freed.width, freed.height]).toEqual([kept.width, kept.height]);
    expect(freed.pixels.equals(kept.pixels)).toBe(true);
  });

  it('are let go when the operation fails too', async () => {
    const { source, released } = watched(corpusPath('photos/panasonic-gf1_orient6.jpg'));
    await expect(run('redact', { output: 'jpeg' }, source)).rejects.toThrow(/painted mask/);
    expect(released()).toBe(1);
  });
});

describe('local upscale and listing', () => {
  it('gives exactly 2× and 4×, upright, and refuses beyond the pixel cap', async () => {
    const source = inputs({ a: corpusPath('photos/panasonic-gf1_orient6.jpg') }); // 640×428 stored, turned upright
    expect([
      (await run('upscale', { factor: 2 }, source)).width,
      (await run('upscale', { factor: 2 }, source)).height,
    ]).toEqual([856, 1280]);
    const four = await run('upscale', { factor: 4, output: 'png' }, source);
    expect([four.width, four.height]).toEqual([1712, 2560]);
    await expect(run('upscale', { factor: 4, maxMegapixels: 4 }, source)).rejects.toThrow(
      /4× of 428×640 would be 1712×2560 = 4 MP, beyond the 4 MP cap|beyond the 4 MP cap/,
    );
  });

  it('resizes for a listing: long edge, sRGB JPEG under the size ceiling', async () => {
    const result = await run(
      'resize-for-listing',
      { longEdge: 2048, maxMegabytes: 0.5 },
      inputs({ a: corpusPath('photos/sony-ilce6000_6000x4000.jpg') }),
    );
    expect([result.width, result.height, result.output.mimeType]).toEqual([2048, 1365, 'image/jpeg']);
    expect(bytesOf(result.output).length).toBeLessThanOrEqual(500_000);
  });
});

describe('local masked operations', () => {
  const photo = corpusPath('photos/bythewater_nokia-n9.jpg'); // 2560×1600
  /** A round spot of the given radius at (x, y), with a soft edge. */
  const spot = (x: number, y: number, radius: number, feather = 2): MaskContentInput => ({
    width: 2560,
    height: 1600,
    strokes: [{ points: [{ x, y }], size: radius * 2, mode: 'paint', feather }],
  });
  /** Pixels farther than `margin` from every painted pixel: they must not change. */
  function outsideDilated(mask: Uint8Array, width: number, height: number, margin: number): Uint8Array {
    const near = new Uint8Array(width * height);
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        if ((mask[y * width + x] ?? 0) === 0) continue;
        for (let dy = -margin; dy <= margin; dy += 1) {
          for (let dx = -margin; dx <= margin; dx += 1) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < height && xx >= 0 && xx < width) near[yy * width + xx] = 1;
          }
        }
      }
    }
    return near;
  }
  function maxChangeOutside(a: Buffer, b: Buffer, near: Uint8Array): number {
    let worst = 0;
    for (let pixel = 0; pixel < near.length; pixel += 1) {
      if (near[pixel]) continue;
      for (let channel = 0; channel < 3; channel += 1) {
        worst = Math.max(worst, Math.abs((a[pixel * 3 + channel] ?? 0) - (b[pixel * 3 + channel] ?? 0)));
      }
    }
    return worst;
  }

  it.each(['blur', 'pixelate'])('redacts (%s) the painted area only, at full resolution', async (style) => {
    const drawing = spot(1300, 700, 60);
    const before = await rgbOf(photo);
    const after = await run('redact', { style, output: 'png' }, inputs({ a: photo }, { m: drawing }), 'm');
    expect([after.width, after.height]).toEqual([2560, 1600]);
    const mask = rasterizeStrokes(MaskContentSchema.parse(drawing), 2560, 1600);
    expect(maxChangeOutside(before.pixels, after.pixels, outsideDilated(mask, 2560, 1600, 2))).toBeLessThanOrEqual(1);
    let changed = 0;
    for (let pixel = 0; pixel < mask.length; pixel += 1) {
      if ((mask[pixel] ?? 0) < 250) continue;
      if (Math.abs((before.pixels[pixel * 3] ?? 0) - (after.pixels[pixel * 3] ?? 0)) > 2) changed += 1;
    }
    expect(changed).toBeGreaterThan(2_000); // most of the ~11,000 fully painted pixels differ
  });

  it('removes a spot with a fill that is not flat: its local variance is within ½–2× of the ring around it', async () => {
    // A textured patch (the jetty's planks and water) with a dark blemish painted on a copy.
    const dir = tempDir();
    const spotted = path.join(dir, 'spotted.png');
    const [cx, cy, radius] = [900, 1200, 14];
    const base = await rgbOf(photo);
    const pixels = Buffer.from(base.pixels);
    for (let y = cy - radius; y <= cy + radius; y += 1) {
      for (let x = cx - radius; x <= cx + radius; x += 1) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > radius ** 2) continue;
        for (let channel = 0; channel < 3; channel += 1) pixels[(y * 2560 + x) * 3 + channel] = 10;
      }
    }
    await sharp(pixels, { raw: { width: 2560, height: 1600, channels: 3 } })
      .png()
      .toFile(spotted);
    const drawing = spot(cx, cy, radius + 3, 1);
    const after = await run('spot-heal', { output: 'png' }, inputs({ a: spotted }, { m: drawing }), 'm');
    const mask = rasterizeStrokes(MaskContentSchema.parse(drawing), 2560, 1600);
    expect(maxChangeOutside(pixels, after.pixels, outsideDilated(mask, 2560, 1600, 2))).toBeLessThanOrEqual(1);

    /** Mean local variance (3×3, green channel) over pixels picked by `take`. */
    const localVariance = (image: Buffer, take: (x: number, y: number) => boolean): number => {
      let total = 0;
      let count = 0;
      for (let y = cy - 40; y <= cy + 40; y += 1) {
        for (let x = cx - 40; x <= cx + 40; x += 1) {
          if (!take(x, y)) continue;
          const values: number[] = [];
          for (let dy = -1; dy <= 1; dy += 1)
            for (let dx = -1; dx <= 1; dx += 1) values.push(image[((y + dy) * 2560 + x + dx) * 3 + 1] ?? 0);
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          total += values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
          count += 1;
        }
      }
      return total / count;
    };
    const distance = (x: number, y: number): number => Math.hypot(x - cx, y - cy);
    const filled = localVariance(after.pixels, (x, y) => distance(x, y) <= radius);
    const ring = localVariance(after.pixels, (x, y) => distance(x, y) > radius + 6 && distance(x, y) <= radius + 26);
    expect(filled / ring).toBeGreaterThanOrEqual(0.5);
    expect(filled / ring).toBeLessThanOrEqual(2);
    // And the blemish is gone: the fill is about as bright as its surroundings.
    const mean = (take: (x: number, y: number) => boolean): number => {
      let sum = 0;
      let count = 0;
      for (let y = cy - 40; y <= cy + 40; y += 1) {
        for (let x = cx - 40; x <= cx + 40; x += 1) {
          if (!take(x, y)) continue;
          sum += after.pixels[(y * 2560 + x) * 3 + 1] ?? 0;
          count += 1;
        }
      }
      return sum / count;
    };

    expect(
      Math.abs(
        mean((x, y) => distance(x, y) <= radius) -
          mean((x, y) => distance(x, y) > radius + 6 && distance(x, y) <= radius + 26),
      ),
    ).toBeLessThan(20);
  });

  it('refuses spot removal over too large an area, saying what it is for', async () => {
    await expect(run('spot-heal', {}, inputs({ a: photo }, { m: spot(1280, 800, 500) }), 'm')).rejects.toThrow(
      /covers .*% of the photo; spot removal handles up to 2\.0%.*not for removing objects/,
    );
  });
});

describe('the local provider in the engine', () => {
  it('processes a shoot dropped into a new hot folder end to end, with no provider configured', async () => {
    const { engine } = startTestEngine({ stabilityMs: 300 });
    const root = path.join(fs.realpathSync(tempDir()), 'Drop');
    fs.mkdirSync(path.join(root, 'Smith kitchen'), { recursive: true });
    const folder = await call(engine, 'hotFolders.add', { path: root });
    expect(folder.defaultRecipeId).toBe('local-auto-enhance');
    for (const name of ['photos/storm_canon-400d.jpg', 'photos/dune_canon-rebel.jpg']) {
      fs.copyFileSync(corpusPath(name), path.join(root, 'Smith kitchen', path.basename(name)));
    }
    let jobs = (await call(engine, 'jobs.list', {})).jobs;
    for (let tries = 0; tries < 300 && !(jobs.length === 2 && jobs.every((job) => job.state === 'done')); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      jobs = (await call(engine, 'jobs.list', {})).jobs;
    }
    expect(jobs.map((job) => [job.provider, job.operation, job.state, job.costEstimate])).toEqual([
      ['local', 'enhance', 'done', 0],
      ['local', 'enhance', 'done', 0],
    ]);
    const variants = await call(engine, 'variants.list', {});
    expect(variants).toHaveLength(2);
    for (const variant of variants) {
      const media = await engine.resolveMedia({ kind: 'variant', id: variant.mediaId });
      expect(media?.mimeType).toBe('image/jpeg');
      const size = await sharp(media?.file).metadata();
      expect([size.width, size.height]).toEqual([variant.width, variant.height]);
      expect(variant.assetVersion).toBe(1);
    }
  });
});
