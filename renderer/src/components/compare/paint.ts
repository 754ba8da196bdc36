/**
 * The DOM writes of one compare frame. Zoom, pan, the divider and the loupe move with the pointer,
 * so they are written straight to the elements rather than rendered through React state.
 */
import type { CompareImage, PointerSpot, Side } from './compare-model';
import { imageScreenRect, loupeBackground, loupeSourceRect, magnification, type Size, type View } from './viewport';

/** The loupe's diameter in CSS pixels (keep in step with --compare-loupe-size in compare.css). */
const LOUPE_DIAMETER = 200;

/** Above this many device pixels per image pixel, show pixels as squares rather than blur them. */
const PIXELATED_FROM = 3;

export function pixelRatio(): number {
  return window.devicePixelRatio > 0 ? window.devicePixelRatio : 1;
}

function cssUrl(url: string): string {
  return `url(${JSON.stringify(url)})`;
}

/** Place one image where the shared view puts it in a pane of size `box`. */
export function paintImage(element: HTMLImageElement, image: Size, view: View, box: Size, ratio: number): void {
  const rect = imageScreenRect(image, view, box);
  element.style.width = `${rect.width}px`;
  element.style.height = `${rect.height}px`;
  element.style.transform = `translate3d(${rect.x}px, ${rect.y}px, 0)`;
  element.dataset.pixelated = String(magnification(image, view, box, ratio) >= PIXELATED_FROM);
}

/** Move the slider's divider: the after layer's clip (through a CSS variable on the pane) and the handle. */
export function paintDivider(pane: HTMLDivElement, handle: HTMLDivElement, percent: number, box: Size): void {
  pane.style.setProperty('--compare-divider', `${percent}%`);
  handle.style.transform = `translate3d(${(percent / 100) * box.width}px, 0, 0)`;
  handle.setAttribute('aria-valuenow', String(Math.round(percent)));
}

export interface LoupeTarget {
  at: PointerSpot;
  side: Side;
  image: CompareImage;
}

/** Show the image under the pointer at 100% in the loupe, or hide the loupe when there is no target. */
export function paintLoupe(
  loupe: HTMLDivElement,
  target: LoupeTarget | null,
  view: View,
  box: Size,
  ratio: number,
): void {
  if (!target) {
    loupe.hidden = true;
    return;
  }
  const { at, side, image } = target;
  const source = loupeSourceRect(at, image, view, box, LOUPE_DIAMETER, ratio);
  const background = loupeBackground(source, image, ratio);
  const sizeCss = `${background.width}px ${background.height}px`;
  const positionCss = `${background.x}px ${background.y}px`;
  // The preview, drawn at the same size, covers the wait for the full image.
  const imagesCss = `${cssUrl(image.fullUrl)}, ${cssUrl(image.previewUrl)}`;
  if (loupe.style.backgroundImage !== imagesCss) loupe.style.backgroundImage = imagesCss;
  loupe.style.backgroundSize = `${sizeCss}, ${sizeCss}`;
  loupe.style.backgroundPosition = `${positionCss}, ${positionCss}`;
  loupe.style.transform = `translate3d(${at.stageX}px, ${at.stageY}px, 0)`;
  loupe.dataset.side = side;
  loupe.hidden = false;
}
