import type { Migration } from './types';

/**
 * A photo can be turned in quarter turns (its EXIF orientation said the wrong thing), and it can
 * carry the point an export crop keeps in view (a 4:5 or square crop placed on the subject, not
 * the middle). Both belong to the photo, not to its file: the file in the hot folder is never
 * rewritten. A job pins the turn with the photo's version (job inputs), so a turn made later
 * changes the jobs planned after it, not the ones already sent.
 */
export const migration0019: Migration = {
  version: 19,
  name: 'turns and crop focus',
  sql: `
    ALTER TABLE assets ADD COLUMN turn INTEGER NOT NULL DEFAULT 0 CHECK (turn BETWEEN 0 AND 3);
    ALTER TABLE assets ADD COLUMN focus_x REAL CHECK (focus_x BETWEEN 0 AND 1);
    ALTER TABLE assets ADD COLUMN focus_y REAL CHECK (focus_y BETWEEN 0 AND 1);
  `,
};
