import { inputAssetId } from '../../../shared/job-inputs';
import fs from 'node:fs';
import path from 'node:path';
import { placeAtomic } from '../atomic-file';
import type { Db } from '../db/connection';
import { assetSource } from '../db/asset-source-repo';
import type { JobRecord } from '../db/jobs-repo';
import type { Logger } from '../log';
import type { FetchedOutput } from '../providers/contract';
import type { StoredOutput } from './runner';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/tiff': 'tif',
  'video/mp4': 'mp4',
  'text/plain': 'txt',
};

/** Where a variant's media file lives, by its media id and type. */
export function variantFilePath(mediaRoot: string, mediaId: string, mimeType: string): string {
  const extension = Object.hasOwn(EXTENSIONS, mimeType) ? EXTENSIONS[mimeType] : 'bin';
  return path.join(mediaRoot, 'variant', `${mediaId}.${extension}`);
}

export interface OutputStoreOptions {
  db: Db;
  mediaRoot: string;
  log: Logger;
  /** Copies capture time, camera and credits from the source photo into an output (exiftool). */
  carryMetadata: (sourceFile: string, outputFile: string) => Promise<void>;
}

/**
 * Where a job's outputs become variants' files: under a name Shootline chooses (never one from a
 * URL), whole or not at all (written and flushed under a temporary name, then renamed, the folder
 * flushed), and idempotently (the same job and output index always land in the same file). Cloud
 * results come back stripped of the photo's metadata: it is carried over before the file takes its
 * name, so the file is never seen without it. The size recorded is the final file's.
 */
export class OutputStore {
  constructor(private readonly options: OutputStoreOptions) {}

  async store(job: JobRecord, output: FetchedOutput): Promise<StoredOutput> {
    const mediaId = `${job.id}-${output.index}`;
    const file = variantFilePath(this.options.mediaRoot, mediaId, output.mimeType);
    const carry = this.carrier(job, output);
    if (output.file !== undefined) {
      await placeAtomic(output.file, file, carry);
    } else {
      // Bytes in memory (a description, a local result): written beside it, then carried, flushed and placed.
      const staged = `${file}.incoming`;
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(staged, output.bytes);
      await placeAtomic(staged, file, carry);
    }
    return { mediaId, sizeBytes: fs.statSync(file).size };
  }

  /** The metadata step for an output: cloud images only (the local provider writes its own). */
  private carrier(job: JobRecord, output: FetchedOutput): (temp: string) => Promise<void> {
    const sourceId = inputAssetId(job.inputs);
    const source = sourceId ? assetSource(this.options.db, sourceId) : null;
    const sourceFile = source?.file;
    if (job.provider === 'local' || output.kind !== 'image' || !sourceFile) return () => Promise.resolve();
    return (temp) =>
      this.options
        .carryMetadata(sourceFile, temp)
        .catch((error: unknown) => this.options.log.warn('queue.metadata_not_carried', { jobId: job.id, error }));
  }
}
