import { z } from 'zod';

/**
 * A mask is an identity (id, asset, name, purpose) with immutable versions. A version's content is
 * vector strokes plus optional raster layers (an imported PNG, a refined selection) and an invert
 * flag: undo pops the last stroke, and the engine rasterises a version at whatever resolution a job
 * needs. Coordinates are in the upright photo's pixel space: x right, y down, pixel centres at
 * i + 0.5. Saving makes a new version; a job pins the version it was planned with.
 */

export const MaskPurposeSchema = z.enum(['exterior', 'tryon', 'redact', 'heal']);
export type MaskPurpose = z.infer<typeof MaskPurposeSchema>;

/** The name a mask gets when none is given. */
export const DEFAULT_MASK_NAMES: Record<MaskPurpose, string> = {
  exterior: 'Exterior',
  tryon: 'Try-on',
  redact: 'Redact',
  heal: 'Heal',
};

/**
 * What one mask version may hold. Rendering costs about points × brush reach × soft edge, so each of
 * those is bounded here, relative to the photo, with room for real work several times over: 50
 * strokes of 200 points on a 24 MP photo uses a twentieth of MAX_MASK_POINTS. The renderer checks
 * the same budget at the resolution it is asked for (see maskWork).
 */
export const MAX_MASK_STROKES = 1_000;
export const MAX_STROKE_POINTS = 5_000;
export const MAX_MASK_POINTS = 200_000;
/** Largest side of the painted image (beyond any camera). */
export const MAX_MASK_IMAGE_SIDE = 30_000;
/** Brush size up to three times the photo's long side (a mask painted with a soft feather keeps its reach). */
export const MAX_BRUSH_TO_SIDE = 3;
/** Points may lie off the picture (a stroke that runs past its edge), but not absurdly far. */
const MAX_COORDINATE = 10 * MAX_MASK_IMAGE_SIDE;
/**
 * Work units (points × reach × soft band, in output pixels) one mask may cost to render: about a
 * few seconds on one core, off the main thread.
 */
export const MAX_MASK_WORK = 2e9;
/** Raster layers per version, and the size of each one's PNG (base64 text). */
export const MAX_MASK_RASTERS = 4;
export const MAX_RASTER_PNG_CHARS = 8_000_000;
export const MAX_MASK_NAME = 100;

/** Zod 4's z.number() already refuses NaN and ±Infinity, which would poison every distance computed from them. */
export const MaskPointSchema = z
  .object({
    x: z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE),
    y: z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE),
    /** Pen pressure, 0–1, as the editor recorded it; the stroke's `pressureControls` say what it changes. */
    pressure: z.number().min(0).max(1).optional(),
  })
  .strict();
export type MaskPoint = z.infer<typeof MaskPointSchema>;

/**
 * A stroke as callers before mask versions sent it: a brush `size` with a `feather` centred on its
 * edge. The same edge as a hardness: the brush reaches (size + feather) / 2 and is solid within
 * (size − feather) / 2 of its path.
 */
function fromFeather(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('feather' in value) || 'hardness' in value) return value;
  const { feather, size, ...rest } = value as { feather: unknown; size: unknown };
  if (typeof feather !== 'number' || typeof size !== 'number' || feather < 0 || size <= 0) return value;
  return { ...rest, size: size + feather, hardness: Math.max(0, (size - feather) / (size + feather)) };
}

export const MaskStrokeSchema = z.preprocess(
  fromFeather,
  z
    .object({
      /** The brush path; a single point is a dot. */
      points: z
        .array(MaskPointSchema)
        .min(1, 'A stroke needs at least one point.')
        .max(MAX_STROKE_POINTS, `A stroke can have at most ${MAX_STROKE_POINTS} points.`),
      /** Brush diameter, in source pixels: the brush reaches size / 2 from its path. */
      size: z
        .number()
        .positive('The brush size must be greater than 0.')
        .max(MAX_BRUSH_TO_SIDE * MAX_MASK_IMAGE_SIDE),
      /** Share of the radius that is solid; the rest fades out linearly to the edge. 1 is a hard (anti-aliased) brush. */
      hardness: z.number().min(0).max(1).default(1),
      /** How strongly the stroke paints or erases, 0–1. */
      opacity: z.number().min(0).max(1).default(1),
      /** Paint adds to the mask; erase removes from it. */
      mode: z.enum(['paint', 'erase']),
      /**
       * What the pen's pressure changes along the stroke: the brush's size, its opacity, both, or
       * nothing (the default; a mouse has no pressure). See pressureFactor.
       */
      pressureControls: z.object({ size: z.boolean(), opacity: z.boolean() }).strict().optional(),
    })
    .strict(),
);
export type MaskStroke = z.infer<typeof MaskStrokeSchema>;

/**
 * How much of the brush's size or opacity a pressure keeps: a light touch still draws a thin,
 * faint line (a tenth), full pressure the whole brush. A point without pressure is full pressure.
 */
export const MIN_PRESSURE_FACTOR = 0.1;
export function pressureFactor(pressure: number | undefined): number {
  return pressure === undefined ? 1 : MIN_PRESSURE_FACTOR + (1 - MIN_PRESSURE_FACTOR) * pressure;
}

/** An imported or computed selection: a PNG (its alpha, or its gray level when it has none) stretched over the photo. */
export const MaskRasterSchema = z
  .object({
    /** The PNG, base64-encoded. */
    png: z
      .string()
      .min(1)
      .max(MAX_RASTER_PNG_CHARS, `A raster layer can be at most ${MAX_RASTER_PNG_CHARS / 1_000_000} MB as base64.`)
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'A raster layer must be a base64-encoded PNG.'),
    mode: z.enum(['paint', 'erase']).default('paint'),
    opacity: z.number().min(0).max(1).default(1),
  })
  .strict();
export type MaskRaster = z.infer<typeof MaskRasterSchema>;

export const MaskContentSchema = z
  .object({
    /** Size of the upright photo the mask was painted on, in pixels: the space the coordinates live in. */
    width: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
    height: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
    /** Drawn after the raster layers, in order, so later strokes win where they overlap. */
    strokes: z.array(MaskStrokeSchema).max(MAX_MASK_STROKES, `A mask can have at most ${MAX_MASK_STROKES} strokes.`),
    /** Applied first, in order. */
    rasters: z
      .array(MaskRasterSchema)
      .max(MAX_MASK_RASTERS, `A mask can have at most ${MAX_MASK_RASTERS} raster layers.`)
      .default([]),
    /** Selects what was not painted (applied last). */
    invert: z.boolean().default(false),
  })
  .strict()
  .superRefine((content, context) => {
    const side = Math.max(content.width, content.height);
    let points = 0;
    content.strokes.forEach((stroke, index) => {
      points += stroke.points.length;
      if (stroke.size > MAX_BRUSH_TO_SIDE * side) {
        context.addIssue({
          code: 'custom',
          path: ['strokes', index, 'size'],
          message: `The brush can be at most ${MAX_BRUSH_TO_SIDE}× the picture's long side (${MAX_BRUSH_TO_SIDE * side} px).`,
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
export type MaskContent = z.infer<typeof MaskContentSchema>;
/** What a caller may send: hardness, opacity, rasters and invert can be left out (and a legacy feather given). */
export type MaskContentInput = z.input<typeof MaskContentSchema>;

/**
 * What rendering a mask's strokes at outWidth × outHeight costs, in work units: per point, the rows
 * its brush reaches times the soft band computed on each (the solid inside is a native fill).
 */
export function maskWork(
  content: Pick<MaskContent, 'width' | 'height' | 'strokes'>,
  outWidth: number,
  outHeight: number,
): number {
  const scale = (outWidth / content.width + outHeight / content.height) / 2;
  let work = 0;
  for (const stroke of content.strokes) {
    const radius = (stroke.size * scale) / 2;
    // A stroke whose edge varies with pressure has no solid inside: its whole width is computed per pixel.
    const varies = stroke.pressureControls?.size === true || stroke.pressureControls?.opacity === true;
    const softness = varies ? radius + 0.5 : Math.max(radius * (1 - stroke.hardness), 1);
    const reach = radius + 0.5;
    work += stroke.points.length * 2 * reach * 2 * softness;
  }
  return work;
}

export const MaskNameSchema = z
  .string()
  .trim()
  .min(1, 'A mask needs a name.')
  .max(MAX_MASK_NAME, `A mask name can be at most ${MAX_MASK_NAME} characters.`);

/** A mask with its current version's content. */
export const MaskSchema = z.object({
  id: z.string(),
  assetId: z.string(),
  name: z.string(),
  purpose: MaskPurposeSchema,
  version: z.number().int(),
  content: MaskContentSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Mask = z.infer<typeof MaskSchema>;

/** One immutable version of a mask. */
export const MaskVersionSchema = z.object({
  maskId: z.string(),
  version: z.number().int(),
  content: MaskContentSchema,
  createdAt: z.number(),
});
export type MaskVersion = z.infer<typeof MaskVersionSchema>;

/** A rectangle of the upright photo, in its pixels (a box drawn around an object). */
export const PixelBoxSchema = z
  .object({
    x: z.number().int().min(0).max(MAX_MASK_IMAGE_SIDE),
    y: z.number().int().min(0).max(MAX_MASK_IMAGE_SIDE),
    width: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
    height: z.number().int().positive().max(MAX_MASK_IMAGE_SIDE),
  })
  .strict();
export type PixelBox = z.infer<typeof PixelBoxSchema>;

const assetId = z.string().min(1).max(200);

/** "Refine to edges": a rough drawing and/or a box around the object, on this photo. */
export const MaskRefineRequestSchema = z
  .object({ assetId, content: MaskContentSchema, box: PixelBoxSchema.optional() })
  .strict();

/** A colour select: the colour at `point` within `tolerance` (0–1), connected to it or anywhere, within `box`. */
export const ColourSelectRequestSchema = z
  .object({
    assetId,
    point: z
      .object({ x: z.number().min(0).max(MAX_MASK_IMAGE_SIDE), y: z.number().min(0).max(MAX_MASK_IMAGE_SIDE) })
      .strict(),
    tolerance: z.number().min(0).max(1).default(0.15),
    contiguous: z.boolean().default(true),
    box: PixelBoxSchema.optional(),
  })
  .strict();

/**
 * A computed selection, to become a raster layer of a mask version: a grey PNG (white = selected)
 * of the given size, stretched over the photo like every raster layer.
 */
export const MaskSelectionSchema = z.object({ png: z.string(), width: z.number().int(), height: z.number().int() });
export type MaskSelection = z.infer<typeof MaskSelectionSchema>;
