import type { MaskRaster } from '../../../../shared/mask';

/**
 * A version's raster layers (an imported PNG, a refined selection) at the proxy's size, combined
 * as the engine combines them (main/engine/masks/render-mask.ts): each PNG's alpha, or its grey level
 * when it has no alpha, stretched over the photo, raising the mask where it paints and lowering it
 * where it erases. Decoded by the browser, so edges may differ from sharp's resampling by a level.
 */
export async function decodeRasterLayers(
  rasters: readonly MaskRaster[],
  width: number,
  height: number,
): Promise<Uint8Array | undefined> {
  if (rasters.length === 0) return undefined;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('This browser cannot draw the mask’s raster layers.');
  let below = new Uint8Array(width * height);
  for (const raster of rasters) {
    const bytes = Uint8Array.from(atob(raster.png), (char) => char.charCodeAt(0));
    const image = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    context.clearRect(0, 0, width, height);
    context.drawImage(image, 0, 0, width, height);
    image.close();
    const { data } = context.getImageData(0, 0, width, height);
    const alpha = pngHasAlpha(bytes);
    const out = new Uint8Array(below);
    for (let index = 0; index < out.length; index++) {
      const at = index * 4;
      // Without alpha, its grey level (ITU-R BT.601 luma, as sharp's greyscale).
      const level = alpha
        ? (data[at + 3] ?? 0)
        : Math.round(0.299 * (data[at] ?? 0) + 0.587 * (data[at + 1] ?? 0) + 0.114 * (data[at + 2] ?? 0));
      const value = Math.round(level * raster.opacity);
      if (value === 0) continue;
      const current = out[index] ?? 0;
      out[index] =
        raster.mode === 'paint' ? Math.max(current, value) : Math.floor((current * (255 - value) + 127) / 255);
    }
    below = out;
  }
  return below;
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
