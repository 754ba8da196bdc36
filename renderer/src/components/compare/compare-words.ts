import type { Size } from './viewport';

/** How the compare toolbar says the zoom and the two images' sizes. */

/** "100%", "33%", or one decimal below 10% ("6.7%"). */
export function formatZoomPercent(percent: number): string {
  if (!Number.isFinite(percent) || percent <= 0) return '–';
  if (percent < 10) return `${Number(percent.toFixed(1))}%`;
  return `${Math.round(percent)}%`;
}

/** "Before 6000×4000 · After 2048×1152". */
export function describeSizes(before: Size, after: Size): string {
  return `Before ${before.width}×${before.height} · After ${after.width}×${after.height}`;
}
