import { z } from 'zod';
import { ProductTypeSchema } from './garments';

/** Domain types shared by the engine and the UI. Schemas first; types are inferred from them. */

export const ShootSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
});
export type Shoot = z.infer<typeof ShootSchema>;

/** A shoot as the shoots list shows it: where it comes from, its photos and how far their work is. */
export const ShootListItemSchema = ShootSchema.extend({
  hotFolderId: z.string().nullable(),
  /** Its subfolder in the hot folder ('' for the loose files; null if made by hand). */
  folder: z.string().nullable(),
  /** A garment shoot gives its photos this product type (each photo may say otherwise); null: an ordinary shoot. */
  garmentType: ProductTypeSchema.nullable(),
  photos: z.number().int(),
  /** Photos that cannot be read or are gone. */
  problems: z.number().int(),
  /** Photos with at least one variant. */
  withVariants: z.number().int(),
  /** Approved variants: what the usual export presets take. */
  approved: z.number().int(),
  /** Jobs not yet finished (waiting, queued or running). */
  jobsPending: z.number().int(),
});
export type ShootListItem = z.infer<typeof ShootListItemSchema>;

/** A shoot with where it came from and how far its photos are. */
export const ShootDetailSchema = ShootSchema.extend({
  hotFolderId: z.string().nullable(),
  /** Its top-level subfolder in the hot folder ('' for the hot folder's loose files; null if made by hand). */
  folder: z.string().nullable(),
  garmentType: ProductTypeSchema.nullable(),
  assets: z.object({
    total: z.number().int(),
    pending: z.number().int(),
    ok: z.number().int(),
    error: z.number().int(),
    missing: z.number().int(),
  }),
});
export type ShootDetail = z.infer<typeof ShootDetailSchema>;

/** The longest shoot name: a folder name can be 255 bytes, so every folder's name fits. */
export const MAX_SHOOT_NAME = 255;

/**
 * One rule for every shoot name, typed or made from a folder: trimmed, 1 to 255 characters, no
 * path separator and no control character (names become folder names on export). A name already
 * in use is told by the engine, which knows the others.
 */
export const ShootNameSchema = z
  .string()
  .trim()
  .min(1, 'A shoot needs a name.')
  .max(MAX_SHOOT_NAME, `A shoot name can be at most ${MAX_SHOOT_NAME} characters.`)
  .refine((name) => !/[/\\]/.test(name), 'A shoot name cannot contain / or \\.')
  .refine((name) => name !== '.' && name !== '..', 'A shoot cannot be named . or ..')
  .refine((name) => !hasControlCharacter(name), 'A shoot name cannot contain control characters.');

/** A folder's name made to follow the same rule (control characters dropped, trimmed, cut to length). */
export function shootNameFromFolder(folder: string): string {
  let name = '';
  for (const char of folder.trim()) {
    if (hasControlCharacter(char)) continue;
    // Counted as the schema counts (UTF-16 units), never cutting a character in two.
    if (name.length + char.length > MAX_SHOOT_NAME) break;
    name += char === '\\' ? '-' : char;
  }
  name = name.trim();
  return name === '' || name === '.' || name === '..' ? 'Untitled shoot' : name;
}

function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Engine settings: shared by both shells, stored in SQLite. Every key has a default so a fresh
 * data dir works with no configuration; stored values are merged over the defaults on read.
 */
export const SettingsSchema = z.object({
  /** Start with the queue paused after a restart, so nothing is sent before the user looks. */
  startQueuePaused: z.boolean().default(false),
  /** Minutes between reconcile scans of hot folders (catches missed file events). */
  reconcileIntervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(5),
  /** How many times a new job is tried before it fails for good (transient errors only). */
  retryLimit: z.number().int().min(1).max(50).default(8),
  /** Written into exports as IPTC/XMP creator, copyright and contact. */
  creator: z.string().max(200).default(''),
  copyright: z.string().max(500).default(''),
  contactEmail: z.string().max(200).default(''),
  contactUrl: z.string().max(500).default(''),
  /** After P or X on one photo, the next one is focused, as in Photo Mechanic. */
  autoAdvance: z.boolean().default(true),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsPatchSchema = z
  .object({
    startQueuePaused: z.boolean(),
    reconcileIntervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    retryLimit: z.number().int().min(1).max(50),
    creator: z.string().trim().max(200),
    copyright: z.string().trim().max(500),
    contactEmail: z.string().trim().max(200),
    contactUrl: z.string().trim().max(500),
    autoAdvance: z.boolean(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const EngineInfoSchema = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'headless']),
  dataDir: z.string(),
  schemaVersion: z.number().int(),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

/** A watched folder: every top-level subfolder becomes a shoot; loose files go to a shoot named after it. */
export const HotFolderSchema = z.object({
  id: z.string(),
  path: z.string(),
  name: z.string(),
  /** Applied to every new asset; null means "ingest only". */
  defaultRecipeId: z.string().nullable(),
  /** Credits each new shoot may spend on a paid recipe; null means no cap. */
  spendingCap: z.number().nullable(),
  /** Spend up to the cap without asking; otherwise a new shoot's first paid jobs wait for approval. */
  autoApprove: z.boolean(),
  recursive: z.boolean(),
  /** Poll the folder instead of relying on file events (network drives). */
  polling: z.boolean(),
  reconcileMinutes: z.number().int(),
  /** An export preset applied by itself to every variant approved in this folder's shoots. */
  exportPresetId: z.string().nullable(),
  /** Where those exports go (a full path). */
  exportFolder: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type HotFolder = z.infer<typeof HotFolderSchema>;

export const HotFolderOptionsSchema = z
  .object({
    defaultRecipeId: z.string().min(1).max(200).nullable(),
    spendingCap: z.number().nonnegative().nullable(),
    autoApprove: z.boolean(),
    recursive: z.boolean(),
    polling: z.boolean(),
    reconcileMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    exportPresetId: z.string().min(1).max(200).nullable(),
    exportFolder: z.string().min(1).max(4096).nullable(),
  })
  .partial();
export type HotFolderOptions = z.input<typeof HotFolderOptionsSchema>;

/** How far ingest has come with the photos it is decoding now ("N of M", the current file, the rate). */
export const IngestProgressSchema = z.object({
  done: z.number().int(),
  total: z.number().int(),
  current: z.string().nullable(),
  perSecond: z.number().nullable(),
});

export const ASSET_STATES = ['pending', 'ok', 'error', 'missing'] as const;

/** One source photo as ingest recorded it. `pending` until decoded; `missing` when its file is gone (data kept). */
export const AssetSchema = z.object({
  id: z.string(),
  shootId: z.string(),
  relativePath: z.string(),
  contentHash: z.string(),
  sizeBytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  format: z.string().nullable(),
  state: z.enum(ASSET_STATES),
  error: z.object({ kind: z.string(), message: z.string() }).nullable(),
  version: z.number().int(),
  /** Local capture time as the camera recorded it, e.g. "2016-03-24T14:49:51" (null if unknown). */
  capturedAt: z.string().nullable(),
  camera: z.string().nullable(),
  lens: z.string().nullable(),
  /** EXIF orientation of the original (1–8); width and height are already upright, turn included. */
  orientation: z.number().int().nullable(),
  /** Quarter turns clockwise the user added on top of the EXIF orientation (0–3). */
  turn: z.number().int().min(0).max(3),
  /** The point (0–1 of the upright width and height) an export crop keeps in view; null: the middle. */
  cropFocus: z.object({ x: z.number(), y: z.number() }).nullable(),
  /** The product type when the photo is a garment (its own mark, else its garment shoot's); null otherwise. */
  garment: ProductTypeSchema.nullable(),
  hasGps: z.boolean().nullable(),
  /** A linked XMP sidecar, relative to the hot folder. */
  sidecarPath: z.string().nullable(),
  pick: z.enum(['none', 'picked', 'rejected']),
  rating: z.number().int(),
  /**
   * The first photo in the library with the same bytes, if this one came later (a copy in this
   * shoot or a photo already in another): its default recipe ran there, not here.
   */
  sameAs: z
    .object({ assetId: z.string(), shootId: z.string(), shootName: z.string(), relativePath: z.string() })
    .nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Asset = z.infer<typeof AssetSchema>;
