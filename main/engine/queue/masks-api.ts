import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { DEFAULT_MASK_NAMES, type Mask, type MaskContent, type MaskPurpose } from '../../../shared/mask';
import { getAssetSize } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import {
  addMaskVersion,
  createMask,
  defaultMask,
  deleteMask,
  getMask,
  getMaskVersion,
  listMasks,
} from '../db/masks-repo';
import { QueueApiSupport, type QueueApiContext } from './api-context';
import { createMaskLibraryApi } from './mask-library-api';

type MaskMethods =
  | 'masks.save'
  | 'masks.get'
  | 'masks.version'
  | 'masks.list'
  | 'masks.delete'
  | 'masks.rename'
  | 'masks.duplicate'
  | 'masks.export'
  | 'masks.import'
  | 'masks.apply';

/**
 * Masks painted on a photo, each with its versions. Saving makes a new version and moves on every
 * job on that photo that waited for a mask of that purpose (pinned to the new version); jobs
 * planned before keep the version they were planned with.
 */
export function createMasksApi(context: QueueApiContext): Pick<ApiHandlers, MaskMethods> {
  const { db, now } = context;
  const support = new QueueApiSupport(context);

  const requireMask = (id: string): Mask => {
    const mask = getMask(db, id);
    if (!mask) throw new AppError('not_found', `No mask ${id}.`);
    return mask;
  };

  /** The mask was painted on this very photo, upright: its coordinates are that photo's pixels. */
  const requireFits = (assetId: string, content: MaskContent): void => {
    const size = getAssetSize(db, assetId);
    if (!size) throw new AppError('not_found', `No asset ${assetId}.`);
    if (size.width === null || size.height === null) return; // not decoded yet: nothing to compare with
    if (size.width !== content.width || size.height !== content.height) {
      throw new AppError(
        'invalid_input',
        `This mask was painted on a ${content.width} × ${content.height} picture; the photo is ${size.width} × ${size.height}. Paint it on the photo itself.`,
      );
    }
  };

  /**
   * Which mask a save adds a version to: the one named by id; else the photo's mask of that purpose
   * and name; else (no name given) its default mask of that purpose. None of them: a new mask.
   */
  const target = (request: { assetId: string; maskId?: string; name?: string; purpose: MaskPurpose }): Mask | null => {
    if (request.maskId) {
      const mask = requireMask(request.maskId);
      if (mask.assetId !== request.assetId || mask.purpose !== request.purpose) {
        throw new AppError('conflict', `Mask ${mask.id} is a ${mask.purpose} mask of another photo or purpose.`);
      }
      return mask;
    }
    if (request.name === undefined) return defaultMask(db, request.assetId, request.purpose);
    return (
      listMasks(db, request.assetId).find((mask) => mask.purpose === request.purpose && mask.name === request.name) ??
      null
    );
  };

  const save = (
    request: { assetId: string; maskId?: string; name?: string; purpose: MaskPurpose; content: MaskContent },
    at: number,
  ): Mask => {
    requireFits(request.assetId, request.content);
    const existing = target(request);
    if (existing) return addMaskVersion(db, existing.id, request.content, request.name, at);
    const name = request.name ?? DEFAULT_MASK_NAMES[request.purpose];
    return createMask(db, { assetId: request.assetId, name, purpose: request.purpose }, request.content, at);
  };

  /** A new version (or mask), and every job on the photo that waited for a mask of that purpose moved on. */
  const saveAndGive = (request: Parameters<typeof save>[0]): Mask => {
    const at = now();
    const { mask, moved } = writeTransaction(db, () => {
      const saved = save(request, at);
      return { mask: saved, moved: support.giver.giveMask(saved, at) };
    });
    support.announceAll(moved);
    return mask;
  };

  return {
    ...createMaskLibraryApi(context, { requireMask, save: saveAndGive, support }),

    'masks.save': (request) => saveAndGive(request),

    'masks.get': (request) => {
      if ('id' in request) return requireMask(request.id);
      const mask = defaultMask(db, request.assetId, request.purpose);
      if (!mask) throw new AppError('not_found', `Asset ${request.assetId} has no ${request.purpose} mask.`);
      return mask;
    },

    'masks.version': ({ id, version }) => {
      const found = getMaskVersion(db, id, version);
      if (!found) throw new AppError('not_found', `Mask ${id} has no version ${version}.`);
      return found;
    },

    'masks.list': ({ assetId }) => listMasks(db, assetId),

    'masks.delete': ({ id }) => {
      if (!deleteMask(db, id, now())) throw new AppError('not_found', `No mask ${id}.`);
      return { id };
    },
  };
}
