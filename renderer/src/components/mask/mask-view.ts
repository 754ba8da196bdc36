/**
 * Where the photo sits on screen while painting: screen = photo × scale + offset, in CSS pixels of
 * the stage, with photo coordinates in the upright photo's pixels (the space strokes are kept in).
 * Zoom, pan, fit and 100% only change this transform; the drawing never moves relative to the photo.
 */
export interface MaskView {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export const MIN_SCALE = 0.01;
export const MAX_SCALE = 32;

/** The whole photo, centred, inside a stage of width × height (with a small margin). */
export function fitView(stageWidth: number, stageHeight: number, photoWidth: number, photoHeight: number): MaskView {
  const margin = 16;
  const scale = clampScale(Math.min((stageWidth - 2 * margin) / photoWidth, (stageHeight - 2 * margin) / photoHeight));
  return centred(scale, stageWidth, stageHeight, photoWidth, photoHeight);
}

/** One photo pixel per device pixel, centred on `at` (a photo point), as Lightroom's 1:1. */
export function actualPixelsView(
  devicePixelRatio: number,
  at: { x: number; y: number },
  stageWidth: number,
  stageHeight: number,
): MaskView {
  const scale = clampScale(1 / devicePixelRatio);
  return { scale, offsetX: stageWidth / 2 - at.x * scale, offsetY: stageHeight / 2 - at.y * scale };
}

function centred(scale: number, stageWidth: number, stageHeight: number, photoWidth: number, photoHeight: number) {
  return {
    scale,
    offsetX: (stageWidth - photoWidth * scale) / 2,
    offsetY: (stageHeight - photoHeight * scale) / 2,
  };
}

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** Zooms by `factor` keeping the photo point under (screenX, screenY) where it is. */
export function zoomAt(view: MaskView, factor: number, screenX: number, screenY: number): MaskView {
  const scale = clampScale(view.scale * factor);
  const photoX = (screenX - view.offsetX) / view.scale;
  const photoY = (screenY - view.offsetY) / view.scale;
  return { scale, offsetX: screenX - photoX * scale, offsetY: screenY - photoY * scale };
}

export function panBy(view: MaskView, dx: number, dy: number): MaskView {
  return { ...view, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

export function toPhoto(view: MaskView, screenX: number, screenY: number): { x: number; y: number } {
  return { x: (screenX - view.offsetX) / view.scale, y: (screenY - view.offsetY) / view.scale };
}

/**
 * Keeps the photo where it was relative to the stage's centre when the stage changes size (a window
 * resize): the same photo point stays in the middle, at the same zoom.
 */
export function resizeView(
  view: MaskView,
  before: { width: number; height: number },
  after: { width: number; height: number },
): MaskView {
  return panBy(view, (after.width - before.width) / 2, (after.height - before.height) / 2);
}

/** The same view, give or take a rounding. */
export function sameView(a: MaskView, b: MaskView): boolean {
  return (
    Math.abs(a.scale - b.scale) < 1e-9 &&
    Math.abs(a.offsetX - b.offsetX) < 1e-6 &&
    Math.abs(a.offsetY - b.offsetY) < 1e-6
  );
}
