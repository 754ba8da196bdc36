import sharp from 'sharp';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { type Mask, type MaskContent, MaskContentSchema, type MaskPurpose, MAX_MASK_NAME } from '../../../shared/mask';
import { MAX_MASK_PIXELS } from '../../../shared/mask-raster';
import { getAssetSize } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import { createMask, getMaskVersion, listMasks, renameMask } from '../db/masks-repo';
import { encodeMaskPng, renderMask } from '../masks/render-mask';
import type { QueueApiContext, QueueApiSupport } from './api-context';

type LibraryMethods = 'masks.rename' | 'masks.duplicate' | 'masks.export' | 'masks.import' | 'masks.apply';

/** Photos of "the same framing" may differ in aspect by this much (resizing rounds a pixel or two). */
const SAME_ASPECT = 0.01;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface MaskSaving {
  requireMask: (id: string) => Mask;
  /** masks.save's own path: a new version (or mask), and the waiting jobs moved on. */
  save: (request: {
    assetId: string;
    maskId?: string;
    name?: string;
    purpose: MaskPurpose;
    content: MaskContent;
  }) => Mask;
  support: QueueApiSupport;
}

/**
 * A photo's masks as a library: rename, duplicate, export as a PNG and import one, and apply a
 * mask to other photos of the same framing (each gets its own copy, so later edits stay local).
 */
export function createMaskLibraryApi(context: QueueApiContext, saving: MaskSaving): Pick<ApiHandlers, LibraryMethods> {
  const { db, now } = context;
  const { requireMask, save, support } = saving;

  const photoSize = (assetId: string): { width: number; height: number } => {
    const size = getAssetSize(db, assetId);
    if (!size) throw new AppError('not_found', `No asset ${assetId}.`);
    if (size.width === null || size.height === null) {
      throw new AppError('invalid_input', 'This photo has not been read yet: its size is unknown.');
    }
    return { width: size.width, height: size.height };
  };

  /** Why a picture of this size cannot take a mask of that size, or null. */
  const aspectRefusal = (from: { width: number; height: number }, to: { width: number; height: number }) => {
    const a = from.width / from.height;
    const b = to.width / to.height;
    return Math.abs(a - b) / b > SAME_ASPECT
      ? `Its aspect differs: ${from.width} × ${from.height} against ${to.width} × ${to.height} (more than 1%).`
      : null;
  };

  /** A free name for a mask of this photo and purpose: `name`, else "name (2)", "name (3)"… */
  const freeName = (assetId: string, purpose: MaskPurpose, name: string, except?: string): string => {
    const taken = new Set(
      listMasks(db, assetId)
        .filter((mask) => mask.purpose === purpose && mask.id !== except)
        .map((mask) => mask.name),
    );
    const fit = (text: string, suffix = ''): string =>
      `${text.slice(0, MAX_MASK_NAME - suffix.length).trimEnd()}${suffix}`;
    if (!taken.has(fit(name))) return fit(name);
    // Suffixed within the name's bound: "Garden (2)", "Garden (3)"…
    for (let n = 2; ; n++) if (!taken.has(fit(name, ` (${n})`))) return fit(name, ` (${n})`);
  };

  /** The drawing refitted to another picture size (the aspect already checked): points and brushes scale. */
  const refit = (content: MaskContent, to: { width: number; height: number }): MaskContent => {
    const sx = to.width / content.width;
    const sy = to.height / content.height;
    const scale = (sx + sy) / 2;
    return MaskContentSchema.parse({
      ...content,
      width: to.width,
      height: to.height,
      strokes: content.strokes.map((stroke) => ({
        ...stroke,
        size: stroke.size * scale,
        points: stroke.points.map((point) => ({ ...point, x: point.x * sx, y: point.y * sy })),
      })),
    });
  };

  return {
    'masks.rename': ({ id, name }) => {
      const mask = requireMask(id);
      if (freeName(mask.assetId, mask.purpose, name, id) !== name) {
        throw new AppError('conflict', `This photo already has a ${mask.purpose} mask named “${name}”.`);
      }
      return renameMask(db, id, name);
    },

    'masks.duplicate': ({ id, name }) => {
      const mask = requireMask(id);
      const copy = freeName(
        mask.assetId,
        mask.purpose,
        name ?? `${mask.name.slice(0, MAX_MASK_NAME - ' copy'.length)} copy`,
      );
      return createMask(db, { assetId: mask.assetId, name: copy, purpose: mask.purpose }, mask.content, now());
    },

    'masks.export': async ({ id, version }) => {
      const mask = requireMask(id);
      const content = version === undefined ? mask.content : getMaskVersion(db, id, version)?.content;
      if (!content) throw new AppError('not_found', `Mask ${id} has no version ${version ?? ''}.`);
      const pixels = await renderMask(content, content.width, content.height);
      const png = await encodeMaskPng(pixels, content.width, content.height);
      return { png: png.toString('base64'), width: content.width, height: content.height };
    },

    'masks.import': async ({ assetId, maskId, purpose, name, png }) => {
      const size = photoSize(assetId);
      const bytes = Buffer.from(png, 'base64');
      if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new AppError('invalid_input', 'This file is not a PNG.');
      // Decoded whole here (a broken or oversized file is refused now, not when a job renders it) and
      // kept as a grey PNG at the photo's size: its alpha, or its grey level when it has none.
      let layer: Buffer;
      try {
        const image = sharp(bytes, { limitInputPixels: MAX_MASK_PIXELS, failOn: 'error' });
        const picture = await image.metadata();
        if (!picture.width || !picture.height) throw new Error('it has no size');
        const refusal = aspectRefusal({ width: picture.width, height: picture.height }, size);
        if (refusal) throw new AppError('invalid_input', `This PNG does not fit the photo. ${refusal}`);
        layer = await (picture.hasAlpha ? image.extractChannel('alpha') : image.greyscale().toColourspace('b-w'))
          .resize(size.width, size.height, { fit: 'fill' })
          .png({ compressionLevel: 9 })
          .toBuffer();
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('invalid_input', `This file could not be read as a PNG: ${(error as Error).message}`);
      }
      const content = MaskContentSchema.parse({
        ...size,
        strokes: [],
        rasters: [{ png: layer.toString('base64'), mode: 'paint', opacity: 1 }],
        invert: false,
      });
      return save({
        assetId,
        purpose,
        ...(maskId === undefined ? {} : { maskId }),
        ...(name === undefined ? {} : { name }),
        content,
      });
    },

    'masks.apply': ({ id, assetIds }) => {
      const source = requireMask(id);
      const at = now();
      const applied: { assetId: string; maskId: string; name: string; version: number }[] = [];
      const refused: { assetId: string; reason: string }[] = [];
      const moved = writeTransaction(db, () => {
        const released = [];
        for (const assetId of [...new Set(assetIds)]) {
          if (assetId === source.assetId) {
            refused.push({ assetId, reason: 'This is the photo the mask was painted on.' });
            continue;
          }
          const size = getAssetSize(db, assetId);
          if (!size || size.width === null || size.height === null) {
            refused.push({ assetId, reason: size ? 'This photo has not been read yet.' : 'No such photo.' });
            continue;
          }
          const target = { width: size.width, height: size.height };
          const reason = aspectRefusal(target, { width: source.content.width, height: source.content.height });
          if (reason) {
            refused.push({ assetId, reason });
            continue;
          }
          let content: MaskContent;
          try {
            content = refit(source.content, target);
          } catch (error) {
            refused.push({ assetId, reason: `The mask does not fit this photo: ${(error as Error).message}` });
            continue;
          }
          const name = freeName(assetId, source.purpose, source.name);
          const mask = createMask(db, { assetId, name, purpose: source.purpose }, content, at);
          applied.push({ assetId, maskId: mask.id, name: mask.name, version: mask.version });
          released.push(...support.giver.giveMask(mask, at));
        }
        return released;
      });
      support.announceAll(moved);
      return { applied, refused };
    },
  };
}
