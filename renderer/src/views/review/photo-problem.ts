import type { Asset } from '../../../../shared/domain';

/** Why a photo cannot be worked on, and what the photographer can do about it. */
export interface PhotoProblem {
  /** "Unreadable" or "Missing": the word on the tile. */
  title: string;
  /** What happened, in the engine's words (plain sentences, no decoder terms). */
  reason: string;
  /** What to do next. */
  remedy: string;
}

const REMEDIES: Record<string, string> = {
  empty: 'The file has no content. Copy the photo into the hot folder again.',
  truncated: 'Wait for the copy to finish, or copy the photo again from the card: Shootline reads it again by itself.',
  corrupt: 'Copy the photo again from the card or camera: Shootline reads the new copy by itself.',
  too_large: 'Export a smaller version of it (under 268 megapixels) into the hot folder.',
  unsupported_format: 'Convert it to JPEG, TIFF or PNG and put that copy in the hot folder.',
  not_an_image: 'Put the photo itself in the hot folder, not this file.',
};

/** The problem of a photo that cannot be read or is gone, or null for a photo that is fine (or still being read). */
export function photoProblem(asset: Pick<Asset, 'state' | 'error' | 'relativePath'>): PhotoProblem | null {
  if (asset.state === 'missing') {
    return {
      title: 'Missing',
      reason: `The file ${asset.relativePath} is no longer in its hot folder.`,
      remedy: 'Put it back: Shootline finds it again at the next rescan. Its variants are kept.',
    };
  }
  if (asset.state !== 'error') return null;
  return {
    title: 'Unreadable',
    reason: asset.error?.message ?? 'This photo cannot be read.',
    remedy:
      REMEDIES[asset.error?.kind ?? ''] ??
      'Replace the file in the hot folder with a good copy: Shootline reads it again.',
  };
}

/** Photos a recipe can run on: read, and not gone. */
export function isWorkable(asset: Pick<Asset, 'state'>): boolean {
  return asset.state !== 'error' && asset.state !== 'missing';
}
