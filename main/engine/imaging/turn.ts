import { createHash } from 'node:crypto';
import { addTurns, type Turn } from '../../../shared/turn';

/** EXIF orientations as (mirrored first, then turned clockwise by quarter turns), the way sharp applies them. */
const ORIENTATIONS: readonly { orientation: number; mirrored: boolean; quarters: Turn }[] = [
  { orientation: 1, mirrored: false, quarters: 0 },
  { orientation: 6, mirrored: false, quarters: 1 },
  { orientation: 3, mirrored: false, quarters: 2 },
  { orientation: 8, mirrored: false, quarters: 3 },
  { orientation: 2, mirrored: true, quarters: 0 },
  { orientation: 7, mirrored: true, quarters: 1 },
  { orientation: 4, mirrored: true, quarters: 2 },
  { orientation: 5, mirrored: true, quarters: 3 },
];

/**
 * The one EXIF orientation that means "this orientation, then these turns" (so a pipeline that
 * applies orientations explicitly still rotates once: sharp keeps only one explicit rotation).
 */
export function orientationWithTurn(orientation: number, turn: Turn): number {
  const from = ORIENTATIONS.find((entry) => entry.orientation === orientation) ?? ORIENTATIONS[0];
  if (!from) return orientation;
  const quarters = addTurns(from.quarters, turn);
  return (
    ORIENTATIONS.find((entry) => entry.mirrored === from.mirrored && entry.quarters === quarters)?.orientation ??
    orientation
  );
}

/**
 * The derivative cache's key for a turned photo: its thumbnails are not the unturned ones, and two
 * copies of a photo turned alike still share them.
 */
export function turnedContentKey(contentHash: string, turn: Turn): string {
  return turn === 0 ? contentHash : createHash('sha256').update(`${contentHash}:turn:${turn}`).digest('hex');
}
