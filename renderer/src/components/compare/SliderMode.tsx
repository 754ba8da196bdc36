import type { RefCallback, RefObject } from 'react';
import { ComparePane, type ModeImages, type PaneState, SideChip, SideImage } from './CompareParts';
import type { DividerControl } from './use-divider';

interface SliderModeProps {
  images: ModeImages;
  pane: PaneState;
  paneRef: RefCallback<HTMLDivElement>;
  /** The viewport moves the handle every frame while it is dragged. */
  handleRef: RefObject<HTMLDivElement | null>;
  divider: DividerControl;
}

/** One pane: the before image, with the after image over it right of a draggable divider. */
export function SliderMode({ images, pane, paneRef, handleRef, divider }: SliderModeProps): React.JSX.Element {
  return (
    <ComparePane ref={paneRef} index={0} pane={pane}>
      <div className="compare-layer">
        <SideImage side="before" images={images} />
      </div>
      <div className="compare-layer compare-clip">
        <SideImage side="after" images={images} />
      </div>
      <SideChip side="before" images={images} position="start" />
      <SideChip side="after" images={images} position="end" />
      <div
        ref={handleRef}
        className="compare-divider"
        role="slider"
        tabIndex={0}
        aria-label="Before/after divider"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(divider.percent)}
        aria-orientation="horizontal"
        onPointerDown={divider.onPointerDown}
        onPointerMove={divider.onPointerMove}
        onPointerUp={divider.onPointerEnd}
        onPointerCancel={divider.onPointerEnd}
        onLostPointerCapture={divider.onPointerEnd}
        onKeyDown={divider.onKeyDown}
        // A double-click on the handle must not reach the pane, where it would toggle the zoom.
        onDoubleClick={(event) => event.stopPropagation()}
      />
    </ComparePane>
  );
}
