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
import { variantFilePath } from './output-store';

type DescriptionMethods = 'variants.text' | 'variants.setText';

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
      const mediaId = `${before.id}-${randomBytes(6).toString('hex')}`;
      const bytes = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
      const file = variantFilePath(mediaRoot, mediaId, before.mimeType);
      await writeAtomic(file, bytes);
      const updated = writeTransaction(db, () => {
        // Edited from two windows at once: the last edit wins, and no file is left behind.
        const current = requireText(id);
        const saved = replaceVariantMedia(db, id, mediaId, bytes.length, now());
        return { saved, previous: current };
      });
      if (!updated.saved) throw new AppError('not_found', `No result ${id}.`);
      await fs.promises
        .rm(fileOf(updated.previous))
        .catch((error: unknown) => log.warn('variants.old_text_not_removed', { id, error }));
      events.emit('variant.updated', updated.saved);
      return updated.saved;
    },
  };
}
