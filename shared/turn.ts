/**
 * A photo turned by the user in quarter turns clockwise, on top of its EXIF orientation (which
 * cameras get wrong when pointed up or down). The file is never rewritten: every reader of the
 * photo applies the turn, so it is one more step of making the picture upright.
 */
export type Turn = 0 | 1 | 2 | 3;

export function isTurn(value: number): value is Turn {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

/** Adds quarter turns (negative: counter-clockwise) to a turn. */
export function addTurns(turn: Turn, by: number): Turn {
  const next = (((turn + by) % 4) + 4) % 4;
  return isTurn(next) ? next : 0;
}

/** A width and height after the turn: a quarter turn swaps them. */
export function turnedSize(width: number, height: number, turn: Turn): { width: number; height: number } {
  return turn % 2 === 1 ? { width: height, height: width } : { width, height };
}

/**
 * Where a point of the upright photo lands after `turn` more quarter turns clockwise, in the same
 * coordinates (pixels or 0–1 fractions) of a picture `width` × `height` before the turn.
 */
export function turnPoint(
  point: { x: number; y: number },
  width: number,
  height: number,
  turn: Turn,
): { x: number; y: number } {
  switch (turn) {
    case 1:
      return { x: height - point.y, y: point.x };
    case 2:
      return { x: width - point.x, y: height - point.y };
    case 3:
      return { x: point.y, y: width - point.x };
    case 0:
      return { x: point.x, y: point.y };
  }
}
