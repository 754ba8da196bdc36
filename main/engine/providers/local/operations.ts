import { z } from 'zod';
import type { OperationSpec } from '../contract';
import type { EnhanceSettings } from './enhance-plan';

/** Every local operation writes JPEG (for delivery) or PNG (lossless, for further editing). */
const output = z.enum(['jpeg', 'png']).default('jpeg');
const unit = z.number().min(0).max(1);

export const ENHANCE_PRESETS = ['auto', 'real_estate', 'product'] as const;
export type EnhancePreset = (typeof ENHANCE_PRESETS)[number];

/** What each preset means; a parameter the user sets wins over its preset. */
export const PRESET_SETTINGS: Record<EnhancePreset, EnhanceSettings> = {
  auto: {
    autoColor: 1,
    whiteBalance: 0.8,
    exposure: 0,
    autoExposure: 1,
    exposureTarget: 118,
    contrast: 0,
    saturation: 1,
    sharpen: 0.3,
    noiseReduction: false,
  },
  // Listings sell light: brighter mid-tones, neutral whites, shadows lifted, a touch of colour.
  real_estate: {
    autoColor: 1,
    whiteBalance: 1,
    exposure: 0.3,
    autoExposure: 1,
    exposureTarget: 135,
    contrast: -0.1,
    saturation: 1.06,
    sharpen: 0.4,
    noiseReduction: false,
  },
  // Products on white: neutral, crisp, a little contrast.
  product: {
    autoColor: 1,
    whiteBalance: 1,
    exposure: 0,
    autoExposure: 1,
    exposureTarget: 128,
    contrast: 0.15,
    saturation: 1.02,
    sharpen: 0.6,
    noiseReduction: false,
  },
};

export const EnhanceParamsSchema = z
  .object({
    preset: z.enum(ENHANCE_PRESETS).default('auto'),
    autoColor: unit.optional(),
    whiteBalance: unit.optional(),
    exposure: z.number().min(-2).max(2).optional(),
    contrast: z.number().min(-1).max(1).optional(),
    saturation: z.number().min(0).max(2).optional(),
    sharpen: z.number().min(0).max(2).optional(),
    noiseReduction: z.boolean().optional(),
    output,
  })
  .strict();

export const UpscaleParamsSchema = z
  .object({
    factor: z.union([z.literal(2), z.literal(4)]).default(2),
    /** The result may not exceed this many megapixels. */
    maxMegapixels: z.number().min(1).max(400).default(150),
    output,
  })
  .strict();

export const ListingParamsSchema = z
  .object({
    longEdge: z.number().int().min(256).max(8192).default(2048),
    /** Largest file allowed by the listing portal, in megabytes. */
    maxMegabytes: z.number().min(0.2).max(50).default(4),
  })
  .strict();

export const RedactParamsSchema = z
  .object({
    style: z.enum(['blur', 'pixelate']).default('blur'),
    /** Blur radius or pixel-block size, as a share of the image's long edge (scales with resolution). */
    strength: z.number().min(0.002).max(0.1).default(0.02),
    output,
  })
  .strict();

export const HealParamsSchema = z
  .object({
    method: z.enum(['telea', 'navier_stokes']).default('telea'),
    /** Largest share of the image the mask may cover: spot removal, not object removal. */
    maxCoverage: z.number().min(0.001).max(0.1).default(0.02),
    output,
  })
  .strict();

/** Why an upscale of a picture this size would be refused (over the pixel cap), or null. */
export function upscaleRefusal(
  params: z.output<typeof UpscaleParamsSchema>,
  picture: { width: number; height: number },
): string | null {
  const width = picture.width * params.factor;
  const height = picture.height * params.factor;
  const megapixels = (width * height) / 1_000_000;
  if (megapixels <= params.maxMegapixels) return null;
  return (
    `${params.factor}× of ${picture.width}×${picture.height} would be ${width}×${height} = ${Math.round(megapixels)} MP, ` +
    `beyond the ${params.maxMegapixels} MP cap for upscaling. Upscale a smaller crop, or use 2×.`
  );
}

const free = { paid: false } as const;

export const LOCAL_OPERATIONS: Record<string, OperationSpec> = {
  enhance: {
    label: 'Enhance',
    description: 'Auto colour, white balance, exposure and contrast, gentle sharpening.',
    params: EnhanceParamsSchema,
    hints: {
      preset: { label: 'Preset', help: 'Auto, Real estate (bright, neutral whites, lifted shadows) or Product.' },
      autoColor: { label: 'Auto colour', help: 'Per-channel levels, as much as the photo is washed out.' },
      whiteBalance: { label: 'White balance strength' },
      exposure: { label: 'Exposure (stops)' },
      contrast: { label: 'Contrast' },
      saturation: { label: 'Saturation' },
      sharpen: { label: 'Sharpening' },
      noiseReduction: { label: 'Noise reduction' },
      output: { label: 'File format' },
    },
    inputs: { source: 'image' },
    effect: 'edited',
    ...free,
  },
  upscale: {
    label: 'Upscale',
    description: '2× or 4× with Lanczos, within a pixel cap.',
    params: UpscaleParamsSchema,
    refuses: (params, picture) => upscaleRefusal(UpscaleParamsSchema.parse(params), picture),
    hints: {
      factor: { label: 'Factor' },
      maxMegapixels: { label: 'Largest result (MP)' },
      output: { label: 'File format' },
    },
    inputs: { source: 'image' },
    effect: 'edited',
    ...free,
  },
  'resize-for-listing': {
    label: 'Resize for listing',
    description: 'A JPEG in sRGB within a long edge and a file-size ceiling.',
    params: ListingParamsSchema,
    hints: { longEdge: { label: 'Long edge (px)' }, maxMegabytes: { label: 'Largest file (MB)' } },
    inputs: { source: 'image' },
    effect: 'none',
    ...free,
  },
  redact: {
    label: 'Redact',
    description: 'Blurs or pixelates the painted area (house numbers, licence plates, faces).',
    params: RedactParamsSchema,
    hints: { style: { label: 'Style' }, strength: { label: 'Strength' }, output: { label: 'File format' } },
    inputs: { source: 'image', mask: { purpose: 'redact', required: true } },
    effect: 'retouched',
    ...free,
  },
  'spot-heal': {
    label: 'Spot removal',
    description: 'Fills small painted blemishes from their surroundings. Not for removing objects.',
    params: HealParamsSchema,
    hints: {
      method: { label: 'Method' },
      maxCoverage: { label: 'Largest area', help: 'Share of the photo the painted spots may cover.' },
      output: { label: 'File format' },
    },
    inputs: { source: 'image', mask: { purpose: 'heal', required: true } },
    effect: 'retouched',
    ...free,
  },
};

export function enhanceSettings(params: z.output<typeof EnhanceParamsSchema>): EnhanceSettings {
  const preset = PRESET_SETTINGS[params.preset];
  return {
    ...preset,
    autoColor: params.autoColor ?? preset.autoColor,
    whiteBalance: params.whiteBalance ?? preset.whiteBalance,
    exposure: params.exposure ?? preset.exposure,
    contrast: params.contrast ?? preset.contrast,
    saturation: params.saturation ?? preset.saturation,
    sharpen: params.sharpen ?? preset.sharpen,
    noiseReduction: params.noiseReduction ?? preset.noiseReduction,
  };
}
