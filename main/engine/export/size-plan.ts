import type { ResizeOptions } from 'sharp';
import type { ExportSizeInput } from '../../../shared/export-preset';
import { configureSharp } from '../imaging/sharp-config';

const sharp = configureSharp();

/*
 * How big an export comes out and which part of the picture it keeps, worked out from the upright
 * source size alone (no pixels), so every mode is tested without rendering.
 */

/** The output size, and how sharp gets there (null: the source size as it is). */
export interface SizePlan {
  width: number;
  height: number;
  resize: ResizeOptions | null;
  /** A crop placed by hand: the region of the resized picture that is kept. */
  extract?: { left: number; top: number; width: number; height: number };
}

/**
 * A crop placed on a point: the picture scaled to cover the box, and the box put where the point
 * sits as near its middle as the picture's edges allow.
 */
function placedCrop(
  box: { width: number; height: number },
  sourceWidth: number,
  sourceHeight: number,
  focus: { x: number; y: number },
): SizePlan {
  const scale = Math.max(box.width / sourceWidth, box.height / sourceHeight);
  const width = Math.max(box.width, Math.round(sourceWidth * scale));
  const height = Math.max(box.height, Math.round(sourceHeight * scale));
  const place = (point: number, whole: number, part: number) =>
    Math.min(whole - part, Math.max(0, Math.round(point * whole - part / 2)));
  return {
    width: box.width,
    height: box.height,
    resize: { width, height, fit: 'fill' },
    extract: {
      left: place(focus.x, width, box.width),
      top: place(focus.y, height, box.height),
      width: box.width,
      height: box.height,
    },
  };
}

/** Works out the output size from the upright source size. Pure, so every mode is tested without pixels. */
export function planSize(
  size: ExportSizeInput,
  sourceWidth: number,
  sourceHeight: number,
  cropFocus: { x: number; y: number } | null = null,
): SizePlan {
  const same: SizePlan = { width: sourceWidth, height: sourceHeight, resize: null };
  if (size.mode === 'original') return same;
  if (size.mode === 'exact') {
    let width = size.width;
    let height = size.height;
    const cover = Math.max(width / sourceWidth, height / sourceHeight);
    if (cover > 1 && !size.enlarge) {
      // Too small to fill the box without upscaling: crop to the box's shape at the source's own resolution.
      width = Math.max(1, Math.min(sourceWidth, Math.round(width / cover)));
      height = Math.max(1, Math.min(sourceHeight, Math.round(height / cover)));
    }
    // A crop the user placed on this photo wins over the preset's strategy.
    if (cropFocus) return placedCrop({ width, height }, sourceWidth, sourceHeight, cropFocus);
    const position =
      size.crop === 'attention'
        ? sharp.strategy.attention
        : size.crop === 'entropy'
          ? sharp.strategy.entropy
          : 'centre';
    return { width, height, resize: { width, height, fit: 'cover', position } };
  }
  let scale: number;
  switch (size.mode) {
    case 'long-edge':
      scale = size.value / Math.max(sourceWidth, sourceHeight);
      break;
    case 'width':
      scale = size.value / sourceWidth;
      break;
    case 'height':
      scale = size.value / sourceHeight;
      break;
    case 'megapixels':
      scale = Math.sqrt((size.value * 1_000_000) / (sourceWidth * sourceHeight));
      break;
    default:
      throw new Error(`Unknown size mode ${JSON.stringify(size)}`);
  }
  if (scale >= 1 && !size.enlarge) return same;
  const width = Math.max(1, Math.round(sourceWidth * scale));
  const height = Math.max(1, Math.round(sourceHeight * scale));
  if (width === sourceWidth && height === sourceHeight) return same;
  // Both sides are given (fit "fill"), so the size is exactly the one computed here.
  return { width, height, resize: { width, height, fit: 'fill' } };
}
