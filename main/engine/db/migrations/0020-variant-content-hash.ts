import type { Migration } from './types';

/**
 * The SHA-256 of a variant's file, worked out the first time something asks (an export deciding
 * whether two variants are the same picture) and kept: a variant's file never changes.
 */
export const migration0020: Migration = {
  version: 20,
  name: 'variant content hash',
  sql: `
    ALTER TABLE variants ADD COLUMN content_hash TEXT;
  `,
};
