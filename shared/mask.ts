import { z } from 'zod';

/**
 * Masks are vector strokes, not bitmaps: undo pops the last stroke, and the engine rasterises a mask
 * at whatever resolution a job needs (usually the source's). Coordinates are in the pixel space of
 * the image the strokes were painted on: x right, y down, pixel centres at i + 0.5.
 */

export const MaskPurposeSchema = z.enum(['exterior', 'tryon', 'redact', 'heal']);
export type MaskPurpose = z.infer<typeof MaskPurposeSchema>;

/** Zod 4's z.number() already refuses NaN and ±Infinity, which would poison every distance computed from them. */
export const MaskPointSchema = z.object({
  x: z.number(),
  y: z.number(),
});
export type MaskPoint = z.infer<typeof MaskPointSchema>;

export const MaskStrokeSchema = z.object({
  /** The brush path; a single point is a dot. */
  points: z.array(MaskPointSchema).min(1, 'A stroke needs at least one point.').max(100_000),
  /** Brush diameter, in source pixels. */
  size: z.number().positive('The brush size must be greater than 0.'),
  /** Paint adds to the mask; erase removes from it. */
  mode: z.enum(['paint', 'erase']),
  /** Width of the soft edge, in source pixels, centred on the brush's radius; 0 is a hard (anti-aliased) edge. */
  feather: z.number().min(0, 'The feather cannot be negative.').default(0),
});
export type MaskStroke = z.infer<typeof MaskStrokeSchema>;

export const MaskDrawingSchema = z.object({
  /** Size of the image the strokes were painted on, in pixels: the space the coordinates live in. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Applied in order, so later strokes win where they overlap. */
  strokes: z.array(MaskStrokeSchema).max(10_000),
});
export type MaskDrawing = z.infer<typeof MaskDrawingSchema>;
/** What a caller may send: `feather` can be left out. */
export type MaskDrawingInput = z.input<typeof MaskDrawingSchema>;

export const MaskSchema = z.object({
  id: z.string(),
  assetId: z.string(),
  purpose: MaskPurposeSchema,
  drawing: MaskDrawingSchema,
  version: z.number().int(),
  updatedAt: z.number(),
});
export type Mask = z.infer<typeof MaskSchema>;
