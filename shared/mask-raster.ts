import type { MaskContent } from './mask';
import { planMask, type RenderPlan } from './mask-plan';

// The planning half (checks, output pixels, pen pressure) lives in mask-plan.ts; callers of either take it from here.
export * from './mask-plan';

/**
 * Renders a mask as 8-bit grayscale (row-major, 255 = selected) at outWidth × outHeight. Strokes apply
 * in order: paint raises coverage (max), erase lowers it (multiplies by 1 - alpha). The result depends
 * only on the stroke list, so dropping the last stroke and rendering again is an exact undo. This
 * runs on the calling thread; the engine renders in a worker (see rasterize-worker.ts).
 */
export function rasterizeStrokes(content: MaskContent, outWidth: number, outHeight: number): Uint8Array {
  return renderPlan(planMask(content, outWidth, outHeight));
}

/** Share of pixels (0..1) that count as selected (≥ 128); used to refuse masks that cover too much. */
export function maskCoverage(buffer: Uint8Array): number {
  if (buffer.length === 0) return 0;
  let selected = 0;
  for (const value of buffer) if (value >= 128) selected++;
  return selected / buffer.length;
}

/**
 * Draws a plan. Self-contained on purpose (it refers to nothing outside its own body), so the
 * worker can run this very function from its source text: one implementation, on either thread.
 */
export function renderPlan(plan: RenderPlan): Uint8Array {
  interface Point {
    x: number;
    y: number;
  }
  /**
   * The edge of a stroke in output pixels: alpha is `peak` (its opacity, 0–255) within `inner` of the
   * centre line, falls linearly to 0 at `outer`, and is 0 beyond.
   */
  interface Edge {
    inner: number;
    outer: number;
    peak: number;
  }

  /**
   * A rectangle of the output plane backed by a buffer. Paint strokes draw straight into the output;
   * erase strokes draw into a scratch buffer over their own bounding box first, because erasing
   * multiplies and overlapping segments of one stroke must not erase twice.
   */
  interface Target {
    data: Uint8Array;
    left: number;
    top: number;
    width: number;
    height: number;
  }

  function eraseStroke(output: Uint8Array, width: number, height: number, points: Point[], edges: Edge[]): void {
    const box = strokeBox(points, Math.max(...edges.map((edge) => edge.outer)), width, height);
    if (box === null) return;
    const scratch: Target = { data: new Uint8Array(box.width * box.height), ...box };
    plotStroke(scratch, points, edges);
    for (let row = 0; row < box.height; row++) {
      const outStart = (box.top + row) * width + box.left;
      const scratchStart = row * box.width;
      for (let col = 0; col < box.width; col++) {
        const alpha = scratch.data[scratchStart + col] ?? 0;
        if (alpha === 0) continue;
        const index = outStart + col;
        // Rounded integer form of value × (1 - alpha / 255).
        output[index] = Math.floor(((output[index] ?? 0) * (255 - alpha) + 127) / 255);
      }
    }
  }

  /** The output pixels a stroke can touch, or null when it lies entirely outside the image. */
  function strokeBox(
    points: Point[],
    reach: number,
    width: number,
    height: number,
  ): { left: number; top: number; width: number; height: number } | null {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const { x, y } of points) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    const left = Math.max(0, Math.floor(minX - reach));
    const top = Math.max(0, Math.floor(minY - reach));
    const right = Math.min(width, Math.ceil(maxX + reach));
    const bottom = Math.min(height, Math.ceil(maxY + reach));
    if (left >= right || top >= bottom) return null;
    return { left, top, width: right - left, height: bottom - top };
  }

  /**
   * A stroke is the union of capsules around its segments, i.e. everything within `outer` of its
   * polyline. Drawing each capsule whole would draw every joint's disc twice and, for a big brush with
   * closely spaced points, spend nearly all the time on discs hidden inside the neighbouring segments.
   * Instead the polyline is cut into pieces that each hold the pixels whose nearest polyline point lies
   * on them: a rectangle along every segment, and at every point the sector of its disc that no adjacent
   * segment reaches (the outside of a turn, the end caps, or the whole disc of a one-point stroke).
   * Each piece computes an exact distance to the polyline, so taking the max alpha per pixel over the
   * pieces gives exactly the alpha of the nearest distance.
   */
  function plotStroke(target: Target, points: Point[], edges: Edge[]): void {
    for (let i = 0; i < points.length; i++) {
      const point = points[i];
      const edge = edges[i];
      if (point === undefined || edge === undefined) continue;
      const previous = points[i - 1];
      const next = points[i + 1];
      const nextEdge = edges[i + 1];
      // Where the edge varies, each point's disc is drawn whole: the stroke is then the max over its
      // discs and tapered segments, the same whether it is drawn whole or a segment at a time (the editor).
      const varies = (i > 0 && edge !== edges[i - 1]) || (nextEdge !== undefined && edge !== nextEdge);
      plotPiece(target, edge, varies ? vertexPiece(point, undefined, undefined) : vertexPiece(point, previous, next));
      if (next === undefined || nextEdge === undefined) continue;
      const segment = segmentPiece(point, next);
      if (nextEdge === edge) plotPiece(target, edge, segment);
      else plotVarying(target, segment, edge, nextEdge);
    }
  }

  /**
   * A segment whose ends have different edges (pen pressure): its inner and outer radius and its
   * peak change linearly along it. Every pixel within the larger reach gets its own distance and
   * edge at its nearest point of the segment: no solid fill, so it costs the area, not the outline.
   */
  function plotVarying(
    target: Target,
    piece: Piece & { along(px: number, py: number): number },
    from: Edge,
    to: Edge,
  ): void {
    const { data, left, top, width, height } = target;
    const outer = Math.max(from.outer, to.outer);
    const firstRow = Math.max(top, Math.ceil(piece.minY - outer - 0.5));
    const lastRow = Math.min(top + height - 1, Math.floor(piece.maxY + outer - 0.5));
    for (let row = firstRow; row <= lastRow; row++) {
      const cy = row + 0.5;
      const span = piece.span(cy, outer);
      if (span === null) continue;
      const first = Math.max(left, Math.ceil(span[0] - 0.5));
      const last = Math.min(left + width - 1, Math.floor(span[1] - 0.5));
      const rowStart = (row - top) * width - left;
      for (let col = first; col <= last; col++) {
        const cx = col + 0.5;
        const t = piece.along(cx, cy);
        const edgeOuter = from.outer + (to.outer - from.outer) * t;
        const distance = piece.distance(cx, cy);
        if (distance >= edgeOuter) continue;
        const edgeInner = from.inner + (to.inner - from.inner) * t;
        const peak = Math.round(from.peak + (to.peak - from.peak) * t);
        const alpha =
          distance <= edgeInner ? peak : Math.round((peak * (edgeOuter - distance)) / (edgeOuter - edgeInner));
        const index = rowStart + col;
        if (alpha > (data[index] ?? 0)) data[index] = alpha;
      }
    }
  }

  /** One convex region of a stroke: its vertical extent, its span on a row at a given radius, and its distance. */
  interface Piece {
    minY: number;
    maxY: number;
    span(cy: number, radius: number): [number, number] | null;
    distance(px: number, py: number): number;
  }

  /**
   * Draws a piece into the target, keeping the max alpha per pixel. Row by row, the span inside the
   * inner edge is filled with the peak natively and only the soft band up to the outer edge gets a distance
   * per pixel, so the work follows the outline rather than the area.
   */
  function plotPiece(target: Target, edge: Edge, piece: Piece): void {
    const { data, left, top, width, height } = target;
    const { inner, outer, peak } = edge;
    const firstRow = Math.max(top, Math.ceil(piece.minY - outer - 0.5));
    const lastRow = Math.min(top + height - 1, Math.floor(piece.maxY + outer - 0.5));
    const band = outer - inner;

    for (let row = firstRow; row <= lastRow; row++) {
      const cy = row + 0.5;
      const outerSpan = piece.span(cy, outer);
      if (outerSpan === null) continue;
      const from = Math.max(left, Math.ceil(outerSpan[0] - 0.5));
      const to = Math.min(left + width - 1, Math.floor(outerSpan[1] - 0.5));
      if (from > to) continue;

      // Pixels whose centres are inside the inner edge, [solidFrom, solidTo]; empty when solidFrom > to.
      let solidFrom = to + 1;
      let solidTo = to;
      const innerSpan = inner > 0 ? piece.span(cy, inner) : null;
      if (innerSpan !== null) {
        const start = Math.max(from, Math.ceil(innerSpan[0] - 0.5));
        const end = Math.min(to, Math.floor(innerSpan[1] - 0.5));
        if (start <= end) {
          solidFrom = start;
          solidTo = end;
        }
      }

      const rowStart = (row - top) * width - left;
      if (solidFrom <= solidTo) {
        if (peak === 255) data.fill(255, rowStart + solidFrom, rowStart + solidTo + 1);
        else {
          // A translucent stroke raises what is there to its peak, never lowers it.
          for (let index = rowStart + solidFrom; index <= rowStart + solidTo; index++) {
            if ((data[index] ?? 0) < peak) data[index] = peak;
          }
        }
      }
      for (let col = from; col <= to; col++) {
        if (col === solidFrom) {
          col = solidTo;
          continue;
        }
        const index = rowStart + col;
        const current = data[index] ?? 0;
        if (current >= peak) continue;
        const distance = piece.distance(col + 0.5, cy);
        if (distance >= outer) continue;
        const alpha = distance <= inner ? peak : Math.round((peak * (outer - distance)) / band);
        if (alpha > current) data[index] = alpha;
      }
    }
  }

  /**
   * The band along a segment: points whose projection falls on it (0 ≤ t ≤ 1) within `radius` of it.
   * Each condition is a slab; on a horizontal line each slab is an interval (or everything / nothing
   * when the slab is parallel to the line). A zero-length segment has no band; its point's disc covers it.
   */
  function segmentPiece(a: Point, b: Point): Piece & { along(px: number, py: number): number } {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const lengthSquared = dx * dx + dy * dy;
    const length = Math.sqrt(lengthSquared);
    return {
      minY: Math.min(a.y, b.y),
      maxY: Math.max(a.y, b.y),
      span(cy, radius) {
        if (lengthSquared === 0) return null;
        const ey = cy - a.y;
        let low = -Infinity;
        let high = Infinity;
        // Along the segment: 0 ≤ (x - a.x)·dx + ey·dy ≤ length².
        if (dx !== 0) {
          const u = (0 - ey * dy) / dx;
          const v = (lengthSquared - ey * dy) / dx;
          low = a.x + Math.min(u, v);
          high = a.x + Math.max(u, v);
        } else if (ey * dy < 0 || ey * dy > lengthSquared) {
          return null;
        }
        // Across the segment: |(x - a.x)·dy - ey·dx| ≤ radius·length.
        if (dy !== 0) {
          const u = (ey * dx - radius * length) / dy;
          const v = (ey * dx + radius * length) / dy;
          low = Math.max(low, a.x + Math.min(u, v));
          high = Math.min(high, a.x + Math.max(u, v));
        } else if (Math.abs(ey * dx) > radius * length) {
          return null;
        }
        return low <= high ? [low, high] : null;
      },
      along(px, py) {
        return lengthSquared === 0 ? 0 : Math.min(1, Math.max(0, ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared));
      },
      distance(px, py) {
        // Clamped, so a pixel that rounding put just past an end still gets a true distance.
        const t = Math.min(1, Math.max(0, ((px - a.x) * dx + (py - a.y) * dy) / lengthSquared));
        const ex = px - a.x - t * dx;
        const ey = py - a.y - t * dy;
        return Math.sqrt(ex * ex + ey * ey);
      },
    };
  }

  /**
   * Pieces meet on lines; this sliver of overlap keeps a pixel centre lying exactly on one from being
   * lost to rounding in both. Overlap is harmless: a pixel drawn twice keeps the max.
   */
  const SEAM = 1e-6;

  /**
   * The part of the disc around a point that its segments do not reach: beyond the end of the incoming
   * segment and before the start of the outgoing one. Each condition is a half-plane through the point.
   */
  function vertexPiece(point: Point, previous: Point | undefined, next: Point | undefined): Piece {
    const halfPlanes: Point[] = [];
    // (p - point)·w ≥ 0 for each unit normal w; a zero-length neighbour gives no constraint.
    if (previous !== undefined) addHalfPlane(halfPlanes, point.x - previous.x, point.y - previous.y);
    if (next !== undefined) addHalfPlane(halfPlanes, point.x - next.x, point.y - next.y);
    return {
      minY: point.y,
      maxY: point.y,
      span(cy, radius) {
        const dy = cy - point.y;
        if (Math.abs(dy) > radius) return null;
        const half = Math.sqrt(radius * radius - dy * dy);
        let low = point.x - half;
        let high = point.x + half;
        for (const w of halfPlanes) {
          // (x - point.x)·w.x + dy·w.y ≥ -SEAM
          const reach = dy * w.y + SEAM;
          if (w.x > 0) low = Math.max(low, point.x - reach / w.x);
          else if (w.x < 0) high = Math.min(high, point.x - reach / w.x);
          else if (reach < 0) return null;
        }
        return low <= high ? [low, high] : null;
      },
      distance(px, py) {
        return Math.hypot(px - point.x, py - point.y);
      },
    };
  }

  function addHalfPlane(halfPlanes: Point[], x: number, y: number): void {
    const length = Math.hypot(x, y);
    if (length > 0) halfPlanes.push({ x: x / length, y: y / length });
  }

  const output = plan.base ? new Uint8Array(plan.base) : new Uint8Array(plan.width * plan.height);
  const whole: Target = { data: output, left: 0, top: 0, width: plan.width, height: plan.height };
  for (const stroke of plan.strokes) {
    const points: Point[] = [];
    for (let index = 0; index < stroke.xy.length; index += 2) {
      points.push({ x: stroke.xy[index] ?? 0, y: stroke.xy[index + 1] ?? 0 });
    }
    const constant: Edge = { inner: stroke.inner, outer: stroke.outer, peak: stroke.peak };
    const { edges: varying, peaks } = stroke;
    const edges: Edge[] = points.map((_, index) =>
      varying && peaks
        ? { inner: varying[index * 2] ?? 0, outer: varying[index * 2 + 1] ?? 0, peak: peaks[index] ?? 0 }
        : constant,
    );
    if (stroke.erase) eraseStroke(output, plan.width, plan.height, points, edges);
    else plotStroke(whole, points, edges);
  }
  return output;
}
