import type { CompareMode, Size } from './viewport';

export interface CompareImage {
  /** Long edge at most 2048 px; shown while that is sharp enough. */
  previewUrl: string;
  fullUrl: string;
  /** Full-resolution size in pixels, orientation applied. */
  width: number;
  height: number;
  label: string;
}

export type Side = 'before' | 'after';

export const SIDES: readonly Side[] = ['before', 'after'];

export const SIDE_LABELS: Record<Side, string> = { before: 'Before', after: 'After' };

/** The images on screen now, as the frame callback sees them. */
export interface CompareScene {
  before: CompareImage;
  after: CompareImage;
  mode: CompareMode;
  showingBefore: boolean;
  loupeOn: boolean;
}

export function imageOn(side: Side, scene: { before: CompareImage; after: CompareImage }): CompareImage {
  return side === 'before' ? scene.before : scene.after;
}

export interface PointerSpot {
  /** Which pane the pointer is over (side-by-side has two). */
  pane: number;
  /** Position in that pane's box. */
  x: number;
  y: number;
  /** Position in the stage, where the loupe lives. */
  stageX: number;
  stageY: number;
}

/** One pointer drag at a time: panning a pane or moving the slider's divider. */
export interface Drag {
  kind: 'pan' | 'divider';
  pointerId: number;
  lastX: number;
  lastY: number;
  /** For the divider: the pane's left edge and width when the drag began. */
  left: number;
  width: number;
}

/** Which image the pointer is over, for the loupe. */
export function sideUnder(at: PointerSpot, scene: CompareScene, dividerPercent: number, box: Size): Side {
  switch (scene.mode) {
    case 'side-by-side':
      return at.pane === 0 ? 'before' : 'after';
    case 'slider':
      return at.x < (dividerPercent / 100) * box.width ? 'before' : 'after';
    case 'toggle':
      return scene.showingBefore ? 'before' : 'after';
    default: {
      const unreachable: never = scene.mode;
      return unreachable;
    }
  }
}
