import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { FileTooLargeError, NotRegularFileError, readRegularFile } from '../regular-file';
import { MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import { assetSource } from '../db/ingest-repo';
import { getMaskById } from '../db/masks-repo';
import { getVariant } from '../db/variants-repo';
import { getJob } from '../db/jobs-repo';
import { variantFilePath } from './output-store';
import type { PhotoDecoder } from '../imaging/decode';
import { sniffFormat } from '../imaging/sniff';
import { rasterizeMaskInWorker } from '../masks/rasterize-worker';
import type { InputPhoto, InputVariant, ProviderInputs } from '../providers/contract';

/**
 * What providers read a job's photos and masks through. A photo is read from its original in the
 * hot folder and checked to be the content that was ingested: a job never runs on a file that
 * changed since (a re-save is a new version with jobs of its own).
 */
export function createProviderInputs(db: Db, decoder: PhotoDecoder, mediaRoot: string): ProviderInputs {
  return {
    photo: async (assetId): Promise<InputPhoto> => {
      const source = assetSource(db, assetId);
      if (!source) throw new AppError('not_found', `No photo ${assetId}.`);
      if (!source.file || source.state === 'missing') {
        throw new AppError('not_found', `The photo ${source.relativePath} is no longer in its hot folder.`);
      }
      let bytes: Buffer;
      try {
        bytes = await readRegularFile(source.file, MAX_PHOTO_FILE_BYTES);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new AppError('not_found', `The photo ${source.relativePath} is no longer in its hot folder.`);
        }
        if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) {
          throw new AppError('invalid_input', `${source.relativePath} is no longer a photo file Shootline can read.`);
        }
        throw error; // a locked or unreadable file: the queue tries again later
      }
      if (createHash('sha256').update(bytes).digest('hex') !== source.contentHash) {
        throw new AppError(
          'conflict',
          `${source.relativePath} changed since this job was queued; the new version is ingested on its own.`,
        );
      }
      const sniffed = sniffFormat(bytes.subarray(0, 64));
      if (!sniffed.ok) throw new AppError('invalid_input', sniffed.message);
      const opened = await decoder.open(source.file, bytes, sniffed.format);
      if (!opened.ok) {
        if (opened.error.kind === 'decoder_unavailable') throw new Error(opened.error.message);
        throw new AppError('invalid_input', opened.error.message);
      }
      const { photo } = opened;
      return {
        assetId,
        version: source.version,
        width: photo.width,
        height: photo.height,
        format: photo.format,
        metadata: photo.metadata,
        pipeline: photo.pipeline,
      };
    },
    mask: (maskId, width, height) => {
      const mask = getMaskById(db, maskId);
      if (!mask) return Promise.reject(new AppError('not_found', `The mask ${maskId} is gone.`));
      return rasterizeMaskInWorker(mask.drawing, width, height);
    },
    variant: async (variantId): Promise<InputVariant> => {
      const variant = getVariant(db, variantId);
      const job = variant ? getJob(db, variant.jobId) : null;
      if (!variant || !job) throw new AppError('not_found', `The variant ${variantId} is gone.`);
      const bytes = await fs.promises.readFile(variantFilePath(mediaRoot, variant.mediaId, variant.mimeType));
      return {
        id: variant.id,
        provider: job.provider,
        assetId: variant.assetId,
        mimeType: variant.mimeType,
        width: variant.width,
        height: variant.height,
        bytes,
        remote: variant.remote ? { id: variant.remote.id, ...numbering(variant.remote) } : null,
      };
    },
  };
}

function numbering(remote: { version: number | null; subversion: number | null }): {
  version?: number;
  subversion?: number;
} {
  return {
    ...(remote.version === null ? {} : { version: remote.version }),
    ...(remote.subversion === null ? {} : { subversion: remote.subversion }),
  };
}
