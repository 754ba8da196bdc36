import fs from 'node:fs';
import path from 'node:path';
import type { JobRecord } from './db/jobs-repo';
import type { FetchedOutput } from './providers/contract';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/avif': 'avif',
  'image/tiff': 'tif',
  'video/mp4': 'mp4',
  'text/plain': 'txt',
};

/**
 * Puts a job's output under a name Shootline chooses (never one from a URL), atomically (a
 * complete file renamed into place), so a crash mid-write leaves no half file under the final
 * name, and idempotently: the same job and output index always land in the same file. A
 * downloaded file is moved, not copied.
 */
export function storeVariantOutput(
  mediaRoot: string,
  job: JobRecord,
  output: FetchedOutput,
): { mediaId: string; file: string } {
  const mediaId = `${job.id}-${output.index}`;
  const file = variantFilePath(mediaRoot, mediaId, output.mimeType);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  if (output.file !== undefined) {
    try {
      fs.renameSync(output.file, file);
      return { mediaId, file };
    } catch (error) {
      // Another volume (a temporary folder elsewhere): copy completely, then rename into place.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.copyFileSync(output.file, temp);
      fs.rmSync(output.file, { force: true });
    }
  } else {
    fs.writeFileSync(temp, output.bytes);
  }
  fs.renameSync(temp, file);
  return { mediaId, file };
}

/** Where a variant's media file lives, by its media id and type. */
export function variantFilePath(mediaRoot: string, mediaId: string, mimeType: string): string {
  return path.join(mediaRoot, 'variant', `${mediaId}.${EXTENSIONS[mimeType] ?? 'bin'}`);
}
