import type { MaskRaster } from '../../../../shared/mask';

/**
 * A raster layer's levels at the proxy's size (0–255 per pixel, before its opacity and mode): the
 * PNG's alpha, or its grey level when it has none, stretched over the photo as the engine does
 * (main/engine/masks/render-mask.ts). Decoded by the browser, so edges may differ from sharp's
 * resampling by a level.
 */
export async function decodeLayerLevels(png: string, width: number, height: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('This browser cannot draw the mask’s raster layers.');
  const bytes = Uint8Array.from(atob(png), (char) => char.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
  context.drawImage(image, 0, 0, width, height);
  image.close();
  const { data } = context.getImageData(0, 0, width, height);
  const alpha = pngHasAlpha(bytes);
  const levels = new Uint8Array(width * height);
  for (let index = 0; index < levels.length; index++) {
    const at = index * 4;
    // Without alpha, its grey level (ITU-R BT.601 luma, as sharp's greyscale).
    levels[index] = alpha
      ? (data[at + 3] ?? 0)
      : Math.round(0.299 * (data[at] ?? 0) + 0.587 * (data[at + 1] ?? 0) + 0.114 * (data[at + 2] ?? 0));
  }
  return levels;
}

/** Does this PNG carry alpha (a grey+alpha or RGBA colour type, or a tRNS chunk), as sharp's `hasAlpha` says? */
export function pngHasAlpha(bytes: Uint8Array): boolean {
  const colourType = bytes[25];
  if (colourType === 4 || colourType === 6) return true;
  let at = 8;
  while (at + 8 <= bytes.length) {
    const length =
      ((bytes[at] ?? 0) << 24) | ((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
    const type = String.fromCharCode(bytes[at + 4] ?? 0, bytes[at + 5] ?? 0, bytes[at + 6] ?? 0, bytes[at + 7] ?? 0);
    if (type === 'tRNS') return true;
    if (type === 'IDAT' || type === 'IEND' || length < 0) return false;
    at += 12 + length;
  }
  return false;
}

/** Decodes the layers a painter does not have yet (by their PNG). */
export async function decodeMissingLayers(
  rasters: readonly MaskRaster[],
  has: (png: string) => boolean,
  add: (png: string, levels: Uint8Array) => void,
  width: number,
  height: number,
): Promise<void> {
  for (const raster of rasters) {
    if (!has(raster.png)) add(raster.png, await decodeLayerLevels(raster.png, width, height));
  }
}
