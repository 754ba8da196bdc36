import type { Migration } from './types';

/**
 * Jobs name their inputs by role, and masks keep every version.
 *
 * A job's inputs were `{ assetIds, variantIds?, maskId?, garmentAssetId? }`; they become
 * `{ source?, garment?, mask?, firstFrame?, variants? }` (shared/job-inputs.ts). A job's photo is
 * pinned at the asset's version now (the queue checks its content before sending anyway); its
 * mask at version 1, which is what every existing mask becomes.
 *
 * A mask was one row per (asset, purpose), overwritten in place. It becomes an identity (id,
 * asset, name, purpose, current version) with immutable versions in mask_versions. A drawing's
 * strokes move from a centred feather to a hardness: the new brush reaches size/2 and is solid
 * within hardness × size/2, so size + feather and (size − feather) / (size + feather) draw the very
 * same edge. Nothing about a job's state, steps or remote id changes: jobs in flight resume as they
 * were, without a resend.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'job inputs by role, mask versions',
  sql: `
    UPDATE jobs SET inputs_json = json_patch('{}', json_object(
      'source', CASE WHEN json_array_length(inputs_json, '$.assetIds') > 0 THEN json_object(
        'kind', 'asset',
        'assetId', json_extract(inputs_json, '$.assetIds[0]'),
        'version', COALESCE((SELECT version FROM assets WHERE id = json_extract(inputs_json, '$.assetIds[0]')), 1)
      ) END,
      'garment', CASE WHEN json_extract(inputs_json, '$.garmentAssetId') IS NOT NULL THEN json_object(
        'kind', 'asset',
        'assetId', json_extract(inputs_json, '$.garmentAssetId'),
        'version', COALESCE((SELECT version FROM assets WHERE id = json_extract(inputs_json, '$.garmentAssetId')), 1)
      ) END,
      'mask', CASE WHEN json_extract(inputs_json, '$.maskId') IS NOT NULL THEN json_object(
        'maskId', json_extract(inputs_json, '$.maskId'),
        'version', 1
      ) END,
      'variants', CASE WHEN json_array_length(inputs_json, '$.variantIds') > 0
        THEN json(json_extract(inputs_json, '$.variantIds')) END
    ));

    CREATE TABLE mask_identities (
      id              TEXT PRIMARY KEY,
      asset_id        TEXT NOT NULL REFERENCES assets (id),
      name            TEXT NOT NULL,
      purpose         TEXT NOT NULL CHECK (purpose IN ('exterior', 'tryon', 'redact', 'heal')),
      current_version INTEGER NOT NULL,
      deleted_at      INTEGER,
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL
    ) STRICT;

    -- A version never changes once written; a job pins one (inputs.mask) and reads it by (mask, version).
    CREATE TABLE mask_versions (
      mask_id      TEXT NOT NULL,
      version      INTEGER NOT NULL,
      content_json TEXT NOT NULL,
      created_at   INTEGER NOT NULL,
      PRIMARY KEY (mask_id, version)
    ) STRICT;

    INSERT INTO mask_identities (id, asset_id, name, purpose, current_version, deleted_at, created_at, updated_at)
      SELECT id, asset_id,
        CASE purpose WHEN 'exterior' THEN 'Exterior' WHEN 'tryon' THEN 'Try-on'
                     WHEN 'redact' THEN 'Redact' ELSE 'Heal' END,
        purpose, 1, NULL, created_at, updated_at
      FROM masks;

    INSERT INTO mask_versions (mask_id, version, content_json, created_at)
      SELECT id, 1, json_object(
        'width', json_extract(drawing_json, '$.width'),
        'height', json_extract(drawing_json, '$.height'),
        'invert', json('false'),
        'rasters', json('[]'),
        -- json(): a subquery's JSON text would otherwise be stored as a string.
        'strokes', json((
          SELECT json_group_array(json_object(
            'points', json(json_extract(stroke.value, '$.points')),
            'size', json_extract(stroke.value, '$.size') + COALESCE(json_extract(stroke.value, '$.feather'), 0),
            'hardness', MAX(0.0,
              (json_extract(stroke.value, '$.size') - COALESCE(json_extract(stroke.value, '$.feather'), 0)) * 1.0
              / (json_extract(stroke.value, '$.size') + COALESCE(json_extract(stroke.value, '$.feather'), 0))),
            'opacity', 1,
            'mode', json_extract(stroke.value, '$.mode')
          ))
          FROM (SELECT value FROM json_each(drawing_json, '$.strokes') ORDER BY key) AS stroke
        ))
      ), updated_at
      FROM masks;

    DROP TABLE masks;
    ALTER TABLE mask_identities RENAME TO masks;
    CREATE INDEX masks_by_asset ON masks (asset_id, purpose) WHERE deleted_at IS NULL;
  `,
};
