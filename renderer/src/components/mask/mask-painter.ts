import type { MaskContent, MaskPoint, MaskRaster, MaskStroke } from '../../../../shared/mask';
import { planMask, renderPlan, type RenderPlan } from '../../../../shared/mask-raster';

/** A rectangle of the proxy raster, in its pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The brush as one stroke's settings (everything but its points). */
export type BrushStroke = Omit<MaskStroke, 'points'>;

/**
 * The drawing at the size it is shown (a proxy of the photo: its preview), drawn with the very
 * renderer the engine uses (shared/mask-raster.ts), so what is seen is what is sent. A whole
 * drawing is rendered at once (opening, undo); while a stroke is painted only its newest segment
 * is, into that stroke's own coverage, then laid over the drawing as it was before the stroke —
 * which gives the same pixels as rendering the finished stroke whole (paint keeps the max of its
 * segments; erase multiplies once).
 */
export class MaskPainter {
  /** The strokes and raster layers, before invert (0–255 per proxy pixel). */
  private strokes: Uint8Array;
  private invert = false;
  private live: { before: Uint8Array; coverage: Uint8Array; erase: boolean; last: MaskPoint } | null = null;
  private dirty: Box | null = null;

  constructor(
    readonly photoWidth: number,
    readonly photoHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    this.strokes = new Uint8Array(width * height);
  }

  /**
   * Raster layers' levels at this size (see raster-layers.ts), by their PNG: each layer is decoded
   * once, whichever drawings of the undo history hold it.
   */
  private readonly layerLevels = new Map<string, Uint8Array>();

  hasLayer(png: string): boolean {
    return this.layerLevels.has(png);
  }

  addLayer(png: string, levels: Uint8Array): void {
    this.layerLevels.set(png, levels);
  }

  /** Renders a whole drawing: its raster layers (as decoded), then its strokes. */
  renderAll(content: MaskContent): void {
    const plan = planMask(content, this.width, this.height);
    const base = combineLayers(content.rasters, (png) => this.layerLevels.get(png), this.width * this.height);
    this.strokes = renderPlan(base ? { ...plan, base } : plan);
    this.invert = content.invert;
    this.live = null;
    this.markDirty({ left: 0, top: 0, width: this.width, height: this.height });
  }

  /** The shown value (0–255, after invert) of every proxy pixel: for tests and the overlay. */
  shown(): Uint8Array {
    return this.invert ? this.strokes.map((value) => 255 - value) : this.strokes.slice();
  }

  valueAt(index: number): number {
    const value = this.strokes[index] ?? 0;
    return this.invert ? 255 - value : value;
  }

  /** Starts a stroke with its first point; `stored` is the stroke as the drawing keeps it (mode already flipped under invert). */
  begin(stored: BrushStroke, point: MaskPoint): void {
    this.live = {
      before: this.strokes.slice(),
      coverage: new Uint8Array(this.width * this.height),
      erase: stored.mode === 'erase',
      last: point,
    };
    this.draw(stored, [point]);
  }

  /** Extends the stroke to `point`: only the new segment is rendered. */
  extend(stored: BrushStroke, point: MaskPoint): void {
    if (!this.live) return;
    const from = this.live.last;
    this.live.last = point;
    this.draw(stored, [from, point]);
  }

  /** The stroke is part of the drawing now (its pixels already are). */
  end(): void {
    this.live = null;
  }

  /** Everything is to be shown again (the overlay's colour changed). */
  markAllDirty(): void {
    this.markDirty({ left: 0, top: 0, width: this.width, height: this.height });
  }

  /** What changed since the last call (for the overlay to repaint), or null. */
  takeDirty(): Box | null {
    const box = this.dirty;
    this.dirty = null;
    return box;
  }

  private draw(stored: BrushStroke, points: MaskPoint[]): void {
    const live = this.live;
    if (!live) return;
    const content: MaskContent = {
      width: this.photoWidth,
      height: this.photoHeight,
      strokes: [{ ...stored, mode: 'paint', points }],
      rasters: [],
      invert: false,
    };
    const [stroke] = planMask(content, this.width, this.height).strokes;
    if (!stroke) return;
    const box = strokeBox(stroke, this.width, this.height);
    if (!box) return;
    const local = { ...stroke, xy: stroke.xy.map((value, index) => value - (index % 2 === 0 ? box.left : box.top)) };
    const plan: RenderPlan = {
      width: box.width,
      height: box.height,
      base: crop(live.coverage, this.width, box),
      strokes: [local],
    };
    const coverage = renderPlan(plan);
    for (let row = 0; row < box.height; row++) {
      const at = (box.top + row) * this.width + box.left;
      for (let col = 0; col < box.width; col++) {
        const alpha = coverage[row * box.width + col] ?? 0;
        const index = at + col;
        live.coverage[index] = alpha;
        const below = live.before[index] ?? 0;
        // The same arithmetic as the engine's renderer: paint keeps the max, erase multiplies once.
        this.strokes[index] = live.erase ? Math.floor((below * (255 - alpha) + 127) / 255) : Math.max(below, alpha);
      }
    }
    this.markDirty(box);
  }

  private markDirty(box: Box): void {
    if (!this.dirty) {
      this.dirty = box;
      return;
    }
    const left = Math.min(this.dirty.left, box.left);
    const top = Math.min(this.dirty.top, box.top);
    const right = Math.max(this.dirty.left + this.dirty.width, box.left + box.width);
    const bottom = Math.max(this.dirty.top + this.dirty.height, box.top + box.height);
    this.dirty = { left, top, width: right - left, height: bottom - top };
  }
}

/** The proxy pixels a planned stroke can reach, or null when it lies outside. */
function strokeBox(stroke: RenderPlan['strokes'][number], width: number, height: number): Box | null {
  const reach =
    Math.max(stroke.outer, ...(stroke.edges ? Array.from(stroke.edges.filter((_, i) => i % 2 === 1)) : [])) + 1;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let index = 0; index < stroke.xy.length; index += 2) {
    const x = stroke.xy[index] ?? 0;
    const y = stroke.xy[index + 1] ?? 0;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const left = Math.max(0, Math.floor(minX - reach));
  const top = Math.max(0, Math.floor(minY - reach));
  const right = Math.min(width, Math.ceil(maxX + reach));
  const bottom = Math.min(height, Math.ceil(maxY + reach));
  return left < right && top < bottom ? { left, top, width: right - left, height: bottom - top } : null;
}

function crop(source: Uint8Array, sourceWidth: number, box: Box): Uint8Array {
  const out = new Uint8Array(box.width * box.height);
  for (let row = 0; row < box.height; row++) {
    const start = (box.top + row) * sourceWidth + box.left;
    out.set(source.subarray(start, start + box.width), row * box.width);
  }
  return out;
}

/** The layers combined in order, as the engine combines them: paint raises, erase lowers, each at its opacity. */
export function combineLayers(
  rasters: readonly MaskRaster[],
  levelsOf: (png: string) => Uint8Array | undefined,
  pixels: number,
): Uint8Array | undefined {
  if (rasters.length === 0) return undefined;
  let below = new Uint8Array(pixels);
  for (const raster of rasters) {
    const levels = levelsOf(raster.png);
    if (!levels) continue;
    const out = new Uint8Array(below);
    for (let index = 0; index < out.length; index++) {
      const value = Math.round((levels[index] ?? 0) * raster.opacity);
      if (value === 0) continue;
      const current = out[index] ?? 0;
      out[index] =
        raster.mode === 'paint' ? Math.max(current, value) : Math.floor((current * (255 - value) + 127) / 255);
    }
    below = out;
  }
  return below;
}
