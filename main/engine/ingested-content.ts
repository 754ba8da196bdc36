import { createHash } from 'node:crypto';
import type { FileIdentity } from './regular-file';

/** What is known of the content a photo was ingested with. */
export interface IngestedContent {
  contentHash: string;
  fileIdentity: FileIdentity | null;
}

/**
 * Whether bytes read from a photo's file are the content it was ingested with: at once when the
 * file's identity is the one recorded when that content was hashed (`same-file`), else by hashing
 * them (`same-bytes`, or `changed`).
 */
export function compareWithIngested(
  ingested: IngestedContent,
  read: { bytes: Buffer; identity: FileIdentity | null },
): 'same-file' | 'same-bytes' | 'changed' {
  if (ingested.fileIdentity !== null && read.identity === ingested.fileIdentity) return 'same-file';
  return createHash('sha256').update(read.bytes).digest('hex') === ingested.contentHash ? 'same-bytes' : 'changed';
}
