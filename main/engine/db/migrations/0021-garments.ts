import type { Migration } from './types';

// Written out, not imported: a migration says what the schema was then, whatever the list becomes.
const TYPES = `'GARMENT', 'DRESS', 'OUTFIT', 'FOOTWEAR', 'BAG', 'JEWELLERY', 'EYEWEAR', 'BEAUTY', 'OTHER'`;

/**
 * Garments: a photo can be marked as a garment (or product) with its product type, which try-on,
 * descriptions and product images then use without asking again. A shoot of garments (a flat-lay
 * session) gives every photo in it a type; a photo's own mark wins, and `NONE` says "not a garment"
 * inside such a shoot (the model's reference shot in a garment session).
 */
export const migration0021: Migration = {
  version: 21,
  name: 'garments',
  sql: `
    ALTER TABLE assets ADD COLUMN garment_type TEXT CHECK (garment_type IN (${TYPES}, 'NONE'));
    ALTER TABLE shoots ADD COLUMN garment_type TEXT CHECK (garment_type IN (${TYPES}));
  `,
};
