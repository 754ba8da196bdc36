import type { Migration } from './types';

/**
 * A byte copy of a photo inside the same shoot becomes a photo of its own (shown, and said to be
 * the same as the first), instead of a row nobody saw. The records of copies seen so far are
 * dropped: the start-up scan finds those files again, unknown at their paths, and records each as
 * a photo; its content already had its default recipe, so nothing is run twice.
 */
export const migration0017: Migration = {
  version: 17,
  name: 'copies are photos',
  sql: `DROP TABLE asset_duplicates;`,
};
