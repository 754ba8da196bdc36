import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { MAX_DESCRIPTION_BYTES } from '../../../shared/api-garments';
import type { ExportPreset } from '../../../shared/export-preset';
import { generatedName } from '../../../shared/job-inputs';
import type { EffectOf } from '../providers/operation-effect';
import { disclosureOfHistory, historyOf, UNTOUCHED, type ExportDisclosure } from './disclosure';
import type { Db } from '../db/connection';
import { exportableOriginals, exportNameFacts, rejectedAssetIds, type ExportItemRow } from '../db/exports-repo';
import { getAsset } from '../db/assets-repo';
import { assetSource } from '../db/asset-source-repo';
import { addTurns, turnPoint, type Turn } from '../../../shared/turn';
import type { InputRef } from '../../../shared/job-inputs';
import { getJob } from '../db/jobs-repo';
import {
  getVariant,
  listVariants,
  recordVariantContentHash,
  variantContentHash,
  variantNumber,
} from '../db/variants-repo';
import { variantFilePath } from '../queue/output-store';
import { DERIVATIVE_SPECS } from '../imaging/derivative-cache';
import { readRegularFile } from '../regular-file';

/** Formats sharp reads directly; HEIC and RAW originals are exported through their preview. */
const READABLE_ORIGINALS = new Set(['jpeg', 'png', 'webp', 'avif', 'tiff', 'gif']);
const PREVIEW_LONG_EDGE = DERIVATIVE_SPECS.preview.longEdge;

export interface ExportSourceRef {
  kind: 'variant' | 'asset';
  id: string;
}

/** What an item is: its file, its names, and whether a model made or changed it. */
export interface ExportSource {
  file: string;
  metadataFrom: string | null;
  shoot: string;
  name: string;
  folder: string | null;
  variant: string | null;
  provider: string | null;
  rating: number | null;
  captureDate: string | null;
  /** What export says about how the picture was made (from the operation's declared effect). */
  disclosure: ExportDisclosure;
  /** Quarter turns to apply after the file's EXIF orientation (an original the user turned). */
  turn: Turn;
  /** Where the photo's crops are placed (0–1 of the upright picture); null: the preset's strategy. */
  cropFocus: { x: number; y: number } | null;
  /** A video: copied byte for byte under this extension, never re-encoded. */
  passThrough: { extension: string } | null;
  /** The photo's description (its approved text variant, else picked, else newest not rejected), or null. */
  caption: string | null;
  /** How a picture that adds or removes content was altered, and from which photo; null otherwise. */
  alteration: Alteration | null;
}

/** An altered picture's line in a compliance export's log. */
export interface Alteration {
  /** The unaltered photo it was made from; null for a picture made from a prompt alone, or withheld. */
  originalAssetId: string | null;
  /** The original is withheld: the work hid what it showed (a redaction). */
  withheld: boolean;
  provider: string;
  operation: string;
  params: Record<string, unknown>;
  /** When the picture was made (ms). */
  madeAt: number;
}

/** Longest description carried into a file (XMP packets and sidecars stay small; a description is a paragraph). */
const MAX_CAPTION_BYTES = MAX_DESCRIPTION_BYTES;

/** Finds what a preset exports from a shoot, and what each of those items is. */
export class ExportSources {
  constructor(
    private readonly db: Db,
    private readonly mediaRoot: string,
    /** A preview file for originals sharp cannot read (HEIC, RAW). */
    private readonly previewOf: (assetId: string) => Promise<string | null>,
    private readonly effectOf: EffectOf,
  ) {}

  /**
   * What the progress line says for an item: the photo's file name, with the variant's number as
   * the UI shows it ("IMG_0001.jpg · Variant 2"), never an internal id.
   */
  displayName(item: Pick<ExportItemRow, 'sourceKind' | 'sourceId'>): string {
    if (item.sourceKind === 'variant') {
      const variant = getVariant(this.db, item.sourceId);
      if (!variant) return 'A deleted variant';
      const original = variant.assetId ? assetSource(this.db, variant.assetId) : null;
      if (!original) return generatedName(variant);
      const number = variantNumber(this.db, variant);
      return `${path.posix.basename(original.relativePath)}${number ? ` · Variant ${number}` : ''}`;
    }
    const original = assetSource(this.db, item.sourceId);
    return original ? path.posix.basename(original.relativePath) : 'A photo no longer in the library';
  }

  /**
   * The size of the picture an item exports from, upright (a turned photo's sides swapped): a
   * HEIC or RAW goes out through its preview, so its size is the preview's. Null for a video (it is
   * copied, never sized) and when unknown.
   */
  uprightSize(ref: ExportSourceRef): { width: number; height: number } | null {
    if (ref.kind === 'variant') {
      const variant = getVariant(this.db, ref.id);
      if (!variant || variant.kind !== 'image' || !variant.width || !variant.height) return null;
      return { width: variant.width, height: variant.height };
    }
    const asset = getAsset(this.db, ref.id);
    if (!asset?.width || !asset.height) return null;
    if (READABLE_ORIGINALS.has(asset.format ?? '')) return { width: asset.width, height: asset.height };
    const scale = Math.min(1, PREVIEW_LONG_EDGE / Math.max(asset.width, asset.height));
    return { width: Math.round(asset.width * scale), height: Math.round(asset.height * scale) };
  }

  /**
   * The items that are byte for byte the same picture as an earlier one in the list (a deterministic
   * recipe run twice on one photo): exporting them writes the same file again under another name.
   */
  async repeats(refs: readonly ExportSourceRef[]): Promise<ExportSourceRef[]> {
    const seen = new Set<string>();
    const repeated: ExportSourceRef[] = [];
    for (const ref of refs) {
      const hash = await this.contentHash(ref);
      if (hash === null) continue;
      // The same bytes turned or cropped differently export differently: not a repeat.
      const key = `${hash}:${JSON.stringify(this.framing(ref))}`;
      if (seen.has(key)) repeated.push(ref);
      else seen.add(key);
    }
    return repeated;
  }

  /** What besides its bytes decides how an item exports: an original's turn, its photo's crop focus. */
  private framing(ref: ExportSourceRef): unknown {
    const assetId = ref.kind === 'asset' ? ref.id : getVariant(this.db, ref.id)?.assetId;
    const asset = assetId ? getAsset(this.db, assetId) : null;
    return [ref.kind === 'asset' ? asset?.turn : 0, asset?.cropFocus ?? null];
  }

  /** A variant's file hash (worked out once and kept), or a photo's own; null when its file is gone. */
  private async contentHash(ref: ExportSourceRef): Promise<string | null> {
    if (ref.kind === 'asset') return assetSource(this.db, ref.id)?.contentHash ?? null;
    const known = variantContentHash(this.db, ref.id);
    if (known) return known;
    const variant = getVariant(this.db, ref.id);
    if (!variant) return null;
    try {
      const hash = createHash('sha256');
      for await (const chunk of fs.createReadStream(variantFilePath(this.mediaRoot, variant.mediaId, variant.mimeType)))
        hash.update(chunk as Buffer);
      const digest = hash.digest('hex');
      recordVariantContentHash(this.db, ref.id, digest);
      return digest;
    } catch {
      return null;
    }
  }

  /** The variants (or originals) a preset selects in a shoot, limited to some photos if given. */
  select(preset: ExportPreset, shootId: string, assetIds: readonly string[] | undefined): ExportSourceRef[] {
    const only = assetIds ? new Set(assetIds) : null;
    if (preset.what === 'originals') {
      return exportableOriginals(this.db, shootId)
        .filter((id) => !only || only.has(id))
        .map((id) => ({ kind: 'asset' as const, id }));
    }
    // A photo rejected in the grid takes its variants with it; approving or picking one is a
    // choice made about that variant itself, so those selections keep it.
    const rejected = preset.what === 'all-variants' ? rejectedAssetIds(this.db, shootId) : new Set<string>();
    // Videos are exported as they are; descriptions travel with their photo's pictures (captionOf).
    return listVariants(this.db, { shootId })
      .filter((variant) => variant.kind !== 'text')
      .filter((variant) => !only || (variant.assetId !== null && only.has(variant.assetId)))
      .filter((variant) =>
        preset.what === 'approved'
          ? variant.approved
          : preset.what === 'picks'
            ? variant.pick === 'picked'
            : variant.pick !== 'rejected' && !(variant.assetId !== null && rejected.has(variant.assetId)),
      )
      .map((variant) => ({ kind: 'variant', id: variant.id }));
  }

  /**
   * A photo's description: its approved text variant, else its picked one, else its newest not
   * rejected (descriptions are not culled like pictures: one that exists and was not turned down
   * goes with the photo's pictures).
   */
  private async captionOf(assetId: string | null, preset: ExportPreset): Promise<string | null> {
    if (!assetId || preset.descriptions === 'none') return null;
    const rank = (variant: { approved: boolean; pick: string }) =>
      variant.approved ? 0 : variant.pick === 'picked' ? 1 : 2;
    const texts = listVariants(this.db, { assetId })
      .filter((variant) => variant.kind === 'text' && variant.pick !== 'rejected')
      .sort((a, b) => rank(a) - rank(b) || b.createdAt - a.createdAt);
    const newest = texts[0];
    if (!newest) return null;
    const read = async (variant: { mediaId: string; mimeType: string }): Promise<string | null> => {
      const bytes = await readRegularFile(
        variantFilePath(this.mediaRoot, variant.mediaId, variant.mimeType),
        MAX_CAPTION_BYTES,
      );
      const text = bytes.toString('utf8').trim();
      return text === '' ? null : text;
    };
    try {
      return await read(newest);
    } catch {
      // Edited by hand meanwhile (a new file, the old one removed): read the variant's file as it is now.
      const now = getVariant(this.db, newest.id);
      if (now && now.mediaId !== newest.mediaId) return read(now).catch(() => null);
      return null; // a description too long or gone is left out; the picture still goes
    }
  }

  async describe(
    item: Pick<ExportItemRow, 'sourceKind' | 'sourceId'>,
    shootId: string | null,
    preset: ExportPreset,
  ): Promise<ExportSource> {
    const { db, mediaRoot } = this;
    if (item.sourceKind === 'variant') {
      const variant = getVariant(db, item.sourceId);
      if (!variant) throw new AppError('not_found', 'This variant was deleted before it could be exported.');
      const job = getJob(db, variant.jobId);
      const history = job ? disclosureOfHistory(this.effectOf, historyOf(db, job)) : null;
      const original = variant.assetId ? assetSource(db, variant.assetId) : null;
      // A result made from a prompt has no photo: it goes by the stable name the grid shows.
      const relative = original?.relativePath ?? generatedName(variant);
      const facts = exportNameFacts(db, shootId, variant.assetId);
      return {
        file: variantFilePath(mediaRoot, variant.mediaId, variant.mimeType),
        metadataFrom: original?.file && fs.existsSync(original.file) ? original.file : null,
        shoot: facts.shoot,
        name: stem(relative),
        folder: folderOf(relative),
        // The number the UI shows for it ("Variant 2" is v2), not its place in the job that made it.
        variant: `v${variantNumber(db, variant) ?? variant.outputIndex + 1}`,
        provider: job?.provider ?? null,
        rating: variant.rating > 0 ? variant.rating : null,
        captureDate: facts.capturedAt,
        disclosure: history?.disclosure ?? { ...UNTOUCHED },
        // A result was made from the photo as it was turned then: its pixels need no turn.
        turn: 0,
        cropFocus: variantFocus(variant.assetId ? getAsset(db, variant.assetId) : null, job?.inputs.source),
        passThrough:
          variant.kind === 'video'
            ? { extension: path.extname(variantFilePath(mediaRoot, variant.mediaId, variant.mimeType)).slice(1) }
            : null,
        caption: await this.captionOf(variant.assetId, preset),
        alteration: history?.altering
          ? {
              // A redaction hides what the photo showed: its unaltered photo never goes with it.
              originalAssetId: history.hides ? null : variant.assetId,
              withheld: history.hides,
              provider: history.altering.provider,
              operation: history.altering.operation,
              params: history.altering.params,
              madeAt: variant.createdAt,
            }
          : null,
      };
    }
    const original = assetSource(db, item.sourceId);
    if (!original?.file || !fs.existsSync(original.file)) {
      throw new AppError('not_found', 'The original is no longer in its hot folder.');
    }
    const readable = READABLE_ORIGINALS.has(original.format ?? '');
    const file = readable ? original.file : await this.previewOf(item.sourceId);
    if (!file) throw new AppError('invalid_input', 'This original cannot be read for export.');
    const facts = exportNameFacts(db, shootId, item.sourceId);
    return {
      file,
      metadataFrom: original.file,
      shoot: facts.shoot,
      name: stem(original.relativePath),
      folder: folderOf(original.relativePath),
      variant: null,
      provider: null,
      rating: facts.rating,
      captureDate: facts.capturedAt,
      disclosure: { ...UNTOUCHED },
      // A HEIC or RAW goes out through its preview, which is made turned already.
      turn: readable ? original.turn : 0,
      cropFocus: getAsset(db, item.sourceId)?.cropFocus ?? null,
      passThrough: null,
      caption: await this.captionOf(item.sourceId, preset),
      alteration: null,
    };
  }
}

/** What to tell a user whose preset selects nothing. */
export function nothingToExport(what: ExportPreset['what']): string {
  switch (what) {
    case 'approved':
      return 'Nothing to export: approve variants first (A in the photo view).';
    case 'picks':
      return 'Nothing to export: pick variants first (P in the photo view).';
    case 'all-variants':
      return 'Nothing to export: this shoot has no variants yet.';
    case 'originals':
      return 'Nothing to export: this shoot has no readable photos.';
  }
}

function stem(relativePath: string): string {
  const base = relativePath.split('/').pop() ?? relativePath;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The photo's folder inside its shoot (the shoot's own folder is the first level). */
function folderOf(relativePath: string): string | null {
  const levels = relativePath.split('/').slice(1, -1);
  return levels.length > 0 ? levels.join('/') : null;
}

/**
 * A photo's crop focus on one of its variants. The focus is kept for the photo as it is turned now;
 * a variant made while it was turned otherwise (its job pinned that turn) has its pixels that way,
 * so the point is turned back by the difference.
 */
function variantFocus(
  asset: { turn: number; cropFocus: { x: number; y: number } | null } | null,
  source: InputRef | undefined,
): { x: number; y: number } | null {
  if (!asset?.cropFocus) return null;
  const pinned = source?.kind === 'asset' ? (source.turn ?? 0) : asset.turn;
  return turnPoint(asset.cropFocus, 1, 1, addTurns(0, pinned - asset.turn));
}
