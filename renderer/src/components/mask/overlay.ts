import type { Box, MaskPainter } from './mask-painter';

/**
 * Paints the shown values of `box` into an RGBA overlay in `colour` at `opacity` (0–1): the red
 * (or chosen) wash over the selected area that Lightroom's O shows.
 */
export function paintOverlay(
  painter: MaskPainter,
  image: ImageData,
  box: Box,
  colour: { r: number; g: number; b: number },
  opacity: number,
): void {
  const { data } = image;
  for (let row = box.top; row < box.top + box.height; row++) {
    for (let col = box.left; col < box.left + box.width; col++) {
      const index = row * painter.width + col;
      const at = index * 4;
      data[at] = colour.r;
      data[at + 1] = colour.g;
      data[at + 2] = colour.b;
      data[at + 3] = Math.round(painter.valueAt(index) * opacity);
    }
  }
}
