import { z } from 'zod';

/*
 * An export preset: how approved work leaves the app. Shared, so the engine validates with the very
 * schema and the preset editor offers the very choices (this file imports only zod).
 */

export const EXPORT_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The file extension Shootline writes for each format (the short forms every OS and browser knows). */
export const FORMAT_EXTENSION: Record<ExportFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tif',
};

/** Formats that are lossless here: quality does not apply and cannot be stepped down to fit a size ceiling. */
export const LOSSLESS_FORMATS: ReadonlySet<ExportFormat> = new Set<ExportFormat>(['png', 'tiff']);

/** The nine places an overlay can sit, as on a 3 × 3 grid over the picture. */
export const ANCHORS = [
  'top-left',
  'top',
  'top-right',
  'left',
  'center',
  'right',
  'bottom-left',
  'bottom',
  'bottom-right',
] as const;
export type Anchor = (typeof ANCHORS)[number];
export const AnchorSchema = z.enum(ANCHORS);

/**
 * Where a photo's description (a text variant: a product description, a listing caption) goes:
 * into each exported picture's XMP dc:description (and IPTC caption, EXIF ImageDescription), into
 * a .txt file beside it with the same name, or nowhere.
 */
export const DESCRIPTION_PLACES = ['xmp', 'sidecar', 'none'] as const;
export type DescriptionPlace = (typeof DESCRIPTION_PLACES)[number];

/** Which photos of a shoot an export takes. */
export const EXPORT_SELECTIONS = ['approved', 'picks', 'all-variants', 'originals'] as const;

export const METADATA_POLICIES = ['keep-all', 'copyright-contact', 'strip-all', 'strip-gps'] as const;
export type MetadataPolicy = (typeof METADATA_POLICIES)[number];

export const COLLISION_POLICIES = ['suffix', 'overwrite', 'skip'] as const;
export type CollisionPolicy = (typeof COLLISION_POLICIES)[number];

/** The tokens a folder or file name template may use. */
export const NAME_TOKENS = ['shoot', 'name', 'seq', 'variant', 'provider', 'date', 'rating'] as const;
export type NameToken = (typeof NAME_TOKENS)[number];

/** What each token puts in a name, as the preset editor offers it. */
export const NAME_TOKEN_WORDS: Record<NameToken, string> = {
  shoot: 'shoot name',
  name: 'original file name',
  seq: 'number in this export (001…)',
  variant: 'variant number, as shown (v2)',
  provider: 'service that made it',
  date: 'capture date (YYYY-MM-DD)',
  rating: 'star rating',
};

const TOKEN_PATTERN = /\{([^{}]*)\}/g;

/** Tokens in a template that Shootline does not know (typos like `{nmae}` would otherwise land in file names). */
export function unknownTokens(template: string): string[] {
  const known = new Set<string>(NAME_TOKENS);
  return [...template.matchAll(TOKEN_PATTERN)].map((match) => match[1] ?? '').filter((token) => !known.has(token));
}

const pixels = z.number().int().min(16).max(65_535);

/**
 * What happens to a photo smaller than the preset's size: with `enlarge` it is scaled up (soft, and
 * the export warns before it starts); without, it keeps its own size; with `refuseSmaller` it is not
 * exported at all, and says why (a client's spec that must be met, never faked).
 */
const small = { enlarge: z.boolean().default(false), refuseSmaller: z.boolean().default(false) };

/**
 * How the output is sized. Every mode except `exact` keeps the aspect ratio; none makes a photo
 * bigger than its source unless `enlarge` is set, because upscaling only adds soft pixels and
 * bytes. `exact` crops to fill the box (Instagram's 1080 × 1350).
 */
export const ExportSizeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('original') }),
  z.object({
    mode: z.enum(['long-edge', 'width', 'height']),
    value: pixels,
    ...small,
  }),
  z.object({
    mode: z.literal('megapixels'),
    value: z.number().positive().max(268),
    ...small,
  }),
  z.object({
    mode: z.literal('exact'),
    width: pixels,
    height: pixels,
    /** Which part survives the crop: the middle, or the busiest region (sharp's attention/entropy strategies). */
    crop: z.enum(['centre', 'attention', 'entropy']).default('centre'),
    ...small,
  }),
]);
export type ExportSize = z.infer<typeof ExportSizeSchema>;
export type ExportSizeInput = z.input<typeof ExportSizeSchema>;

/** Whether a picture of this upright size is smaller than the preset's size (it would need enlarging to meet it). */
export function smallerThanSize(size: ExportSize, width: number, height: number): boolean {
  switch (size.mode) {
    case 'original':
      return false;
    case 'exact':
      return width < size.width || height < size.height;
    case 'long-edge':
      return Math.max(width, height) < size.value;
    case 'width':
      return width < size.value;
    case 'height':
      return height < size.value;
    case 'megapixels':
      return width * height < size.value * 1_000_000;
  }
}

/** The preset's size in words ("1080 × 1350", "2048 px on the long edge"), for warnings. */
export function sizeWords(size: ExportSize): string {
  switch (size.mode) {
    case 'original':
      return 'the original size';
    case 'exact':
      return `${size.width} × ${size.height}`;
    case 'long-edge':
      return `${size.value} px on the long edge`;
    case 'width':
      return `${size.value} px wide`;
    case 'height':
      return `${size.value} px high`;
    case 'megapixels':
      return `${size.value} megapixels`;
  }
}

const watermarkPlacement = {
  position: AnchorSchema.default('bottom-right'),
  /** Distance from the nearest edges, in percent of the output's long edge (same on both axes). */
  marginPct: z.number().min(0).max(25).default(2),
  opacity: z.number().min(0).max(1).default(0.5),
  /** The watermark's longer side, in percent of the output's long edge. */
  scalePct: z.number().gt(0).max(100).default(20),
};

export const WatermarkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string().trim().min(1).max(200), ...watermarkPlacement }),
  z.object({ kind: z.literal('image'), pngPath: z.string().min(1).max(4096), ...watermarkPlacement }),
]);
export type Watermark = z.infer<typeof WatermarkSchema>;

/**
 * How AI-edited work says so. Listing services (and some laws) require virtually staged photos to
 * be labelled; the label is drawn on the picture, the metadata is IPTC's DigitalSourceType. Both
 * apply only to items that were AI-edited or generated, never to untouched originals.
 */
export const AiDisclosureSchema = z.object({
  label: z
    .object({
      text: z.string().trim().min(1).max(100),
      position: AnchorSchema.default('bottom-left'),
      /** Height of the label's text, in percent of the output's short edge. */
      sizePct: z.number().min(0.5).max(20).default(3),
    })
    .optional(),
  metadata: z.boolean().default(false),
});
export type AiDisclosure = z.infer<typeof AiDisclosureSchema>;

const template = (what: string) =>
  z
    .string()
    .min(1)
    .max(1024)
    .refine((text) => unknownTokens(text).length === 0, {
      message: `The ${what} uses a token Shootline does not know; use ${NAME_TOKENS.map((token) => `{${token}}`).join(' ')}.`,
    });

export const ExportPresetSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    what: z.enum(EXPORT_SELECTIONS),
    format: z.enum(EXPORT_FORMATS),
    /** Encoder quality for lossy formats; PNG and TIFF are written losslessly and ignore it. */
    quality: z.number().int().min(1).max(100).default(85),
    /** 16 bits per channel is for TIFF only (archives and further editing). */
    bitDepth: z.union([z.literal(8), z.literal(16)]).default(8),
    /** A ceiling on the file size: quality is stepped down (not below 40) until the file fits. */
    maxFileBytes: z.number().int().min(1024).optional(),
    size: ExportSizeSchema,
    colourSpace: z.enum(['srgb', 'display-p3']).default('srgb'),
    /**
     * Embed the colour profile (default). Off saves a few KB for the web, where an untagged file is
     * read as sRGB; so it is offered for sRGB only (an untagged P3 file would show wrong colours).
     */
    embedProfile: z.boolean().default(true),
    metadata: z.enum(METADATA_POLICIES),
    watermark: WatermarkSchema.optional(),
    aiDisclosure: AiDisclosureSchema.default({ metadata: false }),
    /** Relative to the export root the user picks, or absolute; `/` separates folders. */
    outputFolder: template('folder template').refine(
      (text) => !text.split(/[\\/]/).some((part) => part === '..'),
      'The folder template cannot climb out of the export folder with "..".',
    ),
    /** Without the extension, which comes from the format. */
    filenameTemplate: template('file name template').refine(
      (text) => !/[\\/]/.test(text),
      'A file name template cannot contain / or \\; put folders in the folder template.',
    ),
    collision: z.enum(COLLISION_POLICIES).default('suffix'),
    /** Recreate the source's subfolders (relative to its hot folder) under the output folder. */
    keepFolderTree: z.boolean().default(false),
    /**
     * Where a photo's description goes (see DESCRIPTION_PLACES). Nowhere unless a preset says so:
     * presets saved before descriptions existed keep writing exactly what they wrote.
     */
    descriptions: z.enum(DESCRIPTION_PLACES).default('none'),
    /**
     * Altered work (content added or removed) goes out as the listing rules ask: each altered picture
     * with its label, its unaltered original beside it under a paired name (`…_original`), and every
     * alteration in `alterations.csv`. Off unless a preset says so.
     */
    pairOriginals: z.boolean().default(false),
  })
  .refine((preset) => preset.embedProfile || preset.colourSpace === 'srgb', {
    message: 'A Display P3 file must carry its profile, or it shows the wrong colours.',
    path: ['embedProfile'],
  })
  .refine((preset) => preset.bitDepth === 8 || preset.format === 'tiff', {
    message: '16 bits per channel is only available for TIFF.',
    path: ['bitDepth'],
  });

export type ExportPreset = z.infer<typeof ExportPresetSchema>;
/** A preset as a user or the UI writes it: defaults may be left out. */
export type ExportPresetInput = z.input<typeof ExportPresetSchema>;

const MB = 1_000_000;

/**
 * The presets every install starts with. Parsed through the schema here, so a mistake in them
 * fails at load (and in the tests), not in a user's export.
 */
export const BUILT_IN_PRESETS: readonly ExportPreset[] = (
  [
    {
      // Most MLSs cap uploads at a few MB and ask for ~2048 px; 4 MB is read as 4,000,000 bytes so
      // it is under the limit whichever way a listing service counts megabytes.
      name: 'Listing (MLS)',
      what: 'approved',
      format: 'jpeg',
      quality: 85,
      maxFileBytes: 4 * MB,
      size: { mode: 'long-edge', value: 2048 },
      colourSpace: 'srgb',
      metadata: 'copyright-contact',
      aiDisclosure: {
        label: { text: 'Virtually staged', position: 'bottom-left', sizePct: 3 },
        metadata: true,
      },
      outputFolder: '{shoot}/Listing',
      filenameTemplate: '{shoot}_{seq}',
      collision: 'suffix',
      descriptions: 'xmp',
    },
    {
      name: 'Web',
      what: 'approved',
      format: 'webp',
      quality: 80,
      size: { mode: 'long-edge', value: 1600 },
      colourSpace: 'srgb',
      metadata: 'copyright-contact',
      aiDisclosure: { metadata: true },
      outputFolder: '{shoot}/Web',
      filenameTemplate: '{name}_{variant}',
      collision: 'suffix',
      descriptions: 'xmp',
    },
    {
      name: 'Full-resolution JPEG',
      what: 'approved',
      format: 'jpeg',
      quality: 95,
      size: { mode: 'original' },
      colourSpace: 'srgb',
      metadata: 'keep-all',
      aiDisclosure: { metadata: true },
      outputFolder: '{shoot}/Full resolution',
      filenameTemplate: '{name}_{variant}',
      collision: 'suffix',
      descriptions: 'xmp',
    },
    {
      // Instagram shows portrait posts at 4:5; anything else is cropped by the app, badly.
      name: 'Instagram 4:5 (1080×1350)',
      what: 'approved',
      format: 'jpeg',
      quality: 90,
      size: { mode: 'exact', width: 1080, height: 1350, crop: 'centre', enlarge: true },
      colourSpace: 'srgb',
      metadata: 'copyright-contact',
      aiDisclosure: { metadata: true },
      outputFolder: '{shoot}/Instagram',
      filenameTemplate: '{shoot}_{seq}',
      collision: 'suffix',
    },
    {
      name: 'Archive: 16-bit TIFF',
      what: 'all-variants',
      format: 'tiff',
      quality: 100,
      bitDepth: 16,
      size: { mode: 'original' },
      colourSpace: 'srgb',
      metadata: 'keep-all',
      aiDisclosure: { metadata: true },
      outputFolder: '{shoot}/Archive',
      filenameTemplate: '{name}_{provider}_{variant}',
      collision: 'suffix',
      keepFolderTree: true,
      // An archive keeps descriptions whole, line breaks and all.
      descriptions: 'sidecar',
    },
  ] satisfies ExportPresetInput[]
).map((preset) => ExportPresetSchema.parse(preset));
