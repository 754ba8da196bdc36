/**
 * The enhance plan's passes over the preview's pixels (enhance-plan.ts decides from their sums).
 *
 * Each is a function called on one slice of PIXEL_SLICE pixels at a time, so V8 sees it called
 * often and optimizes it whole after the first photos. A loop over all the pixels written inline
 * in the plan's functions (which run once a photo) was only ever compiled while in flight, and
 * dropped back to the interpreter at its end, every photo: the plan took 17 ms a photo instead of
 * 7, and its numbers boxed on the heap were four fifths of the garbage an enhance made. Each slice
 * carries the running totals on, so sums are added in the same order as in one loop.
 */

/** The photo's histogram per channel: how many pixels have each value. */
export type Histograms = readonly [Uint32Array, Uint32Array, Uint32Array];

const PIXEL_SLICE = 8192;

export function eachSlice(pixels: number, work: (from: number, to: number) => void): void {
  for (let from = 0; from < pixels; from += PIXEL_SLICE) work(from, Math.min(pixels, from + PIXEL_SLICE));
}

/** The sum of the Rec. 709 luma of each pixel. */
export function lumaSum(source: Uint8Array, pixels: number): number {
  let sum = 0;
  eachSlice(pixels, (from, to) => {
    sum = addLuma(source, from, to, sum);
  });
  return sum;
}

function addLuma(source: Uint8Array, from: number, to: number, sum: number): number {
  for (let at = from * 3; at < to * 3; at += 3) {
    sum += 0.2126 * source[at]! + 0.7152 * source[at + 1]! + 0.0722 * source[at + 2]!;
  }
  return sum;
}

/** Each value through `curve` into `rgb`, counted into the channel's histogram. */
export function curveAndCount(
  source: Uint8Array,
  from: number,
  to: number,
  curve: Uint8Array,
  rgb: Uint8Array,
  histograms: Histograms,
): void {
  const [red, green, blue] = histograms;
  for (let at = from * 3; at < to * 3; at += 3) {
    const r = curve[source[at]!]!;
    const g = curve[source[at + 1]!]!;
    const b = curve[source[at + 2]!]!;
    rgb[at] = r;
    rgb[at + 1] = g;
    rgb[at + 2] = b;
    red[r]! += 1;
    green[g]! += 1;
    blue[b]! += 1;
  }
}

export type ChannelTables = readonly [Float64Array, Float64Array, Float64Array];

/**
 * Each pixel's saturation after the channel tables, into `saturation` (2 for a pixel too dark or
 * clipped to judge colour by) and, in hundredths, into `counts`. Returns the pixels judged.
 */
export function judgeSaturation(
  rgb: Uint8Array,
  from: number,
  to: number,
  [red, green, blue]: ChannelTables,
  saturation: Float32Array,
  counts: Uint32Array,
): number {
  let candidates = 0;
  for (let index = from, at = from * 3; index < to; index += 1, at += 3) {
    const r = red[rgb[at]!]!;
    const g = green[rgb[at + 1]!]!;
    const b = blue[rgb[at + 2]!]!;
    // Math.max(0, r, g, b) and Math.min(255, r, g, b) in two-argument steps, which V8 inlines.
    const max = Math.max(Math.max(r, g), Math.max(b, 0));
    const min = Math.min(Math.min(r, g), Math.min(b, 255));
    if (max < 40 || max > 245) {
      saturation[index] = 2;
      continue;
    }
    const value = (max - min) / max;
    saturation[index] = value;
    counts[Math.min(100, Math.round(value * 100))]! += 1;
    candidates += 1;
  }
  return candidates;
}

/**
 * Adds to `totals` the channel values, after the tables, of the pixels whose saturation is within
 * `limit`; returns their count.
 */
export function sumGreys(
  rgb: Uint8Array,
  from: number,
  to: number,
  [red, green, blue]: ChannelTables,
  saturation: Float32Array,
  limit: number,
  totals: Float64Array,
): number {
  let [t0, t1, t2] = [totals[0]!, totals[1]!, totals[2]!];
  let count = 0;
  for (let index = from, at = from * 3; index < to; index += 1, at += 3) {
    if (saturation[index]! > limit) continue;
    count += 1;
    t0 += red[rgb[at]!]!;
    t1 += green[rgb[at + 1]!]!;
    t2 += blue[rgb[at + 2]!]!;
  }
  totals[0] = t0;
  totals[1] = t1;
  totals[2] = t2;
  return count;
}
