import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { ApiHandlers } from '../../../shared/api';
import { AppError } from '../../../shared/errors';
import type { Variant } from '../../../shared/jobs';
import { writeAtomic } from '../atomic-file';
import { writeTransaction, type Db } from '../db/connection';
import { getVariant, replaceVariantMedia } from '../db/variants-repo';
import type { EventHub } from '../events';
import type { Logger } from '../log';
import { MEDIA_ID } from '../media';
import { variantFilePath } from './output-store';

type DescriptionMethods = 'variants.get' | 'variants.text' | 'variants.setText';

export interface DescriptionsApiContext {
  db: Db;
  events: EventHub;
  log: Logger;
  now: () => number;
  mediaRoot: string;
}

/**
 * A description (a text variant) read and edited by hand. An edit is a new file under a new media
 * id, written whole before the variant points at it: a crash leaves the old words or the new ones,
 * never half of either, and a browser that cached the old words asks for the new file.
 */
export function createDescriptionsApi(context: DescriptionsApiContext): Pick<ApiHandlers, DescriptionMethods> {
  const { db, events, log, now, mediaRoot } = context;

  const requireText = (id: string): Variant => {
    const variant = getVariant(db, id);
    if (!variant) throw new AppError('not_found', `No result ${id}.`);
    if (variant.kind !== 'text') throw new AppError('invalid_input', 'Only a description has words to read or edit.');
    return variant;
  };

  const fileOf = (variant: Variant): string => variantFilePath(mediaRoot, variant.mediaId, variant.mimeType);

  return {
    'variants.get': ({ id }) => {
      const variant = getVariant(db, id);
      if (!variant) throw new AppError('not_found', `No result ${id}.`);
      return variant;
    },

    'variants.text': async ({ id }) => {
      const variant = requireText(id);
      try {
        return { text: await fs.promises.readFile(fileOf(variant), 'utf8') };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new AppError('not_found', 'This description’s file is gone from the library folder.');
        }
        throw error;
      }
    },

    'variants.setText': async ({ id, text }) => {
      const before = requireText(id);
      // The job and output the variant came from, and a fresh suffix: only the characters a media id allows.
      const mediaId = `${before.jobId}-${before.outputIndex}-${randomBytes(6).toString('hex')}`;
      if (!MEDIA_ID.test(mediaId)) throw new Error(`a text variant's media id would not be one: ${mediaId}`);
      const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
      const file = variantFilePath(mediaRoot, mediaId, before.mimeType);
      await writeAtomic(file, bytes);
      let updated: { saved: Variant; previous: Variant };
      try {
        updated = writeTransaction(db, () => {
          // Edited from two windows at once: the last edit wins, and each removes the file it replaced.
          const previous = requireText(id);
          const saved = replaceVariantMedia(db, id, mediaId, bytes.length, now());
          if (!saved) throw new AppError('not_found', `No result ${id}.`);
          return { saved, previous };
        });
      } catch (error) {
        await fs.promises.rm(file, { force: true });
        throw error;
      }
      events.emit('variant.updated', updated.saved);
      // An export that read the old media id meanwhile looks the variant up again (captionOf).
      await fs.promises
        .rm(fileOf(updated.previous), { force: true })
        .catch((error: unknown) => log.warn('variants.old_text_not_removed', { id, error }));
      return updated.saved;
    },
  };
}
