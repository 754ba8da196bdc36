import { z } from 'zod';

/**
 * Masks are vector strokes, not bitmaps: undo pops the last stroke, and the engine rasterises a mask
 * at whatever resolution a job needs (usually the source's). Coordinates are in the pixel space of
 * the image the strokes were painted on: x right, y down, pixel centres at i + 0.5.
 */

export const MaskPurposeSchema = z.enum(['exterior', 'tryon', 'redact', 'heal']);
export type MaskPurpose = z.infer<typeof MaskPurposeSchema>;

/**
 * What one mask may hold. Rendering costs about points × brush reach × soft edge, so each of those
 * is bounded here, relative to the photo, with room for real work several times over: 50 strokes of
 * 200 points with pressure on a 24 MP photo uses a twentieth of MAX_MASK_POINTS. The renderer
 * checks the same budget at the resolution it is asked for (see maskWork).
 */
export const MAX_MASK_STROKES = 1_000;
export const MAX_STROKE_POINTS = 5_000;
export const MAX_MASK_POINTS = 200_000;
/** Largest side of the painted image (beyond any camera). */
export const MAX_MASK_IMAGE_SIDE = 30_000;
/** Brush size up to twice the photo's long side, feather up to its long side. */
export const MAX_BRUSH_TO_SIDE = 2;
export const MAX_FEATHER_TO_SIDE = 1;
/** Points may lie off the picture (a stroke that runs past its edge), but not absurdly far. */
const MAX_COORDINATE = 10 * MAX_MASK_IMAGE_SIDE;
/**
 * Work units (points × reach × soft band, in output pixels) one mask may cost to render: about a
 * few seconds on one core, off the main thread.
 */
export const MAX_MASK_WORK = 2e9;

/** Zod 4's z.number() already refuses NaN and ±Infinity, which would poison every distance computed from them. */
export const MaskPointSchema = z.object({
  x: z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE),
  y: z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE),
  /** Pen pressure, 0–1, as the editor recorded it (kept with the stroke; the brush width does not follow it yet). */
  pressure: z.number().min(0).max(1).optional(),
});
export type MaskPoint = z.infer<typeof MaskPointSchema>;

export const MaskStrokeSchema = z.object({
  /** The brush path; a single point is a dot. */
  points: z
    .array(MaskPointSchema)
    .min(1, 'A stroke needs at least one point.')
    .max(MAX_STROKE_POINTS, `A stroke can have at most ${MAX_STROKE_POINTS} points.`),
  /** Brush diameter, in source pixels. */
  size: z
    .number()
    .positive('The brush size must be greater than 0.')
    .max(MAX_BRUSH_TO_SIDE * MAX_MASK_IMAGE_SIDE),
  /** Paint adds to the mask; erase removes from it. */
  mode: z.enum(['paint', 'erase']),
  /** Width of the soft edge, in source pixels, centred on the brush's radius; 0 is a hard (anti-aliased) edge. */
  feather: z.number().min(0, 'The feather cannot be negative.').max(MAX_MASK_IMAGE_SIDE).default(0),
});
export type MaskStroke = z.infer<typeof MaskStrokeSchema>;

export const MaskDrawingSchema = z
  .object({
    /** Size of the image the strokes were painted on, in pixels: the space the coordinates live in. */
    width: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
    height: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
    /** Applied in order, so later strokes win where they overlap. */
    strokes: z.array(MaskStrokeSchema).max(MAX_MASK_STROKES, `A mask can have at most ${MAX_MASK_STROKES} strokes.`),
  })
  .superRefine((drawing, context) => {
    const side = Math.max(drawing.width, drawing.height);
    let points = 0;
    drawing.strokes.forEach((stroke, index) => {
      points += stroke.points.length;
      if (stroke.size > MAX_BRUSH_TO_SIDE * side) {
        context.addIssue({
          code: 'custom',
          path: ['strokes', index, 'size'],
          message: `The brush can be at most ${MAX_BRUSH_TO_SIDE}× the picture's long side (${MAX_BRUSH_TO_SIDE * side} px).`,
        });
      }
      if (stroke.feather > MAX_FEATHER_TO_SIDE * side) {
        context.addIssue({
          code: 'custom',
          path: ['strokes', index, 'feather'],
          message: `The feather can be at most the picture's long side (${side} px).`,
        });
      }
    });
    if (points > MAX_MASK_POINTS) {
      context.addIssue({
        code: 'custom',
        path: ['strokes'],
        message: `A mask can have at most ${MAX_MASK_POINTS} points in all (this one has ${points}).`,
      });
    }
  });
export type MaskDrawing = z.infer<typeof MaskDrawingSchema>;
/** What a caller may send: `feather` can be left out. */
export type MaskDrawingInput = z.input<typeof MaskDrawingSchema>;

/**
 * What rendering a drawing at outWidth × outHeight costs, in work units: per point, the rows its
 * brush reaches times the soft band computed on each (the solid inside is a native fill).
 */
export function maskWork(drawing: MaskDrawing, outWidth: number, outHeight: number): number {
  const scale = (outWidth / drawing.width + outHeight / drawing.height) / 2;
  let work = 0;
  for (const stroke of drawing.strokes) {
    const softness = Math.max(stroke.feather * scale, 1);
    const reach = (stroke.size * scale) / 2 + softness / 2;
    work += stroke.points.length * 2 * reach * 2 * softness;
  }
  return work;
}

export const MaskSchema = z.object({
  id: z.string(),
  assetId: z.string(),
  purpose: MaskPurposeSchema,
  drawing: MaskDrawingSchema,
  version: z.number().int(),
  updatedAt: z.number(),
});
export type Mask = z.infer<typeof MaskSchema>;
