import type { RefCallback } from 'react';
import { type CompareImage, imageOn, type Side, SIDE_LABELS } from './compare-model';
import type { PaneHandlers } from './use-pane-gestures';

/** What a mode needs to draw either image: the images, which full ones are decoded, and their refs. */
export interface ModeImages {
  before: CompareImage;
  after: CompareImage;
  fullReady: readonly string[];
  imageRefs: Record<Side, RefCallback<HTMLImageElement>>;
}

/** What every pane of a mode shares: whether the view is zoomed in, and the pointer props. */
export interface PaneState {
  zoomed: boolean;
  handlers: PaneHandlers;
}

interface ComparePaneProps {
  /** The viewport's ref for this pane: it measures the pane and zooms it with the wheel. */
  ref: RefCallback<HTMLDivElement>;
  /** The pane's place in the stage (side-by-side has two), read back by the pointer handlers. */
  index: number;
  pane: PaneState;
  children: React.ReactNode;
}

/** One pane: a box the shared view draws into. */
export function ComparePane({ ref, index, pane, children }: ComparePaneProps): React.JSX.Element {
  return (
    <div ref={ref} className="compare-pane" data-pane={index} data-zoomed={String(pane.zoomed)} {...pane.handlers}>
      {children}
    </div>
  );
}

interface SideImageProps {
  side: Side;
  images: ModeImages;
  /** Kept in the DOM but not shown (toggle mode's other image). */
  hidden?: boolean;
}

/** One side's image: the preview until the full image is decoded. Size and position are written by the viewport. */
export function SideImage({ side, images, hidden = false }: SideImageProps): React.JSX.Element {
  const image = imageOn(side, images);
  const full = images.fullReady.includes(image.fullUrl);
  return (
    <img
      ref={images.imageRefs[side]}
      className={hidden ? 'compare-img compare-img-hidden' : 'compare-img'}
      data-testid={`compare-${side}`}
      data-resolution={full ? 'full' : 'preview'}
      src={full ? image.fullUrl : image.previewUrl}
      alt={`${SIDE_LABELS[side]}: ${image.label}`}
      aria-hidden={hidden || undefined}
      draggable={false}
      decoding="async"
    />
  );
}

interface SideChipProps {
  side: Side;
  images: ModeImages;
  position: 'start' | 'end';
  /** Announce changes (toggle mode, where the chip says which image is showing). */
  live?: boolean;
}

/** The label over a pane: which side, and the image's name. */
export function SideChip({ side, images, position, live = false }: SideChipProps): React.JSX.Element {
  const image = imageOn(side, images);
  return (
    <div className={`compare-chip compare-chip-${position}`} aria-live={live ? 'polite' : undefined}>
      <strong>{SIDE_LABELS[side]}</strong>
      <span className="compare-chip-label" title={image.label}>
        {image.label}
      </span>
    </div>
  );
}
