import type { GenerationType, ModelSpec } from './types';

/**
 * The sandbox's model catalog and the request enums the doc lists (A5, A6, A16). The doc shows two
 * models and says `total: 18`; the sandbox carries a few more of each type so a client that lists
 * models, or picks a non-default one, has something to choose from.
 */
export const MODELS: readonly ModelSpec[] = [
  image('prunaai/z-image-turbo', 'Z-Image Turbo', 5, 'Fast image generation'),
  image('black-forest-labs/flux-schnell', 'FLUX Schnell', 3, 'Quick drafts at a low cost'),
  image('black-forest-labs/flux-1.1-pro', 'FLUX 1.1 Pro', 12, 'High-fidelity image generation'),
  image('google/imagen-4', 'Imagen 4', 8, 'Photorealistic image generation'),
  video('minimax/hailuo-2.3-fast', 'Hailuo 2.3 Fast', 450, 'Fast video generation'),
  video('kwaivgi/kling-v2.1', 'Kling v2.1', 600, 'Cinematic video generation'),
  video('bytedance/seedance-1-lite', 'Seedance 1 Lite', 300, 'Light video generation'),
];

function image(id: string, name: string, credits: number, description: string): ModelSpec {
  return { id, name, type: 'image', credits_per_generation: credits, description, category: 'image-generation' };
}

function video(id: string, name: string, credits: number, description: string): ModelSpec {
  return { id, name, type: 'video', credits_per_generation: credits, description, category: 'video-generation' };
}

export const DEFAULT_MODEL: Readonly<Record<GenerationType, string>> = {
  image: 'prunaai/z-image-turbo',
  video: 'minimax/hailuo-2.3-fast',
};

export const IMAGE_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3'] as const;
export const VIDEO_ASPECT_RATIOS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;
export const DEFAULT_ASPECT_RATIO: Readonly<Record<GenerationType, string>> = { image: '1:1', video: '16:9' };

export const OUTPUT_FORMATS = ['webp', 'png', 'jpg'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  webp: 'image/webp',
  png: 'image/png',
  jpg: 'image/jpeg',
  mp4: 'video/mp4',
};

/** The long side of the outputs (A14): images 512 px, videos 256 px. */
export const LONG_SIDE: Readonly<Record<GenerationType, number>> = { image: 512, video: 256 };

/** width×height for an aspect ratio like `16:9` with `long` pixels on the long side (16:9 at 512 → 512×288). */
export function sizeFor(aspectRatio: string, long: number): { width: number; height: number } {
  const [w = 1, h = 1] = aspectRatio.split(':').map(Number);
  if (w >= h) return { width: long, height: Math.round((long * h) / w) };
  return { width: Math.round((long * w) / h), height: long };
}
