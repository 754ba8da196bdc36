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
 * Writes a job's output under a name Shootline chooses (never one from a URL), atomically
 * (temp file + rename), so a crash mid-write leaves no half file under the final name, and
 * idempotently: the same job and output index always land in the same file.
 */
export function storeVariantOutput(mediaRoot: string, job: JobRecord, output: FetchedOutput): { mediaId: string } {
  const mediaId = `${job.id}-${output.index}`;
  const dir = path.join(mediaRoot, 'variant');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${mediaId}.${EXTENSIONS[output.mimeType] ?? 'bin'}`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, output.bytes);
  fs.renameSync(temp, file);
  return { mediaId };
}
