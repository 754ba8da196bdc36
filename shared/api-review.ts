import { z } from 'zod';
import { AssetSchema } from './domain';
import { AssetCullSchema, PickSchema, RatingSchema } from './jobs';

const id = z.string().min(1).max(200);

/**
 * The most marks one `assets.cull` call carries: 10,000 fit the WebSocket's 1 MB frame with room to
 * spare. A larger selection is sent in several calls (the UI still undoes it as one batch).
 */
export const MAX_CULL_MARKS = 10_000;

/** One photo's new flag and/or rating: a flag (and maybe a rating), or a rating alone. */
export const AssetMarkSchema = z.union(
  [
    z.object({ id, pick: PickSchema, rating: RatingSchema.optional() }).strict(),
    z.object({ id, rating: RatingSchema }).strict(),
  ],
  { error: 'A mark is a photo id with a pick, a rating, or both.' },
);
export type AssetMark = z.infer<typeof AssetMarkSchema>;

export const AssetCullResultSchema = z.object({
  /** The photos as they are now, in the order asked. */
  culled: z.array(AssetCullSchema),
  /** Ids of photos that no longer exist (deleted meanwhile): the others were marked all the same. */
  notFound: z.array(z.string()),
});
export type AssetCullResult = z.infer<typeof AssetCullResultSchema>;

const nullableNumber = z.number().nullable();

/** A photo's own facts for the info panel: the file, the camera's EXIF and a histogram. */
export const PhotoInfoSchema = z.object({
  assetId: z.string(),
  fileName: z.string(),
  /** Where the original lives on disk (null for a photo whose hot folder is gone). */
  path: z.string().nullable(),
  sizeBytes: z.number().int(),
  format: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  capturedAt: z.string().nullable(),
  camera: z.string().nullable(),
  lens: z.string().nullable(),
  /** Seconds (1/250 s is 0.004). */
  exposureTime: nullableNumber,
  fNumber: nullableNumber,
  iso: nullableNumber,
  /** Millimetres, as the lens reports it, and as on 35 mm film when the camera says so. */
  focalLength: nullableNumber,
  focalLength35: nullableNumber,
  gps: z.object({ latitude: z.number(), longitude: z.number(), altitude: nullableNumber }).nullable(),
  /** The embedded ICC profile's name, or null when the photo carries none (it is read as sRGB). */
  colourProfile: z.string().nullable(),
  /** Counts of pixels per brightness bin (HISTOGRAM_BINS each), from the photo's preview. */
  histogram: z
    .object({
      red: z.array(z.number().int()),
      green: z.array(z.number().int()),
      blue: z.array(z.number().int()),
      luma: z.array(z.number().int()),
    })
    .nullable(),
  /** Why some of the above could not be read (a missing or unreadable file), in words. */
  problem: z.string().nullable(),
});
export type PhotoInfo = z.infer<typeof PhotoInfoSchema>;

export const HISTOGRAM_BINS = 64;

/** Culling and a photo's details (shared/api.ts spreads it into the one method table). */
export const REVIEW_METHODS = {
  /**
   * Flags and/or rates photos in one transaction, each with its own change (an undo restores each
   * photo's earlier marks in one call). Each photo at most once.
   */
  'assets.cull': {
    args: z
      .object({
        marks: z
          .array(AssetMarkSchema)
          .min(1)
          .max(MAX_CULL_MARKS)
          .refine((marks) => new Set(marks.map((mark) => mark.id)).size === marks.length, 'Each photo at most once.'),
      })
      .strict(),
    result: AssetCullResultSchema,
  },
  /** The file names of these photos (for the queue's rows); ids that do not exist are left out. */
  'assets.names': {
    args: z.object({ ids: z.array(id).max(1_000) }).strict(),
    result: z.object({ names: z.record(z.string(), z.string()) }),
  },
  /** What the info panel shows of a photo; read from its file each time (nothing is cached). */
  'assets.info': { args: z.object({ id }).strict(), result: PhotoInfoSchema },
  /**
   * Turns a photo whose EXIF orientation is wrong, in quarter turns (1 clockwise, -1 counter-
   * clockwise, 2 upside down). The file is not rewritten; thumbnails, later jobs and exports use the
   * turn, and the photo's masks get a new version turned with it.
   */
  'assets.turn': {
    args: z.object({ id, by: z.union([z.literal(1), z.literal(-1), z.literal(2)]) }).strict(),
    result: z.object({ asset: AssetSchema, masksTurned: z.number().int() }),
  },
  /**
   * Where an export crop of another shape (4:5, square) is placed on this photo: the point, as 0–1
   * of the upright width and height, kept as near the middle of the crop as the picture allows.
   * Null goes back to the middle.
   */
  'assets.setCropFocus': {
    args: z
      .object({
        id,
        focus: z
          .object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) })
          .strict()
          .nullable(),
      })
      .strict(),
    result: AssetSchema,
  },
} as const;

/** A cull as the other windows hear it: the photos' new marks, one event per call. */
export const AssetsCulledSchema = z.object({ culled: z.array(AssetCullSchema) });
