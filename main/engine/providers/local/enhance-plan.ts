/**
 * What the local enhance decides for a photo, from a small rendering of it: plain numbers, applied
 * by enhance.ts.
 */

import { curveAndCount, eachSlice, type Histograms, judgeSaturation, lumaSum, sumGreys } from './enhance-plan-pixels';

/** The knobs of `enhance`, after a preset filled what the user left out. */
export interface EnhanceSettings {
  /** Per-channel percentile stretch (0 off … 1 full), applied in proportion to how washed out the photo is. */
  autoColor: number;
  /** Neutralises a colour cast found on near-neutral pixels (0 off … 1 full). */
  whiteBalance: number;
  /** Extra exposure in stops, on top of the automatic correction. */
  exposure: number;
  /** Brings a too dark or too bright photo's mid-tones toward a target (0 off … 1 full). */
  autoExposure: number;
  /** Mid-tone brightness the automatic exposure aims for (0–255). */
  exposureTarget: number;
  /** -1 flatter … 1 punchier, around the middle grey. */
  contrast: number;
  /** Multiplies saturation (1 unchanged). */
  saturation: number;
  /** Unsharp-mask strength (0 off). */
  sharpen: number;
  noiseReduction: boolean;
}

/** What the analysis decided, as plain numbers (applied by enhance.ts: tone curves and sharpening in a pixel worker). */
export interface EnhancePlan {
  /** out = gain × in + offset, per channel (levels, white balance and contrast in one pass). */
  gain: [number, number, number];
  offset: [number, number, number];
  /** > 1 brightens mid-tones (a power curve), < 1 darkens; 1 leaves them. */
  midtonePower: number;
  saturation: number;
  sharpen: number;
  noiseReduction: boolean;
}

const LOW_PERCENTILE = 0.005;
const HIGH_PERCENTILE = 0.995;
const BLACK_TARGET = 4;
const WHITE_TARGET = 251;

/**
 * Decides the corrections from a small RGB rendering of the photo (analysis on ~0.1 MP is as good
 * as on the full image and costs a millisecond). Every correction scales with how far the photo is
 * from normal, so a well-exposed, neutral photo is left nearly alone:
 *   - levels: the per-channel stretch runs in proportion to how compressed the shared range is;
 *   - white balance: gains that make the near-neutral pixels neutral, found iteratively so a cast
 *     photo's greys are found even when nothing is grey before correction; a photo whose greys are
 *     already grey gets gains of 1, however colourful the rest;
 *   - exposure: a power curve only when the mean brightness is outside a comfortable band.
 * The power curve comes first, then one affine step per channel (levels, balance, contrast).
 */
export function planEnhance(source: Uint8Array, settings: EnhanceSettings): EnhancePlan {
  const pixels = Math.floor(source.length / 3);
  // 0. Exposure first (sharp applies its power curve before the affine step, so the plan follows
  //    the same order): a power curve only when the mean brightness is outside a comfortable band.
  const length = pixels * 3;
  const mean = clamp(lumaSum(source, pixels) / Math.max(1, pixels), 1, 254);
  let power = 2 ** (settings.exposure * 0.5);
  const band = 28;
  if (Math.abs(mean - settings.exposureTarget) > band && settings.autoExposure > 0) {
    const aim = mean < settings.exposureTarget ? settings.exposureTarget - band : settings.exposureTarget + band;
    // (mean/255)^(1/p) = aim/255  →  p = ln(mean/255) / ln(aim/255)
    const wanted = Math.log(mean / 255) / Math.log(aim / 255);
    power *= lerp(1, clamp(wanted, 0.6, 1.8), settings.autoExposure);
  }
  power = clamp(power, 1 / 3, 3);
  const curve = new Uint8Array(256);
  for (let value = 0; value < 256; value += 1) curve[value] = Math.round(255 * (value / 255) ** (1 / power));
  const rgb = new Uint8Array(length);
  const histograms = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)] as const;
  eachSlice(pixels, (from, to) => curveAndCount(source, from, to, curve, rgb, histograms));
  const sharedSpan =
    Math.max(...histograms.map((histogram) => percentile(histogram, pixels, HIGH_PERCENTILE))) -
    Math.min(...histograms.map((histogram) => percentile(histogram, pixels, LOW_PERCENTILE)));

  // 0 for a photo using the whole range, 1 for one squeezed into 60% of it (fog, a bad scan, a cast copy).
  const washedOut = clamp((235 - sharedSpan) / 80, 0, 1) * settings.autoColor;

  // 1. Shared levels: the darkest and brightest channel points go to black and white, the same for
  //    every channel (no colour change yet), in proportion to how washed out the photo is.
  const sharedLo = Math.min(...histograms.map((histogram) => percentile(histogram, pixels, LOW_PERCENTILE)));
  const sharedStretch = (WHITE_TARGET - BLACK_TARGET) / Math.max(16, sharedSpan);
  const levelGain = lerp(1, sharedStretch, washedOut);
  const levelOffset = lerp(0, BLACK_TARGET - sharedLo * sharedStretch, washedOut);
  const gain: [number, number, number] = [levelGain, levelGain, levelGain];
  const offset: [number, number, number] = [levelOffset, levelOffset, levelOffset];

  // 2. White balance on the levelled photo. Two classic estimates of the light's colour each fail
  //    on their own kind of photo: grey-world on a colourful scene (it would grey out red cups),
  //    grey-pixel on a cast that turned something blue into grey. A channel is corrected only where
  //    both agree on the direction, by the smaller of the two. A slight tint is usually the light of
  //    the scene (dusk, shade), not a cast: corrected in full only from a 16% tint, not below 6%.
  const world = greyWorldGains(histograms, gain, offset);
  const pixel = neutralGains(rgb, pixels, gain, offset);
  const balance = [0, 1, 2].map((channel) => {
    const a = (world[channel] ?? 1) - 1;
    const b = (pixel[channel] ?? 1) - 1;
    return Math.sign(a) === Math.sign(b) ? 1 + Math.sign(a) * Math.min(Math.abs(a), Math.abs(b)) : 1;
  });
  const tint = Math.max(...balance.map((value) => Math.abs(value - 1)));
  const castAmount = clamp((tint - 0.06) / 0.1, 0, 1) * settings.whiteBalance;
  for (let channel = 0; channel < 3; channel += 1) {
    const g = lerp(1, balance[channel] ?? 1, castAmount);
    gain[channel] = (gain[channel] ?? 1) * g;
    offset[channel] = (offset[channel] ?? 0) * g;
  }

  // 3. Per-channel levels on the balanced photo (auto colour): each channel's 0.5% and 99.5% points
  //    toward black and white, in proportion to how washed out the photo was. One channel's stretch
  //    may differ from the shared one by at most 15%, so a scene legitimately short of one colour
  //    (dusk, foliage) is not pushed into a cast of its own.
  const ranges = channelRanges(histograms, pixels, gain, offset);
  const allLo = Math.min(...ranges.map((range) => range.lo));
  const allHi = Math.max(...ranges.map((range) => range.hi));
  const shared = (WHITE_TARGET - BLACK_TARGET) / Math.max(16, allHi - allLo);
  for (let channel = 0; channel < 3; channel += 1) {
    const range = ranges[channel] ?? { lo: 0, hi: 255 };
    const own = (WHITE_TARGET - BLACK_TARGET) / Math.max(16, range.hi - range.lo);
    const stretch = own / shared;
    // Stretch around the channel's middle, so a limited stretch still centres the channel.
    const middle = (range.lo + range.hi) / 2;
    const g = lerp(1, stretch, washedOut);
    const o = lerp(0, middle * (1 - stretch), washedOut);
    gain[channel] = (gain[channel] ?? 1) * g;
    offset[channel] = (offset[channel] ?? 0) * g + o;
  }

  // 4. Never a stronger cast than the photo came with: stretching a washed-out photo also stretches
  //    the differences between its channel means; any channel whose mean would stray further from
  //    grey (relative to brightness) than it did is pulled back to where it was.
  const before = channelMeans(histograms, pixels, [1, 1, 1], [0, 0, 0]);
  const after = channelMeans(histograms, pixels, gain, offset);
  const greyBefore = (before[0]! + before[1]! + before[2]!) / 3;
  const greyAfter = (after[0]! + after[1]! + after[2]!) / 3;
  for (let channel = 0; channel < 3; channel += 1) {
    const allowed = (((before[channel] ?? 0) - greyBefore) * greyAfter) / Math.max(1, greyBefore);
    const now = (after[channel] ?? 0) - greyAfter;
    if (Math.abs(now) <= Math.abs(allowed) || (after[channel] ?? 0) < 1) continue;
    const factor = (greyAfter + Math.sign(now) * Math.abs(allowed)) / (after[channel] ?? 1);
    gain[channel] = (gain[channel] ?? 1) * factor;
    offset[channel] = (offset[channel] ?? 0) * factor;
  }

  // Contrast around middle grey, folded into the same affine pass.
  const c = 1 + settings.contrast * 0.5;
  for (let channel = 0; channel < 3; channel += 1) {
    gain[channel] = (gain[channel] ?? 1) * c;
    offset[channel] = (offset[channel] ?? 0) * c + 128 * (1 - c);
  }

  return {
    gain,
    offset,
    midtonePower: power,
    saturation: settings.saturation,
    sharpen: settings.sharpen,
    noiseReduction: settings.noiseReduction,
  };
}

/**
 * Gains that make the photo's greys grey. The greys are taken as the least saturated tenth of the
 * mid-bright pixels: under a cast nothing is exactly grey, but what was grey is still the least
 * coloured. Three rounds refine the estimate. Gains stay within 0.6–1.6 and keep brightness.
 */
function neutralGains(
  rgb: Uint8Array,
  pixels: number,
  gain: readonly number[],
  offset: readonly number[],
): [number, number, number] {
  const balance: [number, number, number] = [1, 1, 1];
  const saturation = new Float32Array(pixels);
  // Each channel's corrected value for each of its 256 values, made once a round: a lookup per
  // pixel instead of the arithmetic, with the same results.
  const tables = [new Float64Array(256), new Float64Array(256), new Float64Array(256)] as const;
  const totals = new Float64Array(3);
  for (let round = 0; round < 3; round += 1) {
    tables.forEach((table, channel) => {
      const [g, o, b] = [gain[channel] ?? 1, offset[channel] ?? 0, balance[channel] ?? 1];
      for (let value = 0; value < 256; value += 1) table[value] = (g * value + o) * b;
    });
    const counts = new Uint32Array(101);
    let candidates = 0;
    eachSlice(pixels, (from, to) => {
      candidates += judgeSaturation(rgb, from, to, tables, saturation, counts);
    });
    if (candidates < pixels * 0.05) break;
    let seen = 0;
    let threshold = 0;
    while (threshold < 35 && seen + (counts[threshold] ?? 0) < candidates * 0.1) seen += counts[threshold++] ?? 0;
    const limit = (threshold + 0.5) / 100;
    totals.fill(0);
    let count = 0;
    eachSlice(pixels, (from, to) => {
      count += sumGreys(rgb, from, to, tables, saturation, limit, totals);
    });
    if (count < pixels * 0.005) break;
    const grey = (totals[0]! + totals[1]! + totals[2]!) / 3;
    for (let channel = 0; channel < 3; channel += 1) {
      balance[channel] = clamp(((balance[channel] ?? 1) * grey) / Math.max(1, totals[channel] ?? 1), 0.6, 1.6);
    }
  }
  // Keep brightness: the luminance weight of the gains is 1.
  const weight = 0.2126 * balance[0] + 0.7152 * balance[1] + 0.0722 * balance[2];
  return [balance[0] / weight, balance[1] / weight, balance[2] / weight];
}

/** Each channel's mean after the affine step, clamped to 0–255 as the output would be. */
function channelMeans(
  histograms: Histograms,
  pixels: number,
  gain: readonly number[],
  offset: readonly number[],
): number[] {
  return channelSums(histograms, gain, offset).map((sum) => sum / Math.max(1, pixels));
}

/** Sums over the histogram, not the pixels: 256 steps a channel instead of one per pixel. */
function channelSums(histograms: Histograms, gain: readonly number[], offset: readonly number[]): number[] {
  return histograms.map((histogram, channel) => {
    const [g, o] = [gain[channel] ?? 1, offset[channel] ?? 0];
    let sum = 0;
    for (let value = 0; value < 256; value += 1) sum += histogram[value]! * clamp(g * value + o, 0, 255);
    return sum;
  });
}

/** Each channel's 0.5% and 99.5% points after the affine step (its histogram moved value by value). */
function channelRanges(
  histograms: Histograms,
  pixels: number,
  gain: readonly number[],
  offset: readonly number[],
): { lo: number; hi: number }[] {
  return histograms.map((histogram, channel) => {
    const [g, o] = [gain[channel] ?? 1, offset[channel] ?? 0];
    const moved = new Uint32Array(256);
    for (let value = 0; value < 256; value += 1) moved[Math.round(clamp(g * value + o, 0, 255))]! += histogram[value]!;
    return { lo: percentile(moved, pixels, LOW_PERCENTILE), hi: percentile(moved, pixels, HIGH_PERCENTILE) };
  });
}

/** Gains that make the average colour grey (the grey-world assumption), keeping brightness. */
function greyWorldGains(
  histograms: Histograms,
  gain: readonly number[],
  offset: readonly number[],
): [number, number, number] {
  const sums = channelSums(histograms, gain, offset);
  const grey = (sums[0]! + sums[1]! + sums[2]!) / 3;
  const balance = sums.map((sum) => clamp(grey / Math.max(1, sum), 0.6, 1.6)) as [number, number, number];
  const weight = 0.2126 * balance[0] + 0.7152 * balance[1] + 0.0722 * balance[2];
  return [balance[0] / weight, balance[1] / weight, balance[2] / weight];
}

/** The plan's power curve and affine step as one lookup table per channel. */
export function planCurves(plan: EnhancePlan): [Uint8Array, Uint8Array, Uint8Array] {
  const power = clamp(plan.midtonePower, 1 / 3, 3);
  return [0, 1, 2].map((channel) => {
    const lut = new Uint8Array(256);
    for (let value = 0; value < 256; value += 1) {
      const curved = 255 * (value / 255) ** (1 / power);
      lut[value] = Math.round(clamp((plan.gain[channel] ?? 1) * curved + (plan.offset[channel] ?? 0), 0, 255));
    }
    return lut;
  }) as [Uint8Array, Uint8Array, Uint8Array];
}

function percentile(histogram: Uint32Array, total: number, share: number): number {
  const wanted = total * share;
  let seen = 0;
  for (let value = 0; value < 256; value += 1) {
    seen += histogram[value] ?? 0;
    if (seen >= wanted) return value;
  }
  return 255;
}

function lerp(from: number, to: number, amount: number): number {
  return from + (to - from) * amount;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
