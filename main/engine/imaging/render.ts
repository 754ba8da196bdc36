import type { Sharp } from 'sharp';
import type { OpenedPhoto } from './decode';
import { DERIVATIVE_SPECS, type DerivativeKind } from './derivative-cache';
import { configureSharp } from './sharp-config';

const sharp = configureSharp();

/**
 * The preview (long edge 2048, JPEG) and the thumbnail (long edge 320, WebP) of a photo, both in
 * sRGB with the orientation baked in. The full image is decoded once, at the smallest JPEG
 * shrink-on-load scale that still covers 2048 px; the thumbnail is then made from the preview,
 * which costs a fraction of a second decode of the original.
 */
export async function renderDerivatives(photo: OpenedPhoto): Promise<Record<DerivativeKind, Buffer>> {
  const preview = await fit(photo.pipeline(), 'preview')
    .jpeg({ quality: 85, mozjpeg: false, chromaSubsampling: '4:2:0' })
    .toBuffer();
  const thumbnail = await fit(sharp(preview), 'thumbnail').webp({ quality: 80, effort: 2 }).toBuffer();
  return { preview, thumbnail };
}

/** One derivative alone (a cache miss after eviction). */
export async function renderDerivative(photo: OpenedPhoto, kind: DerivativeKind): Promise<Buffer> {
  const all = await renderDerivatives(photo);
  return all[kind];
}

function fit(pipeline: Sharp, kind: DerivativeKind): Sharp {
  const edge = DERIVATIVE_SPECS[kind].longEdge;
  // sRGB output: sharp converts from the embedded ICC profile (Adobe RGB, Rec.2020, CMYK…) by default.
  return pipeline
    .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .flatten({ background: '#ffffff' });
}
