import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import { getVariant } from '../db/variants-repo';
import { readVideoFileInfo } from '../imaging/mp4-info';
import { variantFilePath } from './output-store';

/** A video result's facts, read from its file when asked (the file is the truth; nothing is cached). */
export function createVideoInfoApi(db: Db, mediaRoot: string): Pick<ApiHandlers, 'variants.videoInfo'> {
  return {
    'variants.videoInfo': async ({ id }) => {
      const variant = getVariant(db, id);
      if (!variant) throw new AppError('not_found', `No result ${id}.`);
      if (variant.kind !== 'video') throw new AppError('invalid_input', 'Only a video has a codec and a frame rate.');
      try {
        return await readVideoFileInfo(variantFilePath(mediaRoot, variant.mediaId, variant.mimeType));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new AppError('not_found', 'This video’s file is gone from the library folder.');
        }
        throw error;
      }
    },
  };
}
