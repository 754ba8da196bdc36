import { AppError } from './errors';
import { type MaskContent, MaskContentSchema, type MaskStroke, maskWork, MAX_MASK_WORK, pressureFactor } from './mask';
import { parseOrThrow } from './validation';

/** Largest side and area a mask may be rendered at: beyond any camera's output, and it bounds memory. */
export const MAX_MASK_SIDE = 30_000;
export const MAX_MASK_PIXELS = 200_000_000;

/**
 * A mask's strokes made ready to render: in output pixels, each with its edge and its strength
 * (peak, 0–255, from its opacity). Plain data, so it can be posted to a worker. This module is pure
 * (no Node, no DOM): the engine renders with it in a worker, and the editor's preview can use the
 * very same code, so what is painted is what is sent.
 */
export interface RenderPlan {
  width: number;
  height: number;
  /** What the strokes are drawn over (the raster layers, already combined); blank when absent. */
  base?: Uint8Array;
  strokes: PlannedStroke[];
}

export interface PlannedStroke {
  xy: Float64Array;
  inner: number;
  outer: number;
  peak: number;
  erase: boolean;
  /**
   * Where pen pressure varies the brush: each point's own edge (inner, outer interleaved) and peak,
   * which `inner`, `outer` and `peak` then bound (the smallest inner, the largest outer and peak).
   */
  edges?: Float64Array;
  peaks?: Uint8Array;
}

/**
 * Checks a mask's content and puts its strokes in output pixels: valid by the schema (points and
 * sizes bounded relative to the photo) and within the rendering budget at this resolution. Cheap
 * (one pass over the points); the rendering itself is `renderPlan`, which may run in a worker.
 * Raster layers and the invert flag are the caller's (they need an image decoder).
 */
export function planMask(content: MaskContent, outWidth: number, outHeight: number): RenderPlan {
  assertOutputSize(outWidth, outHeight);
  const parsed = parseOrThrow(MaskContentSchema, content, 'mask');
  const work = maskWork(parsed, outWidth, outHeight);
  if (work > MAX_MASK_WORK) {
    throw new AppError(
      'invalid_input',
      `This mask is too detailed to render at ${outWidth} × ${outHeight}: use fewer points, a smaller or harder brush.`,
      { work, max: MAX_MASK_WORK },
    );
  }
  const sx = outWidth / parsed.width;
  const sy = outHeight / parsed.height;
  // A brush stays round: its size scales by the mean factor even when the image is stretched.
  const sizeScale = (sx + sy) / 2;
  return {
    width: outWidth,
    height: outHeight,
    strokes: parsed.strokes.map((stroke): PlannedStroke => {
      const xy = new Float64Array(stroke.points.length * 2);
      stroke.points.forEach((point, index) => {
        xy[index * 2] = point.x * sx;
        xy[index * 2 + 1] = point.y * sy;
      });
      const planned: PlannedStroke = {
        xy,
        ...strokeEdge((stroke.size * sizeScale) / 2, stroke.hardness),
        peak: Math.round(255 * stroke.opacity),
        erase: stroke.mode === 'erase',
      };
      return withPressure(planned, stroke, (stroke.size * sizeScale) / 2);
    }),
  };
}

/** A stroke whose pen pressure changes its size or opacity gets each point's own edge and peak. */
function withPressure(planned: PlannedStroke, stroke: MaskStroke, radius: number): PlannedStroke {
  const controls = stroke.pressureControls;
  if (!controls || (!controls.size && !controls.opacity)) return planned;
  if (stroke.points.every((point) => point.pressure === undefined)) return planned;
  const edges = new Float64Array(stroke.points.length * 2);
  const peaks = new Uint8Array(stroke.points.length);
  let inner = Infinity;
  let outer = 0;
  let peak = 0;
  stroke.points.forEach((point, index) => {
    const factor = pressureFactor(point.pressure);
    const edge = strokeEdge(controls.size ? radius * factor : radius, stroke.hardness);
    edges[index * 2] = edge.inner;
    edges[index * 2 + 1] = edge.outer;
    peaks[index] = Math.round(255 * stroke.opacity * (controls.opacity ? factor : 1));
    inner = Math.min(inner, edge.inner);
    outer = Math.max(outer, edge.outer);
    peak = Math.max(peak, peaks[index] ?? 0);
  });
  return { ...planned, inner, outer, peak, edges, peaks };
}

/**
 * The edge of a brush of `radius` output pixels: solid within hardness × radius, fading linearly to
 * 0 at the radius. A fade narrower than a pixel (a hard brush, or a small one after downscaling) is
 * an anti-aliased edge one pixel wide, centred where the fade was, so a thin brush still selects its
 * own path rather than fading away.
 */
export function strokeEdge(radius: number, hardness: number): { inner: number; outer: number } {
  const soft = radius * (1 - hardness);
  if (soft >= 1) return { inner: radius - soft, outer: radius };
  const centre = radius - soft / 2;
  return { inner: Math.max(0, centre - 0.5), outer: centre + 0.5 };
}

export function assertOutputSize(width: number, height: number): void {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > MAX_MASK_SIDE) {
      throw new AppError('invalid_input', `The mask ${name} must be a whole number from 1 to ${MAX_MASK_SIDE}.`);
    }
  }
  if (width * height > MAX_MASK_PIXELS) {
    throw new AppError('invalid_input', `A mask can have at most ${MAX_MASK_PIXELS / 1_000_000} megapixels.`);
  }
}
