import { describe, expect, it } from 'vitest';
import { maskCoverage, rasterizeStrokes } from '../../shared/mask-raster';
import { AppError } from '../../shared/errors';
import { type MaskContent, MaskContentSchema, type MaskStroke } from '../../shared/mask';

/** A stroke as a caller sends it: hardness and opacity may be left to their defaults, and a saved one may carry a feather. */
type StrokeInput = Pick<MaskStroke, 'points' | 'size' | 'mode'> &
  Partial<Pick<MaskStroke, 'hardness' | 'opacity'>> & { feather?: number };

function drawing(strokes: StrokeInput[], width = 100, height = 100): MaskContent {
  return MaskContentSchema.parse({ width, height, strokes });
}

/** A dot; `feather` is the legacy soft edge (saved masks have it), which the schema turns into size and hardness. */
function dot(x: number, y: number, size: number, extra: Partial<MaskStroke> & { feather?: number } = {}): StrokeInput {
  return { points: [{ x, y }], size, mode: 'paint', ...extra };
}

function at(buffer: Uint8Array, width: number, x: number, y: number): number {
  const value = buffer[y * width + x];
  if (value === undefined) throw new Error(`(${x}, ${y}) is outside the buffer`);
  return value;
}

/** Painted area in pixels, counting partial pixels by their coverage. */
function area(buffer: Uint8Array): number {
  let sum = 0;
  for (const value of buffer) sum += value;
  return sum / 255;
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectAppError(run: () => unknown, code: string): void {
  const error = caught(run);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
}

/**
 * The definition, written the slow and obvious way: every pixel against every segment. The rasteriser
 * computes spans instead, and must agree with this to within rounding.
 */
function referenceRaster(
  mask: MaskContent,
  width: number,
  height: number,
  /** Keep the mask 8-bit after every stroke, as an editor's canvas does (else exact to the end). */
  eightBitPerStroke = false,
): Uint8Array {
  const sx = width / mask.width;
  const sy = height / mask.height;
  const scale = (sx + sy) / 2;
  const out = new Float64Array(width * height);
  for (const stroke of mask.strokes) {
    const points = stroke.points.map((p) => ({ x: p.x * sx, y: p.y * sy }));
    const segments = points.length === 1 ? [[points[0], points[0]]] : points.slice(1).map((p, i) => [points[i], p]);
    const radius = (stroke.size * scale) / 2;
    // Solid within hardness × radius, fading to 0 at the radius; a fade under a pixel wide is a
    // one-pixel anti-aliased band centred where it would have been.
    const fade = radius * (1 - stroke.hardness);
    const centre = radius - fade / 2;
    const inner = fade >= 1 ? radius - fade : Math.max(0, centre - 0.5);
    const outer = fade >= 1 ? radius : centre + 0.5;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let distance = Infinity;
        for (const [a, b] of segments) {
          if (a === undefined || b === undefined) throw new Error('bad segment');
          const dx = b.x - a.x;
          const dy = b.y - a.y;
          const len2 = dx * dx + dy * dy;
          const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((x + 0.5 - a.x) * dx + (y + 0.5 - a.y) * dy) / len2));
          distance = Math.min(distance, Math.hypot(x + 0.5 - a.x - t * dx, y + 0.5 - a.y - t * dy));
        }
        const coverage = Math.min(1, Math.max(0, (outer - distance) / (outer - inner)));
        const i = y * width + x;
        const current = out[i] ?? 0;
        if (eightBitPerStroke) {
          // Levels 0–255 throughout: the stroke's peak level, scaled by coverage, then painted (max) or
          // erased (multiplied, rounded) into an 8-bit value.
          const peak = Math.round(255 * stroke.opacity);
          const level = Math.round(peak * coverage);
          out[i] =
            stroke.mode === 'paint' ? Math.max(current, level) : Math.floor((current * (255 - level) + 127) / 255);
          continue;
        }
        const alpha = stroke.opacity * coverage;
        out[i] = stroke.mode === 'paint' ? Math.max(current, alpha) : current * (1 - alpha);
      }
    }
  }
  return Uint8Array.from(out, (value) => (eightBitPerStroke ? value : Math.round(value * 255)));
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

describe('rasterizeStrokes: dots', () => {
  const single = drawing([dot(50, 50, 20)]);

  it('paints a disc of the brush diameter, centred on the point', () => {
    const out = rasterizeStrokes(single, 100, 100);
    expect(out).toHaveLength(100 * 100);
    for (const [x, y] of [
      [49, 49],
      [50, 50],
      [49, 50],
      [50, 49],
    ] as const) {
      expect(at(out, 100, x, y)).toBe(255);
    }
    let outside = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        if (Math.hypot(x + 0.5 - 50, y + 0.5 - 50) >= 12) outside = Math.max(outside, at(out, 100, x, y));
      }
    }
    expect(outside).toBe(0);
    expect(area(out)).toBeGreaterThan(Math.PI * 100 * 0.95);
    expect(area(out)).toBeLessThan(Math.PI * 100 * 1.05);
    expect(maskCoverage(out)).toBeCloseTo((Math.PI * 100) / 10_000, 2);
  });

  it('scales with the output: 4× the side covers 16× the pixels', () => {
    const ratio = area(rasterizeStrokes(single, 400, 400)) / area(rasterizeStrokes(single, 100, 100));
    expect(ratio).toBeGreaterThan(16 * 0.95);
    expect(ratio).toBeLessThan(16 * 1.05);
    const big = rasterizeStrokes(single, 400, 400);
    expect(at(big, 400, 200, 200)).toBe(255);
    expect(at(big, 400, 200, 245)).toBe(0);
  });

  it('stays centred (and round) when the output is stretched non-uniformly', () => {
    const out = rasterizeStrokes(single, 50, 25);
    let sum = 0;
    let sumX = 0;
    let sumY = 0;
    for (let y = 0; y < 25; y++) {
      for (let x = 0; x < 50; x++) {
        const value = at(out, 50, x, y);
        sum += value;
        sumX += value * (x + 0.5);
        sumY += value * (y + 0.5);
      }
    }
    expect(sum).toBeGreaterThan(0);
    expect(sumX / sum).toBeCloseTo(25, 6);
    expect(sumY / sum).toBeCloseTo(12.5, 6);
    expect(at(out, 50, 24, 12)).toBe(255);
    // The diameter scales by the mean factor (0.375): radius 3.75, so 5 px off-centre is empty both ways.
    expect(at(out, 50, 25 + 5, 12)).toBe(0);
    expect(at(out, 50, 24, 12 + 5)).toBe(0);
    expect(at(out, 50, 25 + 2, 12)).toBe(255);
    expect(at(out, 50, 24, 12 + 2)).toBe(255);
  });

  it('keeps a stroke thinner than a pixel visible instead of letting it vanish', () => {
    const out = rasterizeStrokes(drawing([dot(50.5, 50.5, 0.2)]), 100, 100);
    expect(at(out, 100, 50, 50)).toBe(255);
    expect(area(out)).toBeLessThan(2);
  });
});

describe('rasterizeStrokes: strokes', () => {
  it('covers the capsule between two points, and nothing 15 px off the line', () => {
    const horizontal = drawing([
      {
        points: [
          { x: 20, y: 50 },
          { x: 80, y: 50 },
        ],
        size: 20,
        mode: 'paint',
      },
    ]);
    const out = rasterizeStrokes(horizontal, 100, 100);
    expect(at(out, 100, 50, 50)).toBe(255);
    expect(at(out, 100, 50, 58)).toBe(255);
    expect(at(out, 100, 50, 65)).toBe(0);
    expect(at(out, 100, 50, 35)).toBe(0);
    // Round caps: 8 px past an end is inside, 15 px past is not.
    expect(at(out, 100, 87, 50)).toBe(255);
    expect(at(out, 100, 95, 50)).toBe(0);
    expect(area(out)).toBeCloseTo(60 * 20 + Math.PI * 100, -1);

    const diagonal = drawing([
      {
        points: [
          { x: 20, y: 20 },
          { x: 80, y: 80 },
        ],
        size: 20,
        mode: 'paint',
      },
    ]);
    const slanted = rasterizeStrokes(diagonal, 100, 100);
    expect(at(slanted, 100, 50, 50)).toBe(255);
    // 15 px from the line along its normal (1, -1)/√2.
    expect(at(slanted, 100, 60, 39)).toBe(0);
    expect(at(slanted, 100, 39, 60)).toBe(0);
  });

  it('matches the per-pixel definition for multi-point, feathered and erasing strokes', () => {
    const mask = drawing(
      [
        {
          points: [
            { x: 10, y: 12 },
            { x: 40, y: 30 },
            { x: 41, y: 31 },
            { x: 45, y: 70 },
            { x: 20, y: 55 },
          ],
          size: 14,
          mode: 'paint',
          feather: 6,
        },
        {
          points: [
            { x: 70, y: 20 },
            { x: 70, y: 80 },
          ],
          size: 25,
          mode: 'paint',
        },
        {
          points: [
            { x: 55, y: 50 },
            { x: 95, y: 52 },
            { x: 60, y: 60 },
          ],
          size: 8,
          mode: 'erase',
          feather: 3,
        },
        dot(30, 40, 3.3),
        // Joints that are easy to get wrong: a repeated point, a straight continuation, a U-turn.
        {
          points: [
            { x: 15, y: 85 },
            { x: 15, y: 85 },
            { x: 35, y: 90 },
            { x: 55, y: 95 },
            { x: 25, y: 87.5 },
          ],
          size: 9,
          mode: 'paint',
          feather: 4,
        },
      ],
      100,
      100,
    );
    for (const [width, height] of [
      [100, 100],
      [73, 41],
      [160, 210],
    ] as const) {
      expect(
        maxDifference(rasterizeStrokes(mask, width, height), referenceRaster(mask, width, height)),
      ).toBeLessThanOrEqual(1);
    }
  });

  it('agrees with the slow definition for soft, hard and half-opaque brushes, painting and erasing (within 1% of pixels)', () => {
    const mask = drawing(
      [
        {
          points: [
            { x: 10, y: 10 },
            { x: 80, y: 30 },
            { x: 40, y: 70 },
          ],
          size: 24,
          hardness: 0.2,
          opacity: 0.6,
          mode: 'paint',
        },
        {
          points: [
            { x: 20, y: 80 },
            { x: 90, y: 85 },
          ],
          size: 14,
          hardness: 1,
          opacity: 1,
          mode: 'paint',
        },
        {
          points: [
            { x: 50, y: 0 },
            { x: 50, y: 100 },
          ],
          size: 10,
          hardness: 0.5,
          opacity: 0.5,
          mode: 'erase',
        },
        { points: [{ x: 70, y: 60 }], size: 30, hardness: 0, opacity: 0.9, mode: 'paint' },
      ],
      100,
      100,
    );
    for (const [width, height] of [
      [100, 100],
      [257, 131],
    ] as const) {
      const fast = rasterizeStrokes(mask, width, height);
      const slow = referenceRaster(mask, width, height);
      // The rasteriser keeps 8-bit values stroke by stroke, the definition keeps exact ones to the end:
      // a level of rounding apart is the same pixel; more than that may touch at most 1% of them.
      let differing = 0;
      for (let index = 0; index < fast.length; index++) {
        if (Math.abs((fast[index] ?? 0) - (slow[index] ?? 0)) > 1) differing += 1;
      }
      expect(differing / fast.length).toBeLessThanOrEqual(0.01);
      expect(maxDifference(fast, slow)).toBeLessThanOrEqual(2);
      // Against a reference kept 8-bit after each stroke (what a canvas preview holds), at most 1% of
      // pixels differ at all.
      const canvasLike = referenceRaster(mask, width, height, true);
      let unequal = 0;
      for (let index = 0; index < fast.length; index++) if (fast[index] !== canvasLike[index]) unequal += 1;
      expect(unequal / fast.length).toBeLessThanOrEqual(0.01);
      // Partly opaque strokes leave partial values, and the picture is not empty.
      expect(fast.some((value) => value > 40 && value < 200)).toBe(true);
    }
  });

  it('erases where an erase stroke passes, and dropping it is an exact undo', () => {
    const paint: StrokeInput = {
      points: [
        { x: 10, y: 50 },
        { x: 90, y: 50 },
      ],
      size: 30,
      mode: 'paint',
    };
    const erase: StrokeInput = {
      points: [
        { x: 50, y: 10 },
        { x: 50, y: 90 },
      ],
      size: 20,
      mode: 'erase',
    };
    const before = rasterizeStrokes(drawing([paint]), 100, 100);
    const after = rasterizeStrokes(drawing([paint, erase]), 100, 100);
    expect(at(before, 100, 50, 50)).toBe(255);
    expect(at(after, 100, 50, 50)).toBe(0);
    expect(at(after, 100, 45, 40)).toBe(0);
    expect(at(after, 100, 25, 50)).toBe(255);
    expect(area(after)).toBeLessThan(area(before) - 500);
    const undone = rasterizeStrokes(drawing([paint, erase].slice(0, -1)), 100, 100);
    expect(undone).toEqual(before);
    // Painting again after an erase brings the area back: order matters.
    const repainted = rasterizeStrokes(drawing([paint, erase, paint]), 100, 100);
    expect(repainted).toEqual(before);
  });

  it('erases a stroke once, even where its own segments overlap', () => {
    const base = dot(50, 50, 60);
    const once: StrokeInput = { points: [{ x: 50, y: 50 }], size: 30, hardness: 1 / 3, mode: 'erase' };
    const repeated: StrokeInput = {
      ...once,
      points: [
        { x: 50, y: 50 },
        { x: 50, y: 50 },
        { x: 50, y: 50 },
      ],
    };
    const single = rasterizeStrokes(drawing([base, once]), 100, 100);
    const overlapping = rasterizeStrokes(drawing([base, repeated]), 100, 100);
    expect(overlapping).toEqual(single);
    // Inside the feather band, half-erased pixels stay half-erased.
    const partial = at(single, 100, 62, 50);
    expect(partial).toBeGreaterThan(30);
    expect(partial).toBeLessThan(225);
  });

  it('fades a feathered edge monotonically from 255 to 0', () => {
    const out = rasterizeStrokes(drawing([dot(50, 50, 40, { feather: 10 })]), 100, 100);
    const row = Array.from({ length: 50 }, (_, i) => at(out, 100, 50 + i, 50));
    expect(row[0]).toBe(255);
    expect(row.at(-1)).toBe(0);
    for (let i = 1; i < row.length; i++) expect(row[i]).toBeLessThanOrEqual(row[i - 1] ?? 0);
    const intermediate = row.filter((value) => value > 0 && value < 255);
    expect(intermediate.length).toBeGreaterThanOrEqual(8);
    expect(intermediate.length).toBeLessThanOrEqual(11);
    // The ramp is centred on the radius: half coverage about 20 px out.
    const half = row.findIndex((value) => value < 128);
    expect(Math.abs(half - 20)).toBeLessThanOrEqual(1);
  });

  it('keeps a hard edge to a one-pixel anti-aliased band without feather', () => {
    const out = rasterizeStrokes(drawing([dot(50, 50, 40)]), 100, 100);
    const row = Array.from({ length: 50 }, (_, i) => at(out, 100, 50 + i, 50));
    expect(row.filter((value) => value > 0 && value < 255).length).toBeLessThanOrEqual(2);
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const value = at(out, 100, x, y);
        if (value > 0 && value < 255) expect(Math.abs(Math.hypot(x + 0.5 - 50, y + 0.5 - 50) - 20)).toBeLessThan(1);
      }
    }
  });

  it('clips strokes that leave the image, and ignores strokes entirely outside it', () => {
    const crossing = drawing([
      {
        points: [
          { x: -50, y: -50 },
          { x: 150, y: 50 },
        ],
        size: 30,
        mode: 'paint',
      },
      { points: [{ x: 110, y: 30 }], size: 30, mode: 'erase' },
    ]);
    const out = rasterizeStrokes(crossing, 100, 100);
    expect(at(out, 100, 50, 0)).toBe(255);
    expect(at(out, 100, 80, 15)).toBe(255);
    // The eraser's centre is outside the image; its edge still reaches in.
    expect(at(out, 100, 99, 24)).toBe(0);
    expect(at(out, 100, 10, 60)).toBe(0);

    const outside = rasterizeStrokes(drawing([dot(-100, -100, 50), dot(300, 50, 100)]), 100, 100);
    expect(outside.every((value) => value === 0)).toBe(true);
  });

  it('renders an empty stroke list as all zeros', () => {
    const out = rasterizeStrokes(drawing([], 640, 480), 64, 48);
    expect(out).toHaveLength(64 * 48);
    expect(out.every((value) => value === 0)).toBe(true);
    expect(maskCoverage(out)).toBe(0);
  });

  it.each([
    [0, 10],
    [10, -1],
    [1.5, 10],
    [Number.NaN, 10],
    [10, Number.POSITIVE_INFINITY],
    [30_001, 1],
    [20_000, 20_000],
  ])('refuses an output of %s × %s', (width, height) => {
    expectAppError(() => rasterizeStrokes(drawing([dot(50, 50, 20)]), width, height), 'invalid_input');
  });

  it('refuses a drawing that did not pass the schema', () => {
    // Typed as a MaskContent but never parsed: the rasteriser checks again rather than trusting the caller.
    const bad: MaskContent = {
      width: 100,
      height: 100,
      strokes: [{ points: [], size: 5, mode: 'paint', hardness: 1, opacity: 1 }],
      rasters: [],
      invert: false,
    };
    expectAppError(() => rasterizeStrokes(bad, 10, 10), 'invalid_input');
  });

  it('refuses brushes, feathers and coordinates past the bounds, and renders a brush of twice the long side', () => {
    // Unchecked, as a caller could send them: the renderer checks them itself.
    const unchecked = (stroke: StrokeInput): MaskContent => ({
      width: 100,
      height: 100,
      strokes: [{ hardness: 1, opacity: 1, ...stroke }],
      rasters: [],
      invert: false,
    });
    expectAppError(() => rasterizeStrokes(unchecked(dot(50, 50, 1e308)), 200, 200), 'invalid_input');
    // A brush reaches at most three times the long side (a saved feather widens it past twice).
    expectAppError(() => rasterizeStrokes(unchecked(dot(50, 50, 301)), 200, 200), 'invalid_input');
    expectAppError(() => rasterizeStrokes(unchecked(dot(1e308, 50, 10)), 200, 200), 'invalid_input');
    expectAppError(() => rasterizeStrokes(unchecked(dot(50, 50, 10, { hardness: 2 })), 200, 200), 'invalid_input');
    expectAppError(() => rasterizeStrokes(unchecked(dot(50, 50, 10, { opacity: -1 })), 200, 200), 'invalid_input');
    const everything = rasterizeStrokes(drawing([dot(50, 50, 200)]), 20, 20);
    expect(everything.every((value) => value === 255)).toBe(true);
  });
});

describe('maskCoverage', () => {
  it('counts the share of pixels at or above half', () => {
    expect(maskCoverage(Uint8Array.from([0, 127, 128, 255]))).toBe(0.5);
    expect(maskCoverage(new Uint8Array(10).fill(255))).toBe(1);
    expect(maskCoverage(new Uint8Array(0))).toBe(0);
  });
});

describe('MaskContentSchema', () => {
  const valid = { width: 100, height: 80, strokes: [{ points: [{ x: 1, y: 2 }], size: 10, mode: 'paint' }] };

  it('accepts a drawing and defaults to a hard, opaque brush with no rasters and no invert', () => {
    const parsed = MaskContentSchema.parse(valid);
    expect(parsed.strokes[0]).toMatchObject({ hardness: 1, opacity: 1 });
    expect(parsed).toMatchObject({ rasters: [], invert: false });
  });

  it('reads a saved stroke with a feather as the same edge: size + feather, solid within size − feather', () => {
    const parsed = MaskContentSchema.parse({ ...valid, strokes: [{ ...valid.strokes[0], size: 30, feather: 10 }] });
    expect(parsed.strokes[0]).toMatchObject({ size: 40, hardness: 0.5 });
  });

  it.each([
    ['a negative size', { size: -5 }],
    ['a zero size', { size: 0 }],
    ['an unknown mode', { mode: 'smudge' }],
    ['NaN coordinates', { points: [{ x: Number.NaN, y: 2 }] }],
    ['infinite coordinates', { points: [{ x: 1, y: Number.POSITIVE_INFINITY }] }],
    ['no points', { points: [] }],
    ['a negative feather', { feather: -1 }],
    ['a hardness above 1', { hardness: 1.5 }],
    ['a negative opacity', { opacity: -0.1 }],
  ])('refuses %s', (_label, change) => {
    const stroke = { ...valid.strokes[0], ...change };
    expect(MaskContentSchema.safeParse({ ...valid, strokes: [stroke] }).success).toBe(false);
  });

  it('refuses a fractional or empty canvas', () => {
    expect(MaskContentSchema.safeParse({ ...valid, width: 10.5 }).success).toBe(false);
    expect(MaskContentSchema.safeParse({ ...valid, height: 0 }).success).toBe(false);
  });
});
