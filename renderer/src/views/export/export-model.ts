import {
  ANCHORS,
  COLLISION_POLICIES,
  DESCRIPTION_PLACES,
  EXPORT_FORMATS,
  EXPORT_SELECTIONS,
  LOSSLESS_FORMATS,
  METADATA_POLICIES,
  NAME_TOKENS,
  type Anchor,
  type CollisionPolicy,
  type DescriptionPlace,
  type ExportFormat,
  type MetadataPolicy,
} from '../../../../shared/export-preset';
import type { ExportPresetEntry } from '../../../../shared/exports';

/* The export preset as the editor sees it: the choices come from the shared schema's own lists. */

export const FORMATS = EXPORT_FORMATS;
export type { ExportFormat };
export const FORMAT_LABELS: Record<ExportFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  avif: 'AVIF',
  tiff: 'TIFF',
};
/** Written losslessly: quality does not apply. */
export const LOSSLESS = LOSSLESS_FORMATS;

export { ANCHORS };
export type { Anchor };
export const ANCHOR_LABELS: Record<Anchor, string> = {
  'top-left': 'Top left',
  top: 'Top',
  'top-right': 'Top right',
  left: 'Left',
  center: 'Centre',
  right: 'Right',
  'bottom-left': 'Bottom left',
  bottom: 'Bottom',
  'bottom-right': 'Bottom right',
};

export const SELECTIONS = EXPORT_SELECTIONS;
export type ExportSelection = (typeof SELECTIONS)[number];
export const SELECTION_LABELS: Record<ExportSelection, string> = {
  approved: 'Approved variants',
  picks: 'Picked variants',
  'all-variants': 'All variants (except rejected)',
  originals: 'Original photos',
};

export { METADATA_POLICIES };
export type { MetadataPolicy };
export const METADATA_LABELS: Record<MetadataPolicy, string> = {
  'keep-all': 'Keep all',
  'copyright-contact': 'Copyright and contact only',
  'strip-all': 'Remove all',
  'strip-gps': 'Keep all except location',
};

export const COLLISIONS = COLLISION_POLICIES;
export type { CollisionPolicy };
export const COLLISION_LABELS: Record<CollisionPolicy, string> = {
  suffix: 'Add a number',
  overwrite: 'Overwrite',
  skip: 'Skip',
};

export const COLOUR_SPACES = ['srgb', 'display-p3'] as const;
export type ColourSpace = (typeof COLOUR_SPACES)[number];
export const COLOUR_SPACE_LABELS: Record<ColourSpace, string> = { srgb: 'sRGB', 'display-p3': 'Display P3' };

export const SIZE_MODES = ['original', 'long-edge', 'width', 'height', 'megapixels', 'exact'] as const;
export type SizeMode = (typeof SIZE_MODES)[number];
export const SIZE_MODE_LABELS: Record<SizeMode, string> = {
  original: 'Original size',
  'long-edge': 'Long edge',
  width: 'Width',
  height: 'Height',
  megapixels: 'Megapixels',
  exact: 'Exact (crop to fill)',
};
/** The label of the single value a size mode takes (exact takes width and height). */
export const SIZE_VALUE_LABELS: Partial<Record<SizeMode, string>> = {
  'long-edge': 'Long edge (px)',
  width: 'Width (px)',
  height: 'Height (px)',
  megapixels: 'Megapixels',
};

export const CROPS = ['centre', 'attention', 'entropy'] as const;
export type Crop = (typeof CROPS)[number];
export const CROP_LABELS: Record<Crop, string> = {
  centre: 'Keep the centre',
  attention: 'Keep the subject',
  entropy: 'Keep the busiest part',
};

/** What happens to a photo smaller than the preset's size. */
export const SMALL_CHOICES = ['enlarge', 'keep', 'refuse'] as const;
export type SmallChoice = (typeof SMALL_CHOICES)[number];
export const SMALL_LABELS: Record<SmallChoice, string> = {
  enlarge: 'Enlarge them (soft; warned before export)',
  keep: 'Keep their own size',
  refuse: 'Do not export them',
};

export type { DescriptionPlace };
export const DESCRIPTIONS = DESCRIPTION_PLACES;
export const DESCRIPTION_LABELS: Record<DescriptionPlace, string> = {
  xmp: "In the picture's metadata (XMP, IPTC caption)",
  sidecar: 'In a .txt file beside each picture',
  none: 'Leave them out',
};

export const WATERMARK_KINDS = ['none', 'text', 'image'] as const;
export type WatermarkKind = (typeof WATERMARK_KINDS)[number];
export const WATERMARK_LABELS: Record<WatermarkKind, string> = { none: 'None', text: 'Text', image: 'PNG image' };

/** The tokens a folder or file name template may use (mirrors NAME_TOKENS). */
export { NAME_TOKENS };

/** A preset's name as the list shows it. */
export const presetName = (entry: ExportPresetEntry): string =>
  typeof entry.preset.name === 'string' && entry.preset.name.trim() !== '' ? entry.preset.name : 'Untitled preset';

/** Megabytes as the engine counts them for a size ceiling (1 MB = 1,000,000 bytes). */
const MB = 1_000_000;

/** The editor's working copy of a preset: numbers the user types stay text until the preset is built. */
export interface PresetDraft {
  name: string;
  what: ExportSelection;
  format: ExportFormat;
  quality: number;
  bitDepth: 8 | 16;
  /** '' for no ceiling. */
  maxFileMb: string;
  sizeMode: SizeMode;
  /** Pixels for long-edge, width and height; megapixels for megapixels. */
  sizeValue: string;
  exactWidth: string;
  exactHeight: string;
  crop: Crop;
  small: SmallChoice;
  colourSpace: ColourSpace;
  embedProfile: boolean;
  metadata: MetadataPolicy;
  watermarkKind: WatermarkKind;
  watermarkText: string;
  watermarkPngPath: string;
  watermarkPosition: Anchor;
  watermarkMarginPct: string;
  /** 0–100 here; the preset stores 0–1. */
  watermarkOpacityPct: number;
  watermarkScalePct: string;
  /** '' for no label on the picture. */
  aiLabelText: string;
  aiLabelPosition: Anchor;
  aiLabelSizePct: string;
  aiMetadata: boolean;
  outputFolder: string;
  filenameTemplate: string;
  collision: CollisionPolicy;
  keepFolderTree: boolean;
  descriptions: DescriptionPlace;
  /** Altered pictures with their unaltered originals beside them, and `alterations.csv`. */
  pairOriginals: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const number = (value: unknown, fallback: number): number =>
  typeof value === 'number' && Number.isFinite(value) ? value : fallback;
const flag = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);
function oneOf<T extends string>(list: readonly T[], value: unknown, fallback: T): T {
  return list.find((candidate) => candidate === value) ?? fallback;
}
const numberText = (value: unknown, fallback: string): string =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : fallback;

/** A preset as the engine sends it, turned into the editor's fields (defaults where a field is absent). */
export function toDraft(preset: Record<string, unknown>): PresetDraft {
  const size = record(preset.size);
  const sizeMode = oneOf(SIZE_MODES, size.mode, 'original');
  const watermark = isRecord(preset.watermark) ? preset.watermark : null;
  const ai = record(preset.aiDisclosure);
  const label = isRecord(ai.label) ? ai.label : null;
  const maxFileBytes = preset.maxFileBytes;
  return {
    name: text(preset.name, ''),
    what: oneOf(SELECTIONS, preset.what, 'approved'),
    format: oneOf(FORMATS, preset.format, 'jpeg'),
    quality: Math.min(100, Math.max(1, Math.round(number(preset.quality, 85)))),
    bitDepth: preset.bitDepth === 16 ? 16 : 8,
    maxFileMb: typeof maxFileBytes === 'number' && maxFileBytes > 0 ? String(maxFileBytes / MB) : '',
    sizeMode,
    sizeValue: numberText(size.value, sizeMode === 'megapixels' ? '12' : '2048'),
    exactWidth: numberText(size.width, '1080'),
    exactHeight: numberText(size.height, '1350'),
    crop: oneOf(CROPS, size.crop, 'centre'),
    small: flag(size.refuseSmaller, false) ? 'refuse' : flag(size.enlarge, false) ? 'enlarge' : 'keep',
    colourSpace: oneOf(COLOUR_SPACES, preset.colourSpace, 'srgb'),
    embedProfile: flag(preset.embedProfile, true),
    metadata: oneOf(METADATA_POLICIES, preset.metadata, 'copyright-contact'),
    watermarkKind: watermark === null ? 'none' : watermark.kind === 'image' ? 'image' : 'text',
    watermarkText: text(watermark?.text, ''),
    watermarkPngPath: text(watermark?.pngPath, ''),
    watermarkPosition: oneOf(ANCHORS, watermark?.position, 'bottom-right'),
    watermarkMarginPct: numberText(watermark?.marginPct, '2'),
    watermarkOpacityPct: Math.round(number(watermark?.opacity, 0.5) * 100),
    watermarkScalePct: numberText(watermark?.scalePct, '20'),
    aiLabelText: text(label?.text, ''),
    aiLabelPosition: oneOf(ANCHORS, label?.position, 'bottom-left'),
    aiLabelSizePct: numberText(label?.sizePct, '3'),
    aiMetadata: flag(ai.metadata, false),
    outputFolder: text(preset.outputFolder, '{shoot}'),
    filenameTemplate: text(preset.filenameTemplate, '{name}_{variant}'),
    collision: oneOf(COLLISIONS, preset.collision, 'suffix'),
    keepFolderTree: flag(preset.keepFolderTree, false),
    descriptions: oneOf(DESCRIPTIONS, preset.descriptions, 'none'),
    pairOriginals: flag(preset.pairOriginals, false),
  };
}

/** What a size mode's value field falls back to when the old value does not fit the new mode. */
export function sizeValueFor(mode: SizeMode, current: string): string {
  const value = Number(current);
  if (mode === 'megapixels') return value > 0 && value <= 268 ? current : '12';
  return Number.isInteger(value) && value >= 16 && value <= 65_535 ? current : '2048';
}

export type BuiltPreset = { ok: true; preset: Record<string, unknown> } | { ok: false; error: string };

class DraftError extends Error {}

function parse(
  value: string,
  label: string,
  limits: { min: number; max: number; integer?: boolean; aboveMin?: boolean },
): number {
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(parsed)) throw new DraftError(`${label} needs a number.`);
  if (limits.integer && !Number.isInteger(parsed)) throw new DraftError(`${label} needs a whole number.`);
  const tooSmall = limits.aboveMin ? parsed <= limits.min : parsed < limits.min;
  if (tooSmall || parsed > limits.max) {
    throw new DraftError(
      limits.aboveMin
        ? `${label} must be above ${limits.min} and at most ${limits.max}.`
        : `${label} must be between ${limits.min} and ${limits.max}.`,
    );
  }
  return parsed;
}

const PIXELS = { min: 16, max: 65_535, integer: true };

/** Tokens in a template that Shootline does not know (mirrors the engine's check, for a clearer message). */
export function unknownTokens(template: string): string[] {
  const known = new Set<string>(NAME_TOKENS);
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((match) => match[1] ?? '').filter((token) => !known.has(token));
}

function checkTemplate(template: string, label: string): void {
  if (template.trim() === '') throw new DraftError(`${label} cannot be empty.`);
  const unknown = unknownTokens(template);
  if (unknown.length > 0) {
    throw new DraftError(
      `${label} uses ${unknown.map((token) => `{${token}}`).join(', ')}, which Shootline does not know; ` +
        `use ${NAME_TOKENS.map((token) => `{${token}}`).join(' ')}.`,
    );
  }
}

function smallFields(draft: PresetDraft): { enlarge: boolean; refuseSmaller: boolean } {
  return { enlarge: draft.small === 'enlarge', refuseSmaller: draft.small === 'refuse' };
}

function buildSize(draft: PresetDraft): Record<string, unknown> {
  switch (draft.sizeMode) {
    case 'original':
      return { mode: 'original' };
    case 'long-edge':
    case 'width':
    case 'height':
      return {
        mode: draft.sizeMode,
        value: parse(draft.sizeValue, SIZE_VALUE_LABELS[draft.sizeMode] ?? 'Size', PIXELS),
        ...smallFields(draft),
      };
    case 'megapixels':
      return {
        mode: 'megapixels',
        value: parse(draft.sizeValue, 'Megapixels', { min: 0, max: 268, aboveMin: true }),
        ...smallFields(draft),
      };
    case 'exact':
      return {
        mode: 'exact',
        width: parse(draft.exactWidth, 'Width (px)', PIXELS),
        height: parse(draft.exactHeight, 'Height (px)', PIXELS),
        crop: draft.crop,
        ...smallFields(draft),
      };
  }
}

function buildWatermark(draft: PresetDraft): Record<string, unknown> | null {
  if (draft.watermarkKind === 'none') return null;
  const placement = {
    position: draft.watermarkPosition,
    marginPct: parse(draft.watermarkMarginPct, 'Watermark margin (%)', { min: 0, max: 25 }),
    opacity: Math.min(100, Math.max(0, draft.watermarkOpacityPct)) / 100,
    scalePct: parse(draft.watermarkScalePct, 'Watermark scale (%)', { min: 0, max: 100, aboveMin: true }),
  };
  if (draft.watermarkKind === 'text') {
    if (draft.watermarkText.trim() === '') throw new DraftError('A text watermark needs its text.');
    return { kind: 'text', text: draft.watermarkText.trim(), ...placement };
  }
  if (draft.watermarkPngPath.trim() === '') throw new DraftError('A PNG watermark needs the path of its file.');
  return { kind: 'image', pngPath: draft.watermarkPngPath.trim(), ...placement };
}

/**
 * The editor's fields as a preset the engine accepts, or the first problem in words. The engine
 * checks everything again; this catches what the user can fix before a round trip.
 */
export function buildPreset(draft: PresetDraft): BuiltPreset {
  try {
    const name = draft.name.trim();
    if (name === '') throw new DraftError('A preset needs a name.');
    checkTemplate(draft.outputFolder, 'The output folder');
    if (draft.outputFolder.split(/[\\/]/).some((part) => part === '..')) {
      throw new DraftError('The output folder cannot climb out of the export folder with "..".');
    }
    checkTemplate(draft.filenameTemplate, 'The file name');
    if (/[\\/]/.test(draft.filenameTemplate)) {
      throw new DraftError('A file name cannot contain / or \\; put folders in the output folder.');
    }
    const preset: Record<string, unknown> = {
      name,
      what: draft.what,
      format: draft.format,
      quality: Math.min(100, Math.max(1, Math.round(draft.quality))),
      bitDepth: draft.format === 'tiff' ? draft.bitDepth : 8,
      size: buildSize(draft),
      colourSpace: draft.colourSpace,
      embedProfile: draft.colourSpace === 'srgb' ? draft.embedProfile : true,
      metadata: draft.metadata,
      aiDisclosure: {
        metadata: draft.aiMetadata,
        ...(draft.aiLabelText.trim() === ''
          ? {}
          : {
              label: {
                text: draft.aiLabelText.trim(),
                position: draft.aiLabelPosition,
                sizePct: parse(draft.aiLabelSizePct, 'AI label size (%)', { min: 0.5, max: 20 }),
              },
            }),
      },
      outputFolder: draft.outputFolder.trim(),
      filenameTemplate: draft.filenameTemplate.trim(),
      collision: draft.collision,
      keepFolderTree: draft.keepFolderTree,
      descriptions: draft.descriptions,
      pairOriginals: draft.pairOriginals,
    };
    if (draft.maxFileMb.trim() !== '') {
      const megabytes = parse(draft.maxFileMb, 'Max file size (MB)', { min: 0.01, max: 100_000 });
      preset.maxFileBytes = Math.round(megabytes * MB);
    }
    const watermark = buildWatermark(draft);
    if (watermark) preset.watermark = watermark;
    return { ok: true, preset };
  } catch (error) {
    if (error instanceof DraftError) return { ok: false, error: error.message };
    throw error;
  }
}
