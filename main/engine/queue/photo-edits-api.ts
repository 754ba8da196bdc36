import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import { addTurns, isTurn, turnPoint } from '../../../shared/turn';
import { getAsset, setAssetTurn, setCropFocus } from '../db/assets-repo';
import { writeTransaction } from '../db/connection';
import { addMaskVersion, listMasks } from '../db/masks-repo';
import { turnMaskContent } from '../masks/turn-mask';
import type { QueueApiContext } from './api-context';

type PhotoEditMethods = 'assets.turn' | 'assets.setCropFocus';

/** How often a turn starts over when the photo's masks or crop change while it is computed. */
const TURN_ATTEMPTS = 3;

/**
 * What a user corrects on a photo itself, without touching its file: its turn (an EXIF orientation
 * that lies) and where export crops are placed on it.
 */
export function createPhotoEditsApi(context: QueueApiContext): Pick<ApiHandlers, PhotoEditMethods> {
  const { db, events, now } = context;
  /** Turns of one photo one after another: each turns the masks the previous one left. */
  const turning = new Map<string, Promise<unknown>>();

  const requireAsset = (id: string) => {
    const asset = getAsset(db, id);
    if (!asset) throw new AppError('not_found', `No photo ${id}.`);
    return asset;
  };

  /** What a turn was computed from: the photo's turn, its crop focus and its masks' versions. */
  const stateOf = (id: string): string => {
    const asset = getAsset(db, id);
    const masks = listMasks(db, id).map((mask) => `${mask.id}@${mask.version}`);
    return JSON.stringify([asset?.turn, asset?.cropFocus, masks]);
  };

  const turn = async (id: string, by: 1 | -1 | 2) => {
    const quarter = addTurns(0, by);
    // Turning a raster layer takes sharp, which a transaction must not wait for: the masks are
    // turned first, and written only if nothing changed meanwhile (a mask saved from another
    // window); else the turn starts over from what is there now.
    for (let attempt = 0; attempt < TURN_ATTEMPTS; attempt++) {
      const asset = requireAsset(id);
      if (asset.state !== 'ok') throw new AppError('invalid_input', 'Only a photo Shootline has read can be turned.');
      const before = stateOf(id);
      const masks = listMasks(db, id);
      const turned = await Promise.all(
        masks.map(async (mask) => ({ mask, content: await turnMaskContent(mask.content, quarter) })),
      );
      const focus = asset.cropFocus ? turnPoint(asset.cropFocus, 1, 1, quarter) : null;
      const written = writeTransaction(db, () => {
        if (stateOf(id) !== before) return false;
        setAssetTurn(db, id, addTurns(isTurn(asset.turn) ? asset.turn : 0, by), focus, now());
        for (const { mask, content } of turned) addMaskVersion(db, mask.id, content, undefined, now());
        return true;
      });
      if (!written) continue;
      const updated = requireAsset(id);
      events.emit('asset.updated', updated);
      return { asset: updated, masksTurned: turned.length };
    }
    throw new AppError('conflict', 'This photo kept changing while it was being turned. Try again.');
  };

  return {
    'assets.turn': ({ id, by }) => {
      const previous = turning.get(id) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => turn(id, by));
      turning.set(id, next);
      void next
        .finally(() => {
          if (turning.get(id) === next) turning.delete(id);
        })
        .catch(() => undefined);
      return next;
    },
    'assets.setCropFocus': ({ id, focus }) => {
      if (!setCropFocus(db, id, focus, now())) throw new AppError('not_found', `No photo ${id}.`);
      const updated = requireAsset(id);
      events.emit('asset.updated', updated);
      return updated;
    },
  };
}
