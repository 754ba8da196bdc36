import fs from 'node:fs';
import {
  FileTooLargeError,
  NotRegularFileError,
  readRegularFileWithIdentity,
  type FileIdentity,
} from '../regular-file';
import { compareWithIngested } from '../ingested-content';
import { releaseBuffer } from '../release-buffer';
import { MAX_PHOTO_FILE_BYTES } from '../imaging/sharp-config';
import { AppError } from '../../../shared/errors';
import type { Db } from '../db/connection';
import { assetSource, rememberFileIdentity } from '../db/asset-source-repo';
import { getMaskVersion } from '../db/masks-repo';
import { getVariant } from '../db/variants-repo';
import { getJob } from '../db/jobs-repo';
import { variantFilePath } from './output-store';
import { turnedPhoto, type PhotoDecoder } from '../imaging/decode';
import { isTurn, type Turn } from '../../../shared/turn';
import { sniffFormat } from '../imaging/sniff';
import { renderMask } from '../masks/render-mask';
import type { InputRef } from '../../../shared/job-inputs';
import type { InputPhoto, InputVariant, ProviderInputs } from '../providers/contract';

/** How far back through results of results the photo behind a result is looked for. */
const MAX_RESULT_DEPTH = 50;

/**
 * What providers read a job's pictures and masks through. A photo is read from its original in the
 * hot folder and checked to be the version the job was planned on: a job never runs on a file that
 * changed since (a re-save is a new version with jobs of its own). A result is read from its file
 * in the media store. A mask is the version the job pinned, rendered by the one mask renderer.
 */
export function createProviderInputs(db: Db, decoder: PhotoDecoder, mediaRoot: string): ProviderInputs {
  const readVariant = async (variantId: string): Promise<InputVariant> => {
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
      remoteData: job.remote?.data ?? null,
      madeFrom: photoBehind(job.inputs.source),
    };
  };

  /** The photo behind a job's source: itself, or the source of the job that made the result, and so on. */
  const photoBehind = (source: InputRef | undefined): InputRef | null => {
    let current = source;
    for (let depth = 0; current && depth < MAX_RESULT_DEPTH; depth++) {
      if (current.kind === 'asset') return current;
      const made = getVariant(db, current.variantId);
      current = made ? (getJob(db, made.jobId)?.inputs.source ?? undefined) : undefined;
    }
    return null;
  };

  const decode = async (
    ref: InputRef,
    file: string,
    bytes: Buffer,
    name: string,
    turn: Turn = 0,
    knownWhole = false,
  ): Promise<InputPhoto> => {
    const sniffed = sniffFormat(bytes.subarray(0, 64));
    if (!sniffed.ok) throw new AppError('invalid_input', `${name}: ${sniffed.message}`);
    const opened = await decoder.open(file, bytes, sniffed.format, { knownWhole });
    if (!opened.ok) {
      if (opened.error.kind === 'decoder_unavailable') throw new Error(opened.error.message);
      throw new AppError('invalid_input', opened.error.message);
    }
    // A photo pinned with a turn is read turned: every provider sees it the way the user does.
    const photo = turnedPhoto(opened.photo, turn);
    return {
      ref,
      width: photo.width,
      height: photo.height,
      format: photo.format,
      metadata: photo.metadata,
      pipeline: photo.pipeline,
      release: () => releaseBuffer(bytes),
    };
  };

  const readPhoto = async (ref: InputRef & { kind: 'asset' }): Promise<InputPhoto> => {
    const source = assetSource(db, ref.assetId);
    if (!source) throw new AppError('not_found', `No photo ${ref.assetId}.`);
    if (!source.file || source.state === 'missing') {
      throw new AppError('not_found', `The photo ${source.relativePath} is no longer in its hot folder.`);
    }
    if (source.version !== ref.version) {
      throw new AppError(
        'conflict',
        `${source.relativePath} changed since this job was planned (version ${ref.version}, now ${source.version}); the new version has jobs of its own.`,
      );
    }
    let read: { bytes: Buffer; identity: FileIdentity | null };
    try {
      read = await readRegularFileWithIdentity(source.file, MAX_PHOTO_FILE_BYTES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('not_found', `The photo ${source.relativePath} is no longer in its hot folder.`);
      }
      if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) {
        throw new AppError('invalid_input', `${source.relativePath} is no longer a photo file Shootline can read.`);
      }
      throw error; // a locked or unreadable file: the queue tries again later
    }
    const same = compareWithIngested(source, read);
    if (same === 'same-bytes' && read.identity) rememberFileIdentity(db, source, read.identity);
    if (same === 'changed') {
      throw new AppError(
        'conflict',
        `${source.relativePath} changed since this job was queued; the new version is ingested on its own.`,
      );
    }
    const turn = ref.turn ?? 0;
    // The bytes are those ingested; if ingest decoded them (`ok`), their scan data was checked then.
    return decode(ref, source.file, read.bytes, source.relativePath, isTurn(turn) ? turn : 0, source.state === 'ok');
  };

  return {
    image: async (ref) => {
      if (ref.kind === 'asset') return readPhoto(ref);
      const variant = getVariant(db, ref.variantId);
      if (!variant) throw new AppError('not_found', `The result ${ref.variantId} is gone.`);
      if (variant.kind !== 'image')
        throw new AppError('invalid_input', `The result ${ref.variantId} is not a picture.`);
      const file = variantFilePath(mediaRoot, variant.mediaId, variant.mimeType);
      const bytes = await fs.promises.readFile(file);
      return decode(ref, file, bytes, `Result ${ref.variantId}`);
    },
    mask: (ref, width, height) => {
      const version = getMaskVersion(db, ref.maskId, ref.version);
      if (!version) {
        return Promise.reject(new AppError('not_found', `Version ${ref.version} of mask ${ref.maskId} is gone.`));
      }
      return renderMask(version.content, width, height);
    },
    variant: readVariant,
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
