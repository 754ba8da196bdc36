import type { Migration } from './types';

/**
 * The identity (device, inode, size, modification and change times) of the file an asset's
 * content hash was computed from: a later read of the same unchanged file needs neither a new hash
 * nor a new check of its bytes. Null for assets ingested before, which are hashed again once.
 */
export const migration0023: Migration = {
  version: 23,
  name: 'file-identity',
  sql: `
    ALTER TABLE assets ADD COLUMN file_identity TEXT;
  `,
};
