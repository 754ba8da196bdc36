import sharp from 'sharp';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { MaskContent, MaskSelection, PixelBox } from '../../../shared/mask';
import { getAssetSize } from '../db/assets-repo';
import { refineToEdges, selectColour } from '../masks/refine-edges';
import { encodeMaskPng, renderMask } from '../masks/render-mask';
import type { QueueApiContext } from './api-context';

type SelectionMethods = 'masks.refine' | 'masks.selectColour';

/** GrabCut's cost grows with the pixels: it works on the preview brought within this long side. */
const REFINE_LONG_SIDE = 1024;
const GRABCUT_ITERATIONS = 5;
/** A refinement that takes longer than this is stopped (its worker terminated). */
const REFINE_TIMEOUT_MS = 60_000;

/**
 * Selections computed from the photo's pixels, answered as a layer the editor adds to the drawing
 * (so it can paint over it and undo it): refine to edges (GrabCut on the preview, in a worker) and
 * a colour select. Both work on the preview, the picture the editor shows.
 */
export function createMaskSelectionApi(context: QueueApiContext): Pick<ApiHandlers, SelectionMethods> {
  // One selection at a time: each loads OpenCV in a worker and a preview's pixels; quick clicks queue.
  let running: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = running.then(work, work);
    running = next.catch(() => undefined);
    return next;
  };
  /** The photo's preview as RGB, within `longSide`, and how it scales the photo's pixels. */
  const picture = async (assetId: string, longSide?: number) => {
    const size = getAssetSize(context.db, assetId);
    if (!size) throw new AppError('not_found', `No asset ${assetId}.`);
    if (size.width === null || size.height === null) {
      throw new AppError('invalid_input', 'This photo has not been read yet: its size is unknown.');
    }
    const file = await context.previewOf(assetId);
    if (!file) throw new AppError('unavailable', 'This photo has no preview to select from (it may be unreadable).');
    let image = sharp(file).removeAlpha();
    if (longSide) image = image.resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      photo: { width: size.width, height: size.height },
    };
  };

  const scaledBox = (box: PixelBox | undefined, sx: number, sy: number, width: number, height: number) => {
    if (!box) return null;
    const x = Math.max(0, Math.floor(box.x * sx));
    const y = Math.max(0, Math.floor(box.y * sy));
    const right = Math.min(width, Math.ceil((box.x + box.width) * sx));
    const bottom = Math.min(height, Math.ceil((box.y + box.height) * sy));
    if (right - x < 2 || bottom - y < 2)
      throw new AppError('invalid_input', 'The box is outside the photo or too small.');
    return { x, y, width: right - x, height: bottom - y };
  };

  const answer = async (pixels: Uint8Array, width: number, height: number): Promise<MaskSelection> => ({
    png: (await encodeMaskPng(pixels, width, height)).toString('base64'),
    width,
    height,
  });

  const hasDrawing = (content: MaskContent): boolean =>
    content.strokes.length > 0 || content.rasters.length > 0 || content.invert;

  return {
    'masks.refine': ({ assetId, content, box }) =>
      oneAtATime(async () => {
        const image = await picture(assetId, REFINE_LONG_SIDE);
        if (content.width !== image.photo.width || content.height !== image.photo.height) {
          throw new AppError('invalid_input', 'This drawing was made on another picture size than the photo.');
        }
        if (!box && !hasDrawing(content)) {
          throw new AppError('invalid_input', 'Paint a rough selection or draw a box around the object first.');
        }
        const sx = image.width / image.photo.width;
        const sy = image.height / image.photo.height;
        // A box alone says where the object is (the drawing elsewhere is the editor's to keep); without
        // one, the drawing is the rough selection and its bounds, grown by a fifth, say where the object ends.
        const boxed = scaledBox(box, sx, sy, image.width, image.height);
        if (boxed && boxed.width * boxed.height >= image.width * image.height) {
          throw new AppError(
            'invalid_input',
            'The box covers the whole photo: draw it around the object, with some ground around it.',
          );
        }
        const rough = boxed ? null : await renderMask(content, image.width, image.height);
        const area = boxed ?? (rough ? aroundSelection(rough, image.width, image.height) : null);
        if (rough) {
          if (!area) throw new AppError('invalid_input', 'Paint roughly over the object first: nothing is painted.');
          if (rough.every((value) => value >= 128)) {
            throw new AppError(
              'invalid_input',
              'The drawing covers the whole photo: paint roughly over the object only.',
            );
          }
        }
        const refined = await refineToEdges(
          {
            width: image.width,
            height: image.height,
            rgb: image.rgb,
            box: area,
            rough,
            iterations: GRABCUT_ITERATIONS,
          },
          AbortSignal.timeout(REFINE_TIMEOUT_MS),
        );
        return answer(refined, image.width, image.height);
      }),

    'masks.selectColour': ({ assetId, point, tolerance, contiguous, box }) =>
      oneAtATime(async () => {
        const image = await picture(assetId);
        const sx = image.width / image.photo.width;
        const sy = image.height / image.photo.height;
        if (point.x >= image.photo.width || point.y >= image.photo.height) {
          throw new AppError('invalid_input', 'The point is outside the photo.');
        }
        const selected = selectColour(
          image,
          { x: point.x * sx, y: point.y * sy },
          tolerance,
          contiguous,
          scaledBox(box, sx, sy, image.width, image.height),
        );
        return answer(selected, image.width, image.height);
      }),
  };
}

/** The bounds of a selection (values of at least half), grown by a fifth of their size each way, within the picture. */
function aroundSelection(selection: Uint8Array, width: number, height: number): PixelBox | null {
  let [left, top, right, bottom] = [width, height, -1, -1];
  selection.forEach((value, index) => {
    if (value < 128) return;
    const x = index % width;
    const y = Math.floor(index / width);
    left = Math.min(left, x);
    right = Math.max(right, x);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  });
  if (right < 0) return null;
  const growX = Math.ceil((right - left + 1) * 0.2);
  const growY = Math.ceil((bottom - top + 1) * 0.2);
  const x = Math.max(0, left - growX);
  const y = Math.max(0, top - growY);
  return {
    x,
    y,
    width: Math.min(width, right + 1 + growX) - x,
    height: Math.min(height, bottom + 1 + growY) - y,
  };
}
