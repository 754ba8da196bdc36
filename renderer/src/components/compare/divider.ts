/**
 * The slider's divider: where a pointer or a key puts it, as a percentage of the compare box from
 * the left (apart from the zoom and pan maths in viewport.ts).
 */

/** The slider's divider, as a percentage of the box from the left, from a pointer's x. */
export function dividerFromPointer(clientX: number, boxLeft: number, boxWidth: number): number {
  if (!(boxWidth > 0)) return 50;
  return clampPercent(((clientX - boxLeft) / boxWidth) * 100);
}

export function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 50;
}

/** The divider after a key press (arrows 1%, with Shift or Page keys 10%), or null for other keys. */
export function dividerAfterKey(value: number, key: string, coarse = false): number | null {
  const step = coarse ? 10 : 1;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampPercent(value - step);
    case 'ArrowRight':
    case 'ArrowUp':
      return clampPercent(value + step);
    case 'PageDown':
      return clampPercent(value - 10);
    case 'PageUp':
      return clampPercent(value + 10);
    case 'Home':
      return 0;
    case 'End':
      return 100;
    default:
      return null;
  }
}
