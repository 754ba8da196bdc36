/**
 * The geometry of the before/after compare view, with no DOM so it can be tested on its own.
 *
 * Coordinates:
 * - box: the CSS pixels of one viewport (the slider's stage, or one pane of side-by-side).
 * - layout: box pixels before zoom and pan. Each image is fitted into the box (scaled to fit,
 *   centred), so two images of different size or aspect share one frame and stay aligned.
 * - screen: box pixels after the shared view (zoom and pan) is applied to the layout.
 * - image: the pixels of one image at full resolution.
 *
 * One `View` is shared by every image and pane, so zooming or panning one moves all of them.
 */

export type CompareMode = 'slider' | 'side-by-side' | 'toggle';

export const COMPARE_MODES: readonly CompareMode[] = ['slider', 'side-by-side', 'toggle'];

/** The zoom a new photo opens at: fit, or a percentage of its densest image about its centre. */
export type StartZoom = { fitted: true } | { fitted: false; percent: number };

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Rect extends Point, Size {}

/**
 * The shared view. `scale` multiplies the fitted layout (1 = fit). (`cx`, `cy`) is the layout
 * point shown at the centre of the box, as a fraction of the box's width and height, so the view
 * survives a resize.
 */
export interface View {
  readonly scale: number;
  readonly cx: number;
  readonly cy: number;
}

export const FIT_VIEW: View = Object.freeze({ scale: 1, cx: 0.5, cy: 0.5 });

/** Previews are rendered with this long edge; above it the full image is needed. */
export const PREVIEW_LONG_EDGE = 2048;

/** The deepest zoom, as a percentage of the densest image's pixels (Lightroom stops at 1600%). */
export const MAX_ZOOM_PERCENT = 1600;

const EPSILON = 1e-9;

/** Y cycles the modes in this order, as Lightroom's Y cycles its before/after layouts. */
export function nextCompareMode(mode: CompareMode): CompareMode {
  switch (mode) {
    case 'slider':
      return 'side-by-side';
    case 'side-by-side':
      return 'toggle';
    case 'toggle':
      return 'slider';
    default: {
      const unreachable: never = mode;
      return unreachable;
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function isUsable(size: Size): boolean {
  return Number.isFinite(size.width) && Number.isFinite(size.height) && size.width > 0 && size.height > 0;
}

/** Layout pixels per image pixel when the image is fitted into the box; 0 if either is empty. */
export function fitScale(image: Size, box: Size): number {
  if (!isUsable(image) || !isUsable(box)) return 0;
  return Math.min(box.width / image.width, box.height / image.height);
}

/** Where the image sits in the layout: scaled to fit the box (up or down) and centred. */
export function fitRect(image: Size, box: Size): Rect {
  const scale = fitScale(image, box);
  const width = image.width * scale || 0;
  const height = image.height * scale || 0;
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/**
 * The image with the most pixels per layout pixel once fitted (the smallest fit scale). Zoom
 * percentages refer to it, so at 100% no image is shown below its own resolution. Ties go to the
 * first. -1 if no image is usable.
 */
export function referenceIndex(images: readonly Size[], box: Size): number {
  let best = -1;
  let bestScale = Infinity;
  images.forEach((image, index) => {
    const scale = fitScale(image, box);
    if (scale > 0 && scale < bestScale - EPSILON) {
      best = index;
      bestScale = scale;
    }
  });
  return best;
}

function referenceFitScale(images: readonly Size[], box: Size): number {
  const image = images[referenceIndex(images, box)];
  return image ? fitScale(image, box) : 0;
}

/**
 * The view scale at which the reference image shows `percent`%: at 100% one image pixel covers
 * one device pixel, so `pixelRatio` (window.devicePixelRatio) matters.
 */
export function scaleForPercent(percent: number, box: Size, images: readonly Size[], pixelRatio = 1): number {
  const reference = referenceFitScale(images, box);
  if (reference <= 0 || pixelRatio <= 0) return 1;
  return percent / 100 / (reference * pixelRatio);
}

/** The zoom percentage of the reference image at this view. */
export function percentForView(view: View, box: Size, images: readonly Size[], pixelRatio = 1): number {
  return view.scale * referenceFitScale(images, box) * pixelRatio * 100;
}

/** Fit is the least zoom; the most is MAX_ZOOM_PERCENT, or fit if the images are smaller than that. */
export function zoomLimits(box: Size, images: readonly Size[], pixelRatio = 1): { min: number; max: number } {
  return { min: 1, max: Math.max(1, scaleForPercent(MAX_ZOOM_PERCENT, box, images, pixelRatio)) };
}

export function isFitView(view: View): boolean {
  return Math.abs(view.scale - 1) < 1e-6;
}

/** The smallest rect holding every fitted image (they are centred, so it is centred too). */
export function contentRect(images: readonly Size[], box: Size): Rect {
  let width = 0;
  let height = 0;
  for (const image of images) {
    const rect = fitRect(image, box);
    width = Math.max(width, rect.width);
    height = Math.max(height, rect.height);
  }
  return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/** One axis of the pan clamp: keep the content's edges outside the box, or centre it if it is smaller. */
function clampCentre(centre: number, boxLength: number, start: number, length: number, scale: number): number {
  const halfVisible = boxLength / (2 * scale);
  if (length <= 2 * halfVisible + EPSILON) return (start + length / 2) / boxLength;
  return clamp(centre * boxLength, start + halfVisible, start + length - halfVisible) / boxLength;
}

/** Zoom within its limits, and pan no further than the content's edges. */
export function clampView(view: View, box: Size, images: readonly Size[], pixelRatio = 1): View {
  if (!isUsable(box)) return FIT_VIEW;
  const { min, max } = zoomLimits(box, images, pixelRatio);
  const scale = Number.isFinite(view.scale) ? clamp(view.scale, min, max) : 1;
  const content = contentRect(images, box);
  const cx = Number.isFinite(view.cx) ? view.cx : 0.5;
  const cy = Number.isFinite(view.cy) ? view.cy : 0.5;
  return {
    scale,
    cx: clampCentre(cx, box.width, content.x, content.width, scale),
    cy: clampCentre(cy, box.height, content.y, content.height, scale),
  };
}

/** The translation and scale that take the layout to the screen: screen = offset + layout · scale. */
export function viewTransform(view: View, box: Size): { x: number; y: number; scale: number } {
  return {
    x: box.width / 2 - view.cx * box.width * view.scale,
    y: box.height / 2 - view.cy * box.height * view.scale,
    scale: view.scale,
  };
}

export function layoutToScreen(point: Point, view: View, box: Size): Point {
  const t = viewTransform(view, box);
  return { x: t.x + point.x * t.scale, y: t.y + point.y * t.scale };
}

export function screenToLayout(point: Point, view: View, box: Size): Point {
  const t = viewTransform(view, box);
  return { x: (point.x - t.x) / t.scale, y: (point.y - t.y) / t.scale };
}

/** Where an image is drawn in the box at this view. */
export function imageScreenRect(image: Size, view: View, box: Size): Rect {
  const fitted = fitRect(image, box);
  const origin = layoutToScreen(fitted, view, box);
  return { x: origin.x, y: origin.y, width: fitted.width * view.scale, height: fitted.height * view.scale };
}

/** The image pixel under a point of the box (may lie outside the image). */
export function screenToImage(point: Point, image: Size, view: View, box: Size): Point {
  const layout = screenToLayout(point, view, box);
  const fitted = fitRect(image, box);
  const scale = fitScale(image, box) || 1;
  return { x: (layout.x - fitted.x) / scale, y: (layout.y - fitted.y) / scale };
}

export function imageToScreen(point: Point, image: Size, view: View, box: Size): Point {
  const fitted = fitRect(image, box);
  const scale = fitScale(image, box);
  return layoutToScreen({ x: fitted.x + point.x * scale, y: fitted.y + point.y * scale }, view, box);
}

/** The pixel of `to` that is drawn where pixel `point` of `from` is drawn, both fitted to the box. */
export function mapImagePoint(point: Point, from: Size, to: Size, box: Size): Point {
  const fromRect = fitRect(from, box);
  const fromScale = fitScale(from, box);
  const toRect = fitRect(to, box);
  const toScale = fitScale(to, box) || 1;
  const layout = { x: fromRect.x + point.x * fromScale, y: fromRect.y + point.y * fromScale };
  return { x: (layout.x - toRect.x) / toScale, y: (layout.y - toRect.y) / toScale };
}

/** Zoom to `scale`, keeping the layout point under `anchor` (box pixels) where it is, then clamp. */
export function zoomAbout(
  view: View,
  scale: number,
  anchor: Point,
  box: Size,
  images: readonly Size[],
  pixelRatio = 1,
): View {
  if (!isUsable(box)) return FIT_VIEW;
  const { min, max } = zoomLimits(box, images, pixelRatio);
  const next = clamp(scale, min, max);
  const under = screenToLayout(anchor, view, box);
  return clampView(
    {
      scale: next,
      cx: (under.x - (anchor.x - box.width / 2) / next) / box.width,
      cy: (under.y - (anchor.y - box.height / 2) / next) / box.height,
    },
    box,
    images,
    pixelRatio,
  );
}

export function zoomToPercent(
  view: View,
  percent: number,
  anchor: Point,
  box: Size,
  images: readonly Size[],
  pixelRatio = 1,
): View {
  return zoomAbout(view, scaleForPercent(percent, box, images, pixelRatio), anchor, box, images, pixelRatio);
}

/** Move the content by `delta` screen pixels (a drag), within the pan limits. */
export function panBy(view: View, delta: Point, box: Size, images: readonly Size[], pixelRatio = 1): View {
  if (!isUsable(box)) return FIT_VIEW;
  return clampView(
    {
      scale: view.scale,
      cx: view.cx - delta.x / (view.scale * box.width),
      cy: view.cy - delta.y / (view.scale * box.height),
    },
    box,
    images,
    pixelRatio,
  );
}

/** Lightroom's Z: from fit to 100% about the anchor, from any other zoom back to fit. */
export function toggleFitAnd100(
  view: View,
  anchor: Point | null,
  box: Size,
  images: readonly Size[],
  pixelRatio = 1,
): View {
  if (!isFitView(view)) return FIT_VIEW;
  const centre = anchor ?? { x: box.width / 2, y: box.height / 2 };
  return zoomToPercent(view, 100, centre, box, images, pixelRatio);
}

/**
 * Carry the view to a box of another size (a resized window, or a switch between one stage and
 * two panes): fit stays fit; otherwise the zoom percentage and the reference image's pixel at the
 * centre are kept.
 */
export function resizeView(view: View, from: Size, to: Size, images: readonly Size[], pixelRatio = 1): View {
  if (isFitView(view) || !isUsable(from) || !isUsable(to)) return clampView(view, to, images, pixelRatio);
  const reference = images[referenceIndex(images, from)];
  if (!reference) return FIT_VIEW;
  const percent = percentForView(view, from, images, pixelRatio);
  const centre = screenToImage({ x: from.width / 2, y: from.height / 2 }, reference, view, from);
  const fitted = fitRect(reference, to);
  const scale = fitScale(reference, to);
  return clampView(
    {
      scale: scaleForPercent(percent, to, images, pixelRatio),
      cx: (fitted.x + centre.x * scale) / to.width,
      cy: (fitted.y + centre.y * scale) / to.height,
    },
    to,
    images,
    pixelRatio,
  );
}

/** A wheel event's zoom factor: smooth for trackpads, about ±22% for one mouse-wheel notch. */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  if (!Number.isFinite(deltaY)) return 1;
  // deltaMode 1 is lines, 2 is pages; turn both into pixels.
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 800 : deltaY;
  return clamp(Math.exp(-pixels * 0.002), 0.5, 2);
}

/** The size of an image's preview: the long edge at most PREVIEW_LONG_EDGE. */
export function previewSize(image: Size): Size {
  const longEdge = Math.max(image.width, image.height);
  if (longEdge <= PREVIEW_LONG_EDGE) return { width: image.width, height: image.height };
  const scale = PREVIEW_LONG_EDGE / longEdge;
  return { width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
}

/** True once the image covers more device pixels than its preview holds, so only the full image is sharp. */
export function needsFullResolution(image: Size, view: View, box: Size, pixelRatio = 1): boolean {
  const longEdge = Math.max(image.width, image.height);
  if (!(longEdge > PREVIEW_LONG_EDGE)) return false;
  const devicePixelsPerImagePixel = fitScale(image, box) * view.scale * pixelRatio;
  return devicePixelsPerImagePixel > (PREVIEW_LONG_EDGE / longEdge) * (1 + 1e-6);
}

/** Device pixels covered by one image pixel: above 1 the image is magnified. */
export function magnification(image: Size, view: View, box: Size, pixelRatio = 1): number {
  return fitScale(image, box) * view.scale * pixelRatio;
}

/**
 * The square of image pixels a loupe of `diameter` CSS pixels shows at 100% (one image pixel per
 * device pixel), centred on the image pixel under `point`. It may reach past the image's edges.
 */
export function loupeSourceRect(
  point: Point,
  image: Size,
  view: View,
  box: Size,
  diameter: number,
  pixelRatio = 1,
): Rect {
  const centre = screenToImage(point, image, view, box);
  const side = diameter * pixelRatio;
  return { x: centre.x - side / 2, y: centre.y - side / 2, width: side, height: side };
}

/** CSS background size and position (CSS pixels) that draw `source` of the image into the loupe. */
export function loupeBackground(source: Rect, image: Size, pixelRatio = 1): Rect {
  const ratio = pixelRatio > 0 ? pixelRatio : 1;
  return { x: -source.x / ratio, y: -source.y / ratio, width: image.width / ratio, height: image.height / ratio };
}

export function containsPoint(rect: Rect, point: Point): boolean {
  return point.x >= rect.x && point.x < rect.x + rect.width && point.y >= rect.y && point.y < rect.y + rect.height;
}
